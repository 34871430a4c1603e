// The package's install script: build the addon from source only where no
// prebuild serves. The prebuild for this platform and arch
// (prebuilds/<platform>-<arch>/sockcall.node, made by scripts/prebuild.cjs)
// is loaded in a child process; if it loads, there is nothing to build (and
// lib/binding.ts will load it). If it is missing or does not load (another
// architecture, musl, a glibc older than 2.34), node-gyp builds
// build/Release/sockcall.node, which lib/binding.ts prefers. npm 11 runs a
// dependency's install script only once the project approves it
// (`npm install-scripts approve sockcall`); until then the prebuild is all
// an install gets, and `npm rebuild sockcall` runs this script anyway.
// SOCKCALL_BUILD_FROM_SOURCE=1 npm rebuild sockcall builds even where the
// prebuild loads (so does npm_config_build_from_source, the convention of
// other addons, though npm 11 warns of --build-from-source as unknown).
// A checkout (the package not inside a node_modules directory: a clone, or
// a folder linked by `npm install ../sockcall`) always builds, prebuilds or
// not (npm pack leaves them in prebuilds/): its tests must run the code
// being edited, and `npm run build` (node-gyp build) needs build/ made.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const target = `${process.platform}-${process.arch}`;
const prebuild = path.join('prebuilds', target, 'sockcall.node');

function prebuildLoads() {
  if (!fs.existsSync(path.join(root, prebuild))) return `there is no ${prebuild}`;
  const r = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', path.join(root, prebuild)],
    { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status === 0) return true;
  const why = (r.stderr || '').split('\n').find((l) => /Error|error:/.test(l)) || `status ${r.status ?? r.signal}`;
  return `${prebuild} does not load here (${why.trim()})`;
}

const force = [process.env.SOCKCALL_BUILD_FROM_SOURCE, process.env.npm_config_build_from_source]
  .some((v) => /^(1|true|sockcall)$/.test(v || ''));
const checkout = !path.resolve(root).split(path.sep).includes('node_modules');
const loads = force ? 'asked to build from source' : checkout ? 'a checkout builds its own' : prebuildLoads();
if (loads === true) {
  console.log(`sockcall: using the prebuilt addon ${prebuild}`);
  process.exit(0);
}
console.log(`sockcall: building the addon from source: ${loads}`);

// node-gyp: the package's own dependency, else the one npm runs scripts with.
let nodeGyp;
try {
  nodeGyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
} catch {
  nodeGyp = process.env.npm_config_node_gyp;
}
const r = nodeGyp
  ? spawnSync(process.execPath, [nodeGyp, 'rebuild'], { cwd: root, stdio: 'inherit' })
  : spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`sockcall: building the addon failed${r.error ? ` (${r.error.message})` : ''}. ` +
    'It needs python3, make and g++ (Debian/Ubuntu: apt-get install python3 make g++), ' +
    'then `npm rebuild sockcall`.');
  process.exit(r.status || 1);
}
