// `sockcall compare`: it finds real divergences and names the row, reports a
// blocked program as blocked, every experiment matches its Python twin, and
// what cannot run is exit status 2 with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { python, straceWorks } from '../cli/strace.ts';
import { slow } from './helpers/slow.ts';
import { fullOnly } from './helpers/tier.ts';

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
  left: { calls: string[]; outcome: { text: string; blockedIn: string | null } }; right: { outcome: { text: string; blockedIn: string | null } } }

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

// npm test compares the article's program and one server and client pair of
// each kind (UDP; TCP, with makefile()'s lines); the slow tier all of them.
const SOME = ['01-program1', '14-udp-echo', '18-tcp-lines'];
for (const [names, title] of [[SOME, 'these experiments match'], [[], 'every experiment matches [full]']] as const) {
test(`${title}: their Python twins, client/server pairs both ways: sockcall compare --all`,
  { skip: skip || (names.length === 0 && fullOnly) }, async () => {
  const r = await cli(['compare', '--all', '--json', ...names]);
  const rows = JSON.parse(r.stdout) as { name: string; callsMatch: boolean; outcomesMatch: boolean; asExpected: boolean;
    python: string; typescript: string; comparison: { verdict: string; left: { by: string; tracerDisagrees: string | null };
      right: { by: string; tracerDisagrees: string | null } } }[];
  const failed = rows.filter((row) => !(row.callsMatch && row.outcomesMatch && row.asExpected))
    .map((row) => `${row.name}: ${row.comparison.verdict} (Python: ${row.python}; TypeScript: ${row.typescript})`);
  assert.deepEqual(failed, []);
  assert.equal(r.status, 0, r.stderr);
  // A pair is two rows, its server's and its client's.
  assert.ok(rows.length >= (names.length === 0 ? 23 : names.length + 2), `${rows.length} experiments`);
  for (const row of rows) {
    assert.ok(row.callsMatch && row.outcomesMatch && row.asExpected, row.name);
    // sockcall's trace of the port said what strace saw.
    assert.equal(row.comparison.right.tracerDisagrees, null, row.name);
    assert.equal(row.comparison.left.by, 'sockets', `${row.name}: Python's sockets are those it made`);
    assert.equal(row.comparison.right.by, 'tracer', `${row.name}: the port's are those sockcall's trace names`);
  }
  const pairs = ['14-udp-echo', '15-tcp-echo', '16-tcp-two-clients', '17-udp-silent-server', '18-tcp-lines'];
  for (const pair of pairs.filter((p) => names.length === 0 || (names as readonly string[]).includes(p))) {
    assert.ok(rows.some((row) => row.name === `${pair}/server`) && rows.some((row) => row.name === `${pair}/client`), pair);
  }
});
}

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
  const { explainRuns } = await import('../cli/demo.ts');
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

const fixtures = 'test/fixtures/compare';

test('stdout is compared: the same calls with another line printed diverge at the output row', { skip }, async () => {
  const r = await cli(['compare', '--json', `${fixtures}/hello.py`, `${fixtures}/goodbye.ts`]);
  assert.equal(r.status, 1, r.stderr);
  const c = JSON.parse(r.stdout) as Json & { callsMatch: boolean; output: { left: string; right: string; same: boolean }[] };
  assert.ok(c.callsMatch);
  assert.deepEqual(c.output, [{ left: 'hello', right: 'goodbye', same: false, teardown: false }]);
  assert.match(c.verdict, /^DIVERGE: 1 of 1 output lines differ/);
});

test('programs take arguments after --, the same for both', { skip }, async () => {
  const r = await cli(['compare', `${fixtures}/hello.py`, `${fixtures}/hello.ts`, '--', 'server', '127.0.0.1']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /hello server 127\.0\.0\.1 +│ hello server 127\.0\.0\.1/);
  assert.match(r.stdout, /MATCH: the same 2 system calls, the same output \(1 lines\)/);
});

