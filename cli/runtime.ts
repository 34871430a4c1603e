// How the CLI finds its package and runs programs: its own helper scripts
// (the explain probe, the capture, the lab's runner), and a user's
// TypeScript program.
//
// The CLI runs as the JavaScript tsc made of it (dist/cli), with no
// TypeScript compiler at run time; from a checkout's cli/*.ts (the tests)
// it runs through tsx, a development dependency.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The package's root: the nearest directory above `from` with sockcall's package.json. */
export function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'sockcall') return dir;
      } catch {
        // another package.json (dist/'s own marks the module kind): go on up
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`sockcall's package.json was not found above ${from}`);
  }
}

/** tsx's loader, from `from`'s node_modules or sockcall's own, or null. */
function tsxLoader(from: string): string | null {
  for (const base of [path.join(from, 'noop.js'), import.meta.url]) {
    try {
      const pkg = createRequire(base).resolve('tsx/package.json');
      return pathToFileURL(path.join(path.dirname(pkg), 'dist', 'loader.mjs')).href;
    } catch {
      // not there
    }
  }
  return null;
}

/**
 * The command that runs one of the CLI's own scripts beside `dir`: its
 * compiled .js with this node, or, in a checkout running cli/*.ts, the .ts
 * through tsx.
 */
export function ownScript(dir: string, name: string): string[] {
  const js = path.join(dir, `${name}.js`);
  if (existsSync(js)) return [process.execPath, js];
  const loader = tsxLoader(dir);
  if (loader === null) throw new Error(`${name}: neither ${js} (npm run build:ts makes it) nor tsx to run ${name}.ts`);
  return [process.execPath, '--import', loader, path.join(dir, `${name}.ts`)];
}

/** Why a TypeScript program cannot be run here. */
export class NoTypeScript extends Error {}

/**
 * Whether this Node's V8 parses `using` and `await using` declarations
 * (explicit resource management: V8 13.4, Node 24; Node 22's V8 12.4 does
 * not). Type stripping only erases types, so on a Node without them a port
 * that writes Python's `with` as `using` is a SyntaxError.
 */
function parsesUsing(): boolean {
  try {
    new Function('{ using x = null; }');
    return true;
  } catch {
    return false;
  }
}

/**
 * How a user's TypeScript program is run: with Node's own type stripping
 * where the Node line has it (on by default from 22.18 and 23.6, behind
 * --experimental-strip-types from 22.6), its warning silenced so that
 * stderr is the program's; else through tsx, from the program's project or
 * from sockcall's. Where the Node line strips types but cannot parse
 * `using` (Node 22), tsx, which lowers it, is preferred when there is one.
 */
export function typeScriptRunner(program: string): string[] {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const features = process.features as { typescript?: string | false };
  const quiet = '--disable-warning=ExperimentalWarning';
  const loader = tsxLoader(path.dirname(path.resolve(program)));
  const strips = typeof features.typescript === 'string' ? [process.execPath, quiet]
    : major > 22 || (major === 22 && minor >= 6) ? [process.execPath, '--experimental-strip-types', quiet] : null;
  if (strips !== null && (loader === null || parsesUsing())) return strips;
  if (loader !== null) return [process.execPath, '--import', loader];
  throw new NoTypeScript(`${program}: Node ${process.versions.node} cannot run TypeScript by itself (Node 22.6 and later ` +
    'strip types): install tsx in the project (npm install --save-dev tsx), or compare the compiled .js');
}
