// Builds the prebuilt addons the package ships, one per platform-arch:
// prebuilds/linux-x64/sockcall.node and prebuilds/linux-arm64/sockcall.node
// (glibc), which lib/binding.ts loads where no local build is present and
// scripts/install.cjs tries before building from source. npm runs it before
// packing (`prepack`); `npm run prebuild` runs it by hand, and
// `node scripts/prebuild.cjs linux-arm64` builds one target only.
//
// Each target is built by node-gyp in its own staging directory,
// build-prebuilds/<target>/ (a copy of binding.gyp whose sources point back
// at native/), so the developer's build/ is left alone. The staging directory
// is inside the checkout so that binding.gyp's
// `node -p "require('node-addon-api').include_dir"` resolves from it. The
// target of another architecture is cross-compiled with Debian's cross
// toolchain (g++-aarch64-linux-gnu for arm64): CC, CXX and LINK name it and
// node-gyp gets --arch. A missing toolchain is an error naming its package:
// the package is never packed without one of its prebuilds.
//
// What ships differs from a local build only in how it is linked:
// libstdc++ and libgcc are linked in statically, with their symbols kept
// local (--exclude-libs), and the result is stripped. Linked dynamically, the
// addon built by GCC 12 needs GCC 12's libstdc++ (GLIBCXX_3.4.30, for
// std::condition_variable::wait), which glibc-2.34 systems such as RHEL 9
// do not have; statically, it needs only glibc. The highest GLIBC_ version
// each prebuild needs is printed at the end.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const staging = path.join(root, 'build-prebuilds');
const out = path.join(root, 'prebuilds');

// e_machine of each ELF (elf.h) and the words file(1) prints for it.
const TARGETS = {
  'linux-x64': { arch: 'x64', triple: 'x86_64-linux-gnu', apt: 'g++-x86-64-linux-gnu', machine: 62, file: 'x86-64' },
  'linux-arm64': { arch: 'arm64', triple: 'aarch64-linux-gnu', apt: 'g++-aarch64-linux-gnu', machine: 183, file: 'ARM aarch64' },
};
const LINK_FLAGS = ['-static-libstdc++', '-Wl,--exclude-libs,ALL', '-Wl,--gc-sections', '-s'];

function fail(message) {
  console.error(`sockcall prebuild: ${message}`);
  process.exit(1);
}

function onPath(cmd) {
  if (cmd.includes('/')) return fs.existsSync(cmd) ? cmd : null;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const file = path.join(dir || '.', cmd);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch { /* not here */ }
  }
  return null;
}

/** The compilers for a target: the machine's own for its architecture, else the cross toolchain's. */
function toolchain(name) {
  const t = TARGETS[name];
  if (process.platform !== 'linux') fail(`the prebuilds are built on Linux (this is ${process.platform})`);
  if (t.arch === process.arch) {
    const cxx = process.env.CXX || 'g++';
    const missing = [cxx, 'make'].filter((c) => !onPath(c.split(' ')[0]));
    if (!onPath('python3') && !onPath('python')) missing.push('python3');
    if (missing.length) fail(`${name} needs ${missing.join(', ')} (Debian: apt-get install python3 make g++)`);
    return { env: {} };
  }
  const cc = `${t.triple}-gcc`;
  const cxx = `${t.triple}-g++`;
  if (!onPath(cxx) || !onPath(cc)) {
    fail(`${name} is cross-compiled with ${cxx}, which is not on PATH. ` +
      `On Debian or Ubuntu: apt-get install ${t.apt}`);
  }
  return { env: { CC: cc, CXX: cxx, LINK: cxx, AR: `${t.triple}-ar` } };
}

/** Node's own headers, as npm's configuration gives them (no download); the same as scripts/build-sanitized.cjs. */
function nodedir() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return process.env.npm_config_nodedir ||
    (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
}

function elfMachine(file) {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(20);
  fs.readSync(fd, head, 0, 20, 0);
  fs.closeSync(fd);
  if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return null; // ELF, 64-bit, little-endian
  return head.readUInt16LE(18);
}

/** The highest GLIBC_x.y the file's dynamic symbols ask for, by objdump -T (null without binutils). */
function highestGlibc(file, triple) {
  for (const objdump of [`${triple}-objdump`, 'objdump']) {
    if (!onPath(objdump)) continue;
    const r = spawnSync(objdump, ['-T', file], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const versions = [...r.stdout.matchAll(/GLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)]
      .map((m) => [Number(m[1]), Number(m[2]), Number(m[3] || 0)]);
    versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    const top = versions[versions.length - 1];
    return top ? top.filter((n, i) => i < 2 || n).join('.') : 'none';
  }
  return null;
}

function build(name, nodeGyp) {
  const t = TARGETS[name];
  const { env } = toolchain(name);
  const dir = path.join(staging, name);
  const dest = path.join(out, name, 'sockcall.node');
  fs.rmSync(path.dirname(dest), { recursive: true, force: true });

  const gyp = JSON.parse(fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8'));
  const target = gyp.targets[0];
  target.sources = target.sources.map((s) => path.relative(dir, path.join(root, s)));
  target.ldflags = [...(target.ldflags || []), ...LINK_FLAGS];
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'binding.gyp'), JSON.stringify(gyp, null, 2) + '\n');

  const nd = nodedir();
  const args = [nodeGyp, 'rebuild', '--silent', `--arch=${t.arch}`, '--jobs=max', ...(nd ? [`--nodedir=${nd}`] : [])];
  const started = Date.now();
  console.log(`sockcall prebuild: ${name}${env.CXX ? ` with ${env.CXX}` : ''}`);
  const r = spawnSync(process.execPath, args, { cwd: dir, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) fail(`node-gyp failed for ${name} (status ${r.status ?? r.signal})`);

  const built = path.join(dir, 'build', 'Release', 'sockcall.node');
  const machine = elfMachine(built);
  if (machine !== t.machine) fail(`${built} is not a 64-bit ELF for ${name} (e_machine ${machine})`);
  let says = '';
  if (onPath('file')) {
    says = execFileSync('file', ['-b', built], { encoding: 'utf8' }).trim();
    if (!says.includes(t.file)) fail(`file(1) says ${built} is "${says}", not ${t.file}`);
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(built, dest);
  const glibc = highestGlibc(dest, t.triple);
  console.log(`  ${path.relative(root, dest)}: ${fs.statSync(dest).size} bytes, ${((Date.now() - started) / 1000).toFixed(1)} s` +
    `${glibc ? `, needs glibc ${glibc}` : ''}${says ? `\n  ${says}` : ''}`);
}

const names = process.argv.slice(2);
for (const n of names) if (!TARGETS[n]) fail(`unknown target ${n} (known: ${Object.keys(TARGETS).join(', ')})`);
const chosen = names.length ? names : Object.keys(TARGETS);
for (const n of chosen) toolchain(n); // every toolchain is checked before anything is built
let nodeGyp;
try {
  nodeGyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
} catch {
  nodeGyp = process.env.npm_config_node_gyp;
  if (!nodeGyp) fail('node-gyp is not installed (npm install)');
}
for (const n of chosen) build(n, nodeGyp);