test('the sides run one after the other: two programs holding one port do not collide, unless --parallel', { skip }, async () => {
  // Each holds the port until the deadline: run at once, they overlap however slowly they start.
  const deadline = String(3 * slow);
  const one = await cli(['compare', '--deadline', deadline, `${fixtures}/hold-port.py`, `${fixtures}/hold-port.ts`]);
  assert.equal(one.status, 0, one.stdout);
  assert.match(one.stdout, /MATCH: .*blocked in recvfrom/);
  const both = await cli(['compare', '--parallel', '--deadline', deadline, `${fixtures}/hold-port.py`, `${fixtures}/hold-port.ts`]);
  assert.equal(both.status, 1);
  assert.match(both.stdout, /Errno 98\] Address already in use/);
});

test('a C original and a plain command can be sides: program1.c matches program1.py; dgram shows what libuv asks for', { skip }, async () => {
  const c = await cli(['compare', 'examples/program1.py', 'examples/program1.c']);
  assert.equal(c.status, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /MATCH: the same 4 system calls, and the same outcome \(ConnectionRefusedError: \[Errno 111\]/);
  const d = await cli(['compare', '--json', 'examples/program1.py', 'node examples/program1-dgram.mjs']);
  assert.equal(d.status, 1, d.stderr);
  const j = JSON.parse(d.stdout) as { right: { calls: string[] } };
  // The socket dgram made, and nothing of the runtime's own.
  assert.deepEqual(j.right.calls.map((l) => l.split('(')[0]), ['socket', 'bind', 'connect', 'sendmsg', 'recvmsg']);
  assert.match(j.right.calls[0], /SOCK_DGRAM\|SOCK_CLOEXEC\|SOCK_NONBLOCK/);
  const bad = await cli(['compare', 'examples/program1.py', 'test/fixtures/compare/missing.c']);
  assert.equal(bad.status, 2);
});

test('a multi-threaded program gets the same verdict on every run, however its threads interleave', { skip }, async () => {
  const verdicts = new Set<string>();
  // Two runs, each its own interleaving of the threads.
  for (let i = 0; i < 2; i++) {
    const r = await cli(['compare', '--json', '--deadline', String(slow), `${fixtures}/threads.py`, `${fixtures}/threads.py`]);
    const c = JSON.parse(r.stdout) as Json;
    assert.equal(r.status, 0, c.verdict);
    verdicts.add(c.left.outcome.text);
    assert.ok(c.left.calls.includes('accept4(A <unfinished ...>'), c.left.calls.join('\n'));
  }
  assert.deepEqual([...verdicts], [`blocked in accept4, recvfrom after ${slow.toFixed(1)} s`]);
});

test('threads that interleave differently match; a call made on another socket does not', async () => {
  const { sameOnEachSocket } = await import('../cli/compare.ts');
  const a = ['socket(AF_INET, SOCK_STREAM) = A', 'listen(A, 128) = 0', 'accept4(A <unfinished ...>',
    'socket(AF_INET, SOCK_DGRAM) = B', 'recvfrom(B <unfinished ...>'];
  const b = [a[0], a[1], a[3], a[2], a[4]];
  assert.ok(sameOnEachSocket(a, b));
  assert.ok(!sameOnEachSocket(a, [a[0], a[1], a[3], 'accept4(B <unfinished ...>', a[4]]));
  assert.ok(!sameOnEachSocket(a, a.slice(0, 4)));
});

test('a fixture that fails is said so beside the verdict', { skip }, async () => {
  const r = await cli(['compare', '--client', 'exit 3', 'experiments/14-udp-echo.py', 'experiments/14-udp-echo.ts', '--', 'server']);
  assert.match(r.stdout, /note: experiments\/14-udp-echo\.py: the client `exit 3` exited with status 3/);
  const s = await cli(['compare', '--server', 'exit 4', 'experiments/14-udp-echo.py', 'experiments/14-udp-echo.ts', '--', 'client']);
  assert.equal(s.status, 2);
  assert.match(s.stderr, /the server \(exit 4\) did not listen within 5 s \(it ended with status 4/);
});

test('--help says how sides run, the fixtures and the arguments', async () => {
  const r = await cli(['compare', '--help']);
  assert.equal(r.status, 0);
  for (const what of ['one after the other', '--server CMD', '--client CMD', '-- ARG', '--parallel', '.c is built with cc']) {
    assert.ok(r.stdout.replace(/\s+/g, ' ').includes(what), what);
  }
});
