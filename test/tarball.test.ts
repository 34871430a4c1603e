// What `npm pack` puts in the tarball (issue 14): what the library, the
// CLI and a build from source need, and nothing only developers run; every
// source map carries its sources. Listed with --dry-run, scripts ignored
// (test/slow/ installs a real tarball).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const listing = () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
};

test('the tarball holds the library, the CLI as JavaScript, the sources to build from, LICENSE and README', () => {
  const files = listing();
  for (const f of ['package.json', 'LICENSE', 'README.md', 'bin/sockcall.js', 'binding.gyp', 'native/pool.cc',
    'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/package.json', 'dist/lib/python/builtins.js',
    'dist/cli/main.js', 'dist/cli/compare.js', 'dist/cli/explain-probe.js', 'dist/cli/lab/runner.js',
    'examples/program1.py', 'examples/program1.ts', 'experiments/suite.json']) {
    assert.ok(files.includes(f), `${f} is missing`);
  }
});

test('nothing only developers run ships: no tests, fuzzer, soak, bench, TypeScript sources of the CLI, twins', () => {
  const files = listing();
  const dev = files.filter((f) => /^(test|dev|bench|tools|cli|lib|scripts\/(?!install)|experiments\/twins|\.ci)\//.test(f) ||
    /\.tsbuildinfo$/.test(f));
  assert.deepEqual(dev, []);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  // Only what the library needs to load, and the headers a build from source needs.
  assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['bindings', 'node-addon-api']);
  assert.equal(pkg.peerDependenciesMeta.tsx && (pkg.peerDependenciesMeta.tsx as unknown as { optional: boolean }).optional, true);
});

test('every source map in the tarball carries the sources it points at', () => {
  const maps = listing().filter((f) => f.endsWith('.map'));
  assert.ok(maps.length > 10, 'no source maps: the test tests nothing');
  for (const m of maps) {
    const map = JSON.parse(readFileSync(path.join(root, m), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    assert.equal(map.sourcesContent?.length, map.sources.length, `${m} has no sourcesContent`);
    assert.ok(map.sourcesContent!.every((s) => typeof s === 'string' && s.length > 0), `${m} points at sources it lacks`);
  }
});
