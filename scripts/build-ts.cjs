// npm run build:ts: lib/ to dist/lib as CommonJS (with its declarations),
// marked so by dist/lib/package.json, and the CLI (cli/) to dist/cli as ES
// modules, which the package's own "type": "module" makes them (and so
// their `import ... from 'sockcall'` is the package's self-reference). What
// was there before is removed first, so that nothing stale ships.
const { execFileSync } = require('node:child_process');
const { rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const build = (project) => execFileSync(process.execPath, [tsc, '-p', path.join(root, project)], { stdio: 'inherit' });
build('tsconfig.json');
// Before the CLI is compiled: it imports 'sockcall', whose declarations tsc
// reads as CommonJS only once this says so.
writeFileSync(path.join(root, 'dist', 'lib', 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
build('tsconfig.cli.json');
