// A short soak (dev/soak.ts at 0.1 of full scale; the full one is in
// test/slow): RSS, threads and fds back within bounds after warm-up, and
// every datagram received.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

test('soak: 100,000 Sync and 10,000 Promise-form calls with aborts and closes leave nothing behind', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx',
    path.join(import.meta.dirname, '..', 'dev', 'soak.ts'), '--scale', '0.1', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const s = JSON.parse(r.stdout) as { problems: string[]; sent: number; received: number; aborted: number; closed: number;
    syncCalls: number; asyncCalls: number; rssJudged: boolean };
  assert.deepEqual(s.problems, []);
  // RSS is judged in every run but the AddressSanitizer one (dev/soak.ts).
  assert.equal(s.rssJudged, !/libasan/.test(process.env.LD_PRELOAD ?? ''));
  assert.equal(s.syncCalls, 100_000);
  assert.equal(s.asyncCalls, 10_000);
  assert.ok(s.aborted > 0 && s.closed > 0);
  assert.equal(s.received, s.sent);
});
