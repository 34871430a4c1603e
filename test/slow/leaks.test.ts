// valgrind memcheck on the same program at N and 2N calls (Sync and Promise
// forms): no memory error, and nothing definitely lost that grows with N.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const valgrind = spawnSync('valgrind', ['--version']).status === 0;
const program = path.join(import.meta.dirname, '..', 'fixtures', 'calls.mjs');

function memcheck(n: number): { errors: number; lost: number; ours: string[] } {
  const r = spawnSync('valgrind', ['--leak-check=full', '--show-leak-kinds=definite', '--errors-for-leak-kinds=definite', '--num-callers=30',
    process.execPath, program, String(n)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr.slice(-3000));
  const errors = Number(/ERROR SUMMARY: (\d+) errors/.exec(r.stderr)?.[1] ?? NaN);
  const lost = Number((/definitely lost: ([\d,]+) bytes/.exec(r.stderr)?.[1] ?? '0').replace(/,/g, ''));
  // The loss records whose stack passes through the addon.
  const ours = r.stderr.split(/\n==\d+== \n/).filter((rec) => rec.includes('definitely lost') && rec.includes('sockcall.node'));
  return { errors, lost, ours };
}

test('valgrind: no memory error and no leak that grows with the number of calls', { skip: !valgrind && 'valgrind is not installed', timeout: 600_000 },
  () => {
    const small = memcheck(300);
    const large = memcheck(600);
    assert.equal(small.errors, 0);
    assert.equal(large.errors, 0);
    assert.deepEqual(large.ours, [], 'memory lost on a path through sockcall.node');
    assert.equal(large.lost, small.lost, `definitely lost: ${small.lost} bytes at 300 calls, ${large.lost} at 600`);
  });
