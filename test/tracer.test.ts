// SOCKCALL_TRACE: every system call sockcall makes, in strace's syntax. Each
// TypeScript twin runs under strace with the tracer on; after the same
// normalization, the tracer's lines are strace's lines for the script's
// sockets, call for call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { normalize, parseTrace, scriptCalls, straceWorks, traceRun } from '../tools/strace.ts';
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
    const tmp = mkdtempSync(path.join(tmpdir(), 'sockcall-trace-'));
    const out = path.join(tmp, 'trace');
    try {
      const r = await traceRun([process.execPath, '--import', 'tsx', program],
        { cwd: path.dirname(program), env: { ...process.env, SOCKCALL_TRACE: out }, deadlineMs: ms(3000) });
      if (path.dirname(program) === dir) assert.equal(r.stderr, '');
      const traced = parseTrace(readFileSync(out, 'utf8'));
      assert.ok(traced.length > 0);
      assert.ok(traced.every((c) => c.seconds >= 0));
      // A call still blocked at the deadline has no line of the tracer's yet.
      assert.deepEqual(normalize(scriptCalls(traced)), normalize(scriptCalls(r.calls.filter((c) => !c.unfinished))));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
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
