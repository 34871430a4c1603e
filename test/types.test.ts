// The shipped declarations catch a user's mistakes: tsc --strict over
// test/types/calls.ts, whose right calls compile and whose wrong ones are
// each an error (issue 14).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const dir = path.join(import.meta.dirname, 'types');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

test('tsc --strict: the right calls compile, and every wrong call is an error', () => {
  const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('tsc --strict: without their @ts-expect-error, each wrong line is reported, and no other', () => {
  const source = readFileSync(path.join(dir, 'calls.ts'), 'utf8');
  const lines = source.split('\n');
  const wrong = lines.flatMap((l, i) => (/^\s*\/\/ @ts-expect-error/.test(l) ? [i + 2] : []));  // the line after, 1-based
  assert.ok(wrong.length >= 10, `only ${wrong.length} wrong calls`);
  const tmp = mkdtempSync(path.join(dir, '.strip-'));
  try {
    writeFileSync(path.join(tmp, 'calls.ts'), lines.map((l) => l.replace(/\/\/ @ts-expect-error.*/, '//')).join('\n'));
    const config = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
    writeFileSync(path.join(tmp, 'tsconfig.json'), JSON.stringify(config));
    const r = spawnSync(process.execPath, [tsc, '-p', tmp], { encoding: 'utf8' });
    const reported = new Set([...r.stdout.matchAll(/calls\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])));
    assert.deepEqual([...reported].sort((a, b) => a - b), wrong);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
