// SOCKCALL_TRACE: every system call sockcall makes, in strace's syntax, to
// stderr or to a file of the user's alone. (That its lines are strace's is
// held for every twin in twins.test.ts and every experiment by compare.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseTrace } from '../cli/strace.ts';

const root = path.join(import.meta.dirname, '..');
const program1 = path.join(root, 'examples', 'program1.ts');
const tsx = (file: string, env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });

test('SOCKCALL_TRACE=1 writes to stderr, and a worker thread\'s calls carry its thread id', () => {
  const r = tsx(program1, { SOCKCALL_TRACE: '1' });
  const lines = r.stderr.split('\n').filter((l) => /^(\[pid +\d+\] )?\w+\(/.test(l));
  assert.match(lines[0], /^socket\(AF_INET, SOCK_DGRAM\|SOCK_CLOEXEC, IPPROTO_IP\) = \d+ <\d+\.\d{6}>$/);
  assert.match(lines[lines.length - 1],
    /^\[pid +\d+\] recvfrom\(\d+, 0x[0-9a-f]+, 65535, 0, 0x[0-9a-f]+, \[16\]\) = -1 ECONNREFUSED \(Connection refused\) <\d+\.\d{6}>$/);
});

test('each line carries how long the call took: a poll that timed out lasted its timeout', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockcall-trace-'));
  try {
    tsx(path.join(root, 'experiments', '09-timeout.ts'), { SOCKCALL_TRACE: path.join(dir, 'trace') });
    const calls = parseTrace(readFileSync(path.join(dir, 'trace'), 'utf8'));
    const poll = calls.find((c) => c.name === 'poll' && c.result === '0 (Timeout)');
    assert.ok(poll, 'the poll that timed out was traced');
    assert.ok(poll.seconds! >= 0.2 * 0.95, `poll(..., 200) timed out after ${poll.seconds} s`);
    for (const c of calls) assert.ok(c.seconds! < 5, `${c.name} lasted ${c.seconds} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the trace file: %p is the process id, the mode is 0600, and a new file is made', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockcall-trace-'));
  try {
    const r = tsx(program1, { SOCKCALL_TRACE: path.join(dir, 'trace.%p') });
    assert.equal(r.status, 1);
    const files = spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.trim().split('\n');
    assert.equal(files.length, 1);
    assert.match(files[0], /^trace\.\d+$/);
    const st = statSync(path.join(dir, files[0]));
    assert.equal(st.mode & 0o777, 0o600, 'the trace holds received data: the user\'s alone');
    assert.match(readFileSync(path.join(dir, files[0]), 'utf8'), /^socket\(AF_INET/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a trace path that is a symlink, a FIFO or a directory is refused with one line on stderr, and the program runs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockcall-trace-'));
  try {
    const target = path.join(dir, 'elsewhere');
    symlinkSync(target, path.join(dir, 'link'));
    assert.equal(spawnSync('mkfifo', [path.join(dir, 'fifo')]).status, 0);
    mkdirSync(path.join(dir, 'sub'));
    for (const [name, why] of [['link', 'it is a symbolic link'], ['fifo', 'No such device or address'],
      ['sub', 'Is a directory']] as const) {
      const r = tsx(program1, { SOCKCALL_TRACE: path.join(dir, name) });
      const notes = r.stderr.split('\n').filter((l) => l.startsWith('sockcall:'));
      assert.deepEqual(notes, [`sockcall: SOCKCALL_TRACE: cannot open ${path.join(dir, name)}: ${why}; tracing is off`]);
      assert.equal(r.status, 1, 'the program ran to its own error (no hang on the FIFO)');
      assert.match(r.stderr, /ConnectionRefusedError: \[Errno 111\]/);
    }
    assert.ok(!existsSync(target), 'the symlink was not followed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a program that closes the tracer\'s fd does not get its lines written into the socket that takes the number', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockcall-trace-'));
  try {
    const trace = path.join(dir, 'trace');
    const r = spawnSync(process.execPath, [path.join(import.meta.dirname, 'fixtures', 'close-trace.mjs')],
      { encoding: 'utf8', env: { ...process.env, SOCKCALL_TRACE: trace }, timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { reused: true, got: '' });
    assert.match(r.stderr, /sockcall: SOCKCALL_TRACE: its file descriptor \d+ was closed or reused by the program; tracing is off/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
