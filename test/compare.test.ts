// `sockcall compare`: it finds real divergences and names the row, reports a
// blocked program as blocked, every experiment matches its Python twin, and
// what cannot run is exit status 2 with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { python, straceWorks } from '../tools/strace.ts';
import { slow } from './helpers/slow.ts';

const root = path.join(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'sockcall.js');
const strace = straceWorks();
const skip = strace.ok ? false : strace.why;

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

interface Json { match: boolean; verdict: string; rows: { left: string | null; right: string | null; same: boolean; teardown: boolean }[];
  left: { outcome: { text: string; blockedIn: string | null } }; right: { outcome: { text: string; blockedIn: string | null } } }

test('a port that leaves out SOCK_CLOEXEC diverges at the socket() row', { skip }, async () => {
  const r = await cli(['compare', '--json', 'examples/program1.py', 'test/fixtures/diverge/no-cloexec.ts']);
  assert.equal(r.status, 1, r.stderr);
  const c = JSON.parse(r.stdout) as Json;
  const bad = c.rows.filter((row) => !row.same);
  assert.deepEqual(bad, [{ left: 'socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = A',
    right: 'socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = A', same: false, teardown: false }]);
  assert.match(c.verdict, /^DIVERGE: 1 of 4 rows differ/);
});

test('a port that calls recv where Python called recvfrom diverges at that row, in the table too', { skip }, async () => {
  const r = await cli(['compare', 'examples/program1.py', 'test/fixtures/diverge/recv-not-recvfrom.ts']);
  assert.equal(r.status, 1, r.stderr);
  const row = r.stdout.split('\n').find((l) => /^\s*4 ≠ /.test(l));
  assert.ok(row, r.stdout);
  assert.match(row, /recvfrom\(A, PTR, 65535, 0, PTR, \[16\]\) = -1 ECONNREFUSED \(Connection refused\)\s+│ recvfrom\(A, PTR, 65535, 0, NULL, NULL\) = -1 ECONNREFUSED/);
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when stdout is not a terminal');
});

test('a program that blocks is reported as blocked, not as a failure of the harness', { skip }, async () => {
  const r = await cli(['compare', '--json', '--deadline', String(3 * slow), 'examples/program2.py', 'examples/program2.ts']);
  assert.equal(r.status, 0, r.stderr);
  const c = JSON.parse(r.stdout) as Json;
  assert.equal(c.left.outcome.text, `blocked in recvfrom after ${(3 * slow).toFixed(1)} s`);
  assert.equal(c.right.outcome.blockedIn, 'recvfrom');
  assert.ok(c.match);
});

test('the runtime\'s teardown is shown, marked, and does not count', { skip }, async () => {
  const r = await cli(['compare', '--json', 'examples/program1.py', 'examples/program1.ts']);
  assert.equal(r.status, 0, r.stderr);
  const c = JSON.parse(r.stdout) as Json;
  assert.deepEqual(c.rows.filter((row) => row.teardown).map((row) => row.left?.split('(')[0]), ['getsockname', 'getpeername', 'close']);
  assert.match(c.verdict, /^MATCH: the same 4 system calls/);
});

test('a program that does not exist: exit status 2 and a clear message', async () => {
  const r = await cli(['compare', 'examples/program1.py', 'examples/nope.ts']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'sockcall compare: examples/nope.ts: no such file\n');
  const u = await cli(['compare', 'examples/program1.py', 'README.md']);
  assert.equal(u.status, 2);
  assert.match(u.stderr, /cannot tell how to run a "\.md" file/);
});

test('every experiment matches its Python twin: sockcall compare --all', { skip }, async () => {
  const r = await cli(['compare', '--all']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[lines.length - 1], /^all \d+ experiments matched$/);
  assert.ok(lines.filter((l) => / yes$/.test(l)).length >= 12);
});

test('without strace: one line that says so and how to fix it, and the outcomes compared', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockcall-nostrace-'));
  try {
    symlinkSync(python(), path.join(dir, 'python3'));
    symlinkSync(process.execPath, path.join(dir, 'node'));
    const r = await cli(['compare', 'examples/program1.py', 'examples/program1.ts'], { ...process.env, PATH: dir });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const notes = r.stdout.split('\n').filter((l) => l.startsWith('note:'));
    assert.equal(notes.length, 1);
    assert.match(notes[0], /strace is not installed \(apt-get install strace\)/);
    // The TypeScript side still shows its calls, from sockcall's own tracer.
    assert.match(r.stdout, /│ recvfrom\(A, PTR, 65535, 0, PTR, \[16\]\) = -1 ECONNREFUSED/);
    assert.match(r.stdout, /MATCH \(outcomes only\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm start\'s demo: both programs side by side, then an account drawn from the runs', { skip }, async () => {
  const r = await cli(['demo']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /MATCH: the same 4 system calls, and the same outcome \(ConnectionRefusedError: \[Errno 111\] Connection refused/);
  assert.match(r.stdout, /MATCH: the same 3 system calls, and the same outcome \(blocked in recvfrom after \d+\.\d s\)/);
  const account = r.stdout.slice(r.stdout.indexOf('What the runs show')).replace(/\s+/g, ' ');
  assert.match(account, /sendto returned 3/);
  assert.match(account, /recvfrom, returned -1 ECONNREFUSED \(Connection refused\): errno 111/);
  assert.match(account, /origin 2 = SO_EE_ORIGIN_ICMP .*type 3, code 3 \(destination unreachable: port unreachable\), errno 111 = ECONNREFUSED/);
  assert.match(account, /unconnected socket of experiment 3 sent the same datagram \(sendto returned 3\)/);
});

test('the account follows the runs: a recvfrom that did not fail is not told as ECONNREFUSED', async () => {
  const { explainRuns } = await import('../tools/demo.ts');
  const side = (calls: string[], outcome: Partial<{ text: string; error: string | null; blockedIn: string | null }>) => ({
    calls, outcome: { text: '', error: null, status: 0, signal: null, blockedIn: null, ...outcome } });
  const comparison = (calls: string[], outcome: Parameters<typeof side>[1]) => ({
    rows: calls.map((l) => ({ left: l, right: l, same: true, teardown: false })), left: side(calls, outcome), right: side(calls, outcome),
  }) as never;
  const p1 = comparison(['sendto(A, "123", 3, 0, NULL, 0) = 3', 'recvfrom(A, "hi", 65535, 0, PTR, [16]) = 2'], { text: 'exit status 0' });
  const none = comparison([], { text: 'exit status 0' });
  const text = explainRuns(p1, none, none, none).join(' ');
  assert.match(text, /sendto returned 3/);
  assert.match(text, /Here recvfrom returned 2: not the ECONNREFUSED the article shows/);
  assert.doesNotMatch(text, /asynchronous error|ICMP|blocked/);
});
