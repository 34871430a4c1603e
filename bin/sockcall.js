#!/usr/bin/env node
// The `sockcall` command. The CLI (cli/) is TypeScript, run through tsx (which
// also runs the .ts programs it compares).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
