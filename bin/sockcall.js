#!/usr/bin/env node
// The `sockcall` command: the CLI as tsc compiled it (dist/cli, made by
// `npm run build:ts`, shipped in the package). No TypeScript compiler runs
// here; a .ts program to compare runs with Node's type stripping or tsx
// (cli/runtime.ts).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('sockcall: dist/cli/main.js is missing: run `npm run build:ts` in the package\n');
  process.exit(2);
}
await import(main.href);
