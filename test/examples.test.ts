// The article's programs, Python and TypeScript, side by side under strace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { programLines } from '../cli/calls.ts';
import { errorLine, python, straceWorks, traceRun } from '../cli/strace.ts';
import { ms } from './helpers/slow.ts';

const root = path.join(import.meta.dirname, '..');
const strace = straceWorks();
const PY = python();
const tsx = (file: string) => [process.execPath, '--import', 'tsx', path.join(root, file)];

test('program1.ts makes the same socket, connect, sendto and recvfrom as program1.py, and fails the same way',
  { skip: strace.ok ? false : strace.why }, async () => {
    const p = await traceRun([PY, path.join(root, 'examples/program1.py')], { cwd: root });
    const t = await traceRun(tsx('examples/program1.ts'), { cwd: root });
    const py = programLines(p);
    const ts = programLines(t);
    assert.deepEqual(py.body, [
      'socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = A',
      'connect(A, {sa_family=AF_INET, sin_port=htons(1060), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
      'sendto(A, "123", 3, 0, NULL, 0) = 3',
      'recvfrom(A, PTR, 65535, 0, PTR, [16]) = -1 ECONNREFUSED (Connection refused)',
    ]);
    // CPython's finalizer of the unclosed socket; Node has none.
    assert.deepEqual(py.teardown.map((l) => l.split('(')[0]), ['getsockname', 'getpeername', 'close']);
    assert.deepEqual(ts.body, py.body);
    assert.equal(errorLine(p.stderr), 'ConnectionRefusedError: [Errno 111] Connection refused');
    assert.equal(errorLine(t.stderr), errorLine(p.stderr));
    assert.equal(p.status, 1);
    assert.equal(t.status, 1);
  });

test('program1.ts ends with the error line and status 1 without strace too', async () => {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(tsx('examples/program1.ts')[0], tsx('examples/program1.ts').slice(1), { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 1);
  assert.equal(errorLine(r.stderr), 'ConnectionRefusedError: [Errno 111] Connection refused');
  // Python's traceback shape: the user's line, not sockcall's internals.
  assert.match(r.stderr, /^Traceback \(most recent call last\):\n {2}File ".*program1\.ts", line \d+, in <module>\n/);
  assert.doesNotMatch(r.stderr, /dist\/lib|node:internal/);
});

test('program2.ts blocks in recvfrom like program2.py, and the process stays alive while it waits',
  { skip: strace.ok ? false : strace.why }, async () => {
    const p = await traceRun([PY, path.join(root, 'examples/program2.py')], { cwd: root, deadlineMs: ms(3000) });
    const t = await traceRun(tsx('examples/program2.ts'), { cwd: root, deadlineMs: ms(3000) });
    assert.ok(p.timedOut && t.timedOut, 'both programs are still running at the deadline');
    const py = programLines(p).body;
    const ts = programLines(t).body;
    assert.equal(py[py.length - 1], 'recvfrom(A <unfinished ...>');
    assert.deepEqual(ts, py);
  });
