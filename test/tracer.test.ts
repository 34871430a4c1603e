// SOCKCALL_TRACE: every system call sockcall makes, in strace's syntax. Each
// TypeScript twin runs under strace with the tracer on; after the same
// normalization, the tracer's lines are strace's lines for the script's
// sockets, call for call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { normalize, programCalls, tracerCalls } from '../tools/calls.ts';
import { straceWorks, traceRun } from '../tools/strace.ts';
import { ms } from './helpers/slow.ts';

const dir = path.join(import.meta.dirname, 'twins');
const experiments = path.join(import.meta.dirname, '..', 'experiments');
const programs = [
  ...readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'repr.ts').map((f) => path.join(dir, f)),
  ...readdirSync(experiments).filter((f) => f.endsWith('.ts')).map((f) => path.join(experiments, f)),
].sort();
const strace = straceWorks();
const skip = strace.ok ? false : strace.why;

for (const program of programs) {
  test(`${path.basename(program)}: the tracer's lines are strace's`, { skip }, async () => {
    const r = await traceRun([process.execPath, '--import', 'tsx', program], { cwd: path.dirname(program), deadlineMs: ms(3000) });
    if (path.dirname(program) === dir) assert.equal(r.stderr, '');
    assert.equal(r.tracer.length, 1, 'one process loaded the addon and wrote its trace');
    const traced = r.tracer[0].calls;
    assert.ok(traced.length > 0);
    // Each line carries its duration; a poll that timed out lasted its timeout.
    for (const c of traced) {
      assert.equal(typeof c.seconds, 'number', `${c.name}: no duration`);
      const timeout = c.name === 'poll' && c.result === '0 (Timeout)' ? Number(/, (\d+)$/.exec(c.args)?.[1]) : 0;
      assert.ok(c.seconds! >= timeout / 1000 * 0.9, `${c.name}(${c.args}) timed out after ${c.seconds} s`);
    }
    // Every line the tracer wrote is found in strace's trace, and the
    // calls strace shows on the sockets they name are exactly the tracer's:
    // none of the runtime's, none missing (a call still blocked at the
    // deadline has no line of the tracer's yet).
    const selected = programCalls(r.calls, r.tracer);
    assert.deepEqual(selected.unmatched, []);
    const straced = { ...selected, calls: selected.calls.filter((c) => !c.tokens.call.unfinished) };
    assert.deepEqual(normalize(tracerCalls(r.tracer)).lines, normalize(straced).lines);
  });
}

test('SOCKCALL_TRACE=1 writes to stderr, and a worker thread\'s calls carry its thread id', async () => {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', 'examples', 'program1.ts')],
    { encoding: 'utf8', env: { ...process.env, SOCKCALL_TRACE: '1' } });
  const lines = r.stderr.split('\n').filter((l) => /^(\[pid +\d+\] )?\w+\(/.test(l));
  assert.match(lines[0], /^socket\(AF_INET, SOCK_DGRAM\|SOCK_CLOEXEC, IPPROTO_IP\) = \d+ <\d+\.\d{6}>$/);
  assert.match(lines[lines.length - 1],
    /^\[pid +\d+\] recvfrom\(\d+, 0x[0-9a-f]+, 65535, 0, 0x[0-9a-f]+, \[16\]\) = -1 ECONNREFUSED \(Connection refused\) <\d+\.\d{6}>$/);
});
