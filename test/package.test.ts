// The package's surface: one import from ESM and from CommonJS, and the
// constants lib/ exports are exactly those the addon read from the headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as sockcall from 'sockcall';

const root = path.join(import.meta.dirname, '..');

test('ESM: named imports from the package root', () => {
  for (const name of ['socket', 'sys', 'AF_INET', 'SOCK_DGRAM', 'OSError', 'ConnectionRefusedError', 'gaierror']) {
    assert.ok(name in sockcall, name);
  }
  assert.equal(typeof sockcall.sys.recvfromSync, 'function');
});

test('CommonJS: require("sockcall") gives the same names', () => {
  const r = spawnSync(process.execPath, ['-e',
    "const s = require('sockcall'); console.log(JSON.stringify(Object.keys(s).sort()))"],
  { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const cjs = JSON.parse(r.stdout) as string[];
  // The ESM namespace of a CommonJS module also holds 'default' (and
  // '__esModule'), and from Node 23 'module.exports': none is an export.
  const wrapper = new Set(['default', '__esModule', 'module.exports']);
  assert.deepEqual(cjs, Object.keys(sockcall).filter((k) => !wrapper.has(k)).sort());
});

test('constants: lib/constants.ts is what scripts/gen-constants.cjs writes from the addon, and each is exported', () => {
  const r = spawnSync(process.execPath, ['-e',
    "const b = require('bindings')({ bindings: 'sockcall', module_root: process.cwd() }); " +
    "process.stdout.write(require('./scripts/gen-constants.cjs').render(b.constants))"], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(path.join(root, 'lib', 'constants.ts'), 'utf8'), r.stdout,
    'run node scripts/gen-constants.cjs after changing native/names.h');
  const names = [...r.stdout.matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
  assert.ok(names.length > 150);
  for (const name of names) assert.equal(typeof (sockcall as Record<string, unknown>)[name], 'number', name);
  // The families' literal types are the values the addon read.
  for (const m of r.stdout.matchAll(/^export const (AF_\w+) = c\.\w+ as (\d+);$/gm)) {
    assert.equal((sockcall as Record<string, unknown>)[m[1]], Number(m[2]), m[1]);
  }
});

test('constants have the values Python reads from the same headers', () => {
  const names = ['AF_INET', 'AF_INET6', 'AF_UNIX', 'AF_PACKET', 'SOCK_DGRAM', 'SOCK_STREAM', 'SOCK_CLOEXEC', 'SOL_SOCKET',
    'SO_ERROR', 'SO_RCVBUF', 'IPPROTO_UDP', 'MSG_PEEK', 'MSG_ERRQUEUE', 'SHUT_RDWR', 'SCM_RIGHTS', 'EAI_NONAME',
    'IP_RECVERR', 'IPV6_RECVERR'];
  const r = spawnSync('python3', ['-c', `import socket, json\nprint(json.dumps({n: int(getattr(socket, n)) for n in ${JSON.stringify(names)} if hasattr(socket, n)}))`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const py = JSON.parse(r.stdout) as Record<string, number>;
  assert.ok(Object.keys(py).length >= 15);
  for (const [n, v] of Object.entries(py)) assert.equal((sockcall as Record<string, unknown>)[n], v, n);
});
