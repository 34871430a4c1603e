// The fuzzer, with a fixed seed, for 4 s (30 s in the slow tier and on the sanitizer build,
// test/slow/sanitizers.test.ts; longer with SOCKCALL_FUZZ_SECONDS): no crash, no hang, and
// every error a TypeError, RangeError, or an OSError whose errno a system
// call in the trace returned (dev/fuzz.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from '../dev/fuzz.ts';

const seconds = Number(process.env.SOCKCALL_FUZZ_SECONDS ?? (process.env.SOCKCALL_FULL === '1' ? 30 : 4));

test(`fuzz: seed 20261127, ${seconds} s`, { timeout: (seconds + 120) * 1000 }, async () => {
  const r = await fuzz(20261127, 10_000_000, seconds);
  assert.deepEqual(r.failures, []);
  assert.ok(r.calls > 1000, `only ${r.calls} calls were made`);
  // Every kind of outcome was reached: the fuzzer did more than trip on its arguments.
  for (const kind of ['returned', 'TypeError', 'RangeError', 'OSError', 'AbortError', 'SocketClosedError']) {
    assert.ok((r.outcomes[kind] ?? 0) > 0, `no call ended with ${kind}: ${JSON.stringify(r.outcomes)}`);
  }
});
