#!/usr/bin/env node
// The `sockcall` command. Its tools are TypeScript, run through tsx (which
// also runs the .ts programs it compares).
import { register } from 'tsx/esm/api';

register();
await import('../tools/cli.ts');
