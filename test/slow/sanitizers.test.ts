// The addon built with AddressSanitizer and UndefinedBehaviorSanitizer
// (scripts/build-sanitized.cjs), and the fast tier of the suite (test/*.test.ts,
// npm test) with a longer fuzz run on it, the sanitizer runtimes preloaded into node (which is not itself
// instrumented). Any report aborts the process that made it, so a report is
// a failed test; the output is searched for reports as well.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

const root = path.join(import.meta.dirname, '..', '..');
const runtime = (name: string) => spawnSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).stdout.trim();
const asan = runtime('libasan.so');
const ubsan = runtime('libubsan.so');
const have = existsSync(asan) && existsSync(ubsan);

test('the test suite and a fuzz run on the AddressSanitizer + UBSan build: no report', {
  skip: !have && 'gcc\'s libasan and libubsan are not installed', timeout: 40 * 60_000,
}, () => {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-sanitized.cjs')], { encoding: 'utf8', cwd: root });
  assert.equal(build.status, 0, build.stdout + build.stderr);
  const addon = build.stdout.trim().split('\n').pop()!;
  assert.ok(existsSync(addon), addon);
  // The fast tier; valgrind's tier (test/slow) cannot run under ASan.
  const files = readdirSync(path.join(root, 'test')).filter((f) => f.endsWith('.test.ts')).map((f) => path.join('test', f));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SOCKCALL_ADDON: addon,
    LD_PRELOAD: `${asan}:${ubsan}`,
    // Node's own allocations outlive exit by design: leaks are valgrind's part.
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1:halt_on_error=1',
    UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
    SOCKCALL_TEST_SLOWDOWN: '4',
    SOCKCALL_COMPARE_DEADLINE: '6',
    SOCKCALL_FUZZ_SECONDS: '30',
  };
  // Set by node --test in its children; a nested run that sees it runs nothing.
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files],
    { encoding: 'utf8', cwd: root, env, maxBuffer: 256 << 20 });
  const out = r.stdout + r.stderr;
  assert.doesNotMatch(out, /ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer/, out.slice(-4000));
  // A failed subtest's own block (its error and the child's output), not the
  // run's tail, which names only the files that passed last.
  const lines = out.split('\n');
  const failed = lines.flatMap((l, i) => l.startsWith('not ok') ? [lines.slice(i, i + 60).join('\n')] : []);
  assert.deepEqual(failed, [], failed.join('\n\n').slice(0, 12000));
  assert.equal(r.status, 0, out.slice(-4000));
  assert.match(out, /^# pass [1-9]\d*$/m);
});
