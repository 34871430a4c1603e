// Which build of the addon lib/binding.ts loads, and what the install script
// does, in a package root made here: dist/lib/binding.js copied in, the
// `bindings` package linked, and copies of this checkout's build standing in
// for a local build and for a prebuild. No compiler is run.
// (test/slow/install.test.ts does the same with the real tarball.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const built = path.join(root, 'build', 'Release', 'sockcall.node');
const target = `${process.platform}-${process.arch}`;

// Long enough for dlopen to read its header and say "invalid ELF header".
const notElf = Buffer.alloc(4096, 'x');

interface Pkg { dir: string; local: string; prebuild: string }

function makePackage(t: { after(fn: () => void): void }, opts: { local?: 'good' | 'broken'; prebuild?: boolean }): Pkg {
  // An installed package: the install script builds in a checkout regardless.
  const top = mkdtempSync(path.join(tmpdir(), 'sockcall-loader-'));
  t.after(() => rmSync(top, { recursive: true, force: true }));
  const dir = path.join(top, 'node_modules', 'sockcall');
  mkdirSync(dir, { recursive: true });
  mkdirSync(path.join(dir, 'dist', 'lib'), { recursive: true });
  copyFileSync(path.join(root, 'dist', 'lib', 'binding.js'), path.join(dir, 'dist', 'lib', 'binding.js'));
  writeFileSync(path.join(dir, 'dist', 'lib', 'package.json'), '{"type":"commonjs"}\n');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(path.join(root, 'node_modules', 'bindings'), path.join(dir, 'node_modules', 'bindings'));
  mkdirSync(path.join(dir, 'scripts'));
  copyFileSync(path.join(root, 'scripts', 'install.cjs'), path.join(dir, 'scripts', 'install.cjs'));
  const local = path.join(dir, 'build', 'Release', 'sockcall.node');
  const prebuild = path.join(dir, 'prebuilds', target, 'sockcall.node');
  if (opts.local) {
    mkdirSync(path.dirname(local), { recursive: true });
    if (opts.local === 'good') copyFileSync(built, local);
    else writeFileSync(local, notElf);
  }
  if (opts.prebuild) {
    mkdirSync(path.dirname(prebuild), { recursive: true });
    copyFileSync(built, prebuild);
  }
  return { dir, local, prebuild };
}

/** Loads binding.js of the package in a child; its addonPath, or the error. */
function load(pkg: Pkg, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['-e',
    'try { const b = require(process.argv[1]); console.log(JSON.stringify({ file: b.addonPath, ' +
    'socket: typeof b.binding.socket })) } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }',
    path.join(pkg.dir, 'dist', 'lib', 'binding.js')],
  { encoding: 'utf8', env: { ...process.env, SOCKCALL_ADDON: '', ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { file?: string; socket?: string; code?: string; message?: string };
}

test('the local build wins over the prebuild (a checkout tests the code being edited)', (t) => {
  const pkg = makePackage(t, { local: 'good', prebuild: true });
  assert.deepEqual(load(pkg), { file: pkg.local, socket: 'function' });
});

test('with no local build, the prebuild for this platform and arch is loaded', (t) => {
  const pkg = makePackage(t, { prebuild: true });
  assert.deepEqual(load(pkg), { file: pkg.prebuild, socket: 'function' });
});

test('a local build that does not load is passed over for the prebuild', (t) => {
  const pkg = makePackage(t, { local: 'broken', prebuild: true });
  assert.deepEqual(load(pkg), { file: pkg.prebuild, socket: 'function' });
});

test('SOCKCALL_ADDON names the file to load, before both', (t) => {
  const pkg = makePackage(t, { local: 'good', prebuild: true });
  assert.deepEqual(load(pkg, { SOCKCALL_ADDON: pkg.prebuild }), { file: pkg.prebuild, socket: 'function' });
});

test('with neither, one error lists what was tried and says how to build', (t) => {
  const pkg = makePackage(t, {});
  const r = load(pkg);
  assert.equal(r.code, 'SOCKCALL_NO_ADDON');
  assert.equal(r.message, [
    `sockcall: no build of its native addon loads on ${target} (Node ${process.version}):`,
    '  tried build/Release/sockcall.node: not built',
    `  tried prebuilds/${target}/sockcall.node: absent (sockcall ships prebuilds for linux-x64 and linux-arm64 with glibc)`,
    '  Build it from source with `npm rebuild sockcall`, which needs python3, make and g++ ' +
    '(Debian/Ubuntu: apt-get install python3 make g++). For installs to build it, approve sockcall\'s install script ' +
    '(npm 11: `npm install-scripts approve sockcall`).',
  ].join('\n'));
  assert.doesNotMatch(r.message!, /Could not locate the bindings file/);
});

test('a local build that does not load, and no prebuild: its reason is in the error', (t) => {
  const pkg = makePackage(t, { local: 'broken' });
  const r = load(pkg);
  assert.equal(r.code, 'SOCKCALL_NO_ADDON');
  assert.match(r.message!, /^ {2}tried the local build: .*sockcall\.node: invalid ELF header$/m);
});

// The install script, with a node-gyp that only says it ran: it must not
// run where the prebuild loads.
function install(pkg: Pkg, env: NodeJS.ProcessEnv = {}) {
  const fake = path.join(pkg.dir, 'fake-node-gyp.js');
  writeFileSync(fake, 'console.log("node-gyp", process.argv.slice(2).join(" ")); process.exit(7);\n');
  return spawnSync(process.execPath, [path.join(pkg.dir, 'scripts', 'install.cjs')],
    { encoding: 'utf8', cwd: pkg.dir, env: { ...process.env, npm_config_node_gyp: fake, ...env } });
}

test('install script: where the prebuild loads, nothing is built', (t) => {
  const r = install(makePackage(t, { prebuild: true }));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `sockcall: using the prebuilt addon prebuilds/${target}/sockcall.node\n`);
});

test('install script: with no prebuild, node-gyp rebuild, and its failure names the toolchain', (t) => {
  const r = install(makePackage(t, {}));
  assert.equal(r.status, 7);
  assert.equal(r.stdout, `sockcall: building the addon from source: there is no prebuilds/${target}/sockcall.node\n` +
    'node-gyp rebuild\n');
  assert.equal(r.stderr, 'sockcall: building the addon failed. It needs python3, make and g++ ' +
    '(Debian/Ubuntu: apt-get install python3 make g++), then `npm rebuild sockcall`.\n');
});

test('install script: a prebuild that does not load is built over, with its reason', (t) => {
  const pkg = makePackage(t, {});
  mkdirSync(path.dirname(pkg.prebuild), { recursive: true });
  writeFileSync(pkg.prebuild, notElf);
  const r = install(pkg);
  assert.equal(r.status, 7);
  assert.match(r.stdout, new RegExp(`^sockcall: building the addon from source: prebuilds/${target}/sockcall\\.node ` +
    'does not load here \\(Error: .*invalid ELF header\\)\nnode-gyp rebuild\n$'));
});

test('install script: SOCKCALL_BUILD_FROM_SOURCE=1 builds even where the prebuild loads', (t) => {
  const r = install(makePackage(t, { prebuild: true }), { SOCKCALL_BUILD_FROM_SOURCE: '1' });
  assert.equal(r.status, 7);
  assert.equal(r.stdout, 'sockcall: building the addon from source: asked to build from source\nnode-gyp rebuild\n');
});

test('install script: a checkout (not inside node_modules) builds even where the prebuild loads', (t) => {
  const pkg = makePackage(t, { prebuild: true });
  const checkout = path.join(path.dirname(path.dirname(pkg.dir)), 'checkout');
  renameSync(pkg.dir, checkout);
  const r = install({ ...pkg, dir: checkout });
  assert.equal(r.status, 7);
  assert.equal(r.stdout, 'sockcall: building the addon from source: a checkout builds its own\nnode-gyp rebuild\n');
});
