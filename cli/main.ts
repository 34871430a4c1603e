// The `sockcall` command (usage() below says what each verb takes). Exit
// status of compare: 0 when the two match, 1 when they diverge, 2 when a
// side could not be run.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { python } from './strace.ts';
import { packageRoot } from './runtime.ts';
import {
  CannotRun, compare, comparisonJson, defaultStyle, formatComparison, type Comparison, type CompareOptions, type Style,
} from './compare.ts';

const root = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
const experimentsDir = path.join(root, 'experiments');

/**
 * An experiment of the suite (experiments/suite.json): NAME.py and NAME.ts,
 * run with `args` and beside a `server` or `client` fixture if it has one.
 */
interface Experiment {
  name: string; title: string; expect: string;
  args?: string[]; server?: string; client?: string;
  /** The experiment's row name, when one pair of programs is compared twice (as server and as client). */
  as?: string;
}

const USAGE = `usage: sockcall compare [options] PROGRAM_A PROGRAM_B [-- ARG...]
       sockcall compare --all [--json] [--deadline SECONDS] [NAME...]
       sockcall demo
       sockcall explain [--host HOST] [--port PORT] [--family 4|6] [--html FILE [--no-capture]]
       sockcall explain --lab KIND [--family 4|6] [--html FILE]
       sockcall lab [--matrix | --compare | KIND... | -- COMMAND] [--html FILE]   (sockcall lab --help)

compare runs PROGRAM_A and then PROGRAM_B, one after the other, each under
strace -f; keeps the system calls each makes on its own sockets (those
sockcall's trace names, for a program that uses it; those it made, but the C
library's, for any other); normalizes them (sockets A, B..., pointers PTR,
ports the kernel picked P1, P2...); and shows them side by side, with each
program's stdout (ports and fd= named the same way) and how it ended. A program is a file (.py runs with python3, .ts with tsx, .js with
node, .c is built with cc) or a command in quotes ("node dgram.js").

  -- ARG...          arguments given to both programs
  --server CMD       start CMD (sh -c) before each program, wait until it listens,
                     stop it after the program: two clients against one server
  --client CMD       start CMD once each program listens (a TCP listen, a bound
                     UDP socket); when CMD ends, the program has 0.5 s to end
  --deadline S       seconds a program may run before it counts as blocked (2)
  --parallel         run both programs at once (no fixture; faster)
  --json             the comparison as JSON
  --html FILE        also write FILE: one HTML page, the calls of both programs on
                     a time line with their threads, each socket's kernel state and
                     the packets on lo (captured beside each program when run as root)
  --no-capture       with --html: do not capture packets (the wire lane says so)
  --all              the experiment suite of experiments/ (suite.json)

Exit status: 0 the two match, 1 they diverge, 2 a program could not be run.
Example, from experiments/:
  sockcall compare --client 'python3 14-udp-echo.py client' 14-udp-echo.py 14-udp-echo.ts -- server
  sockcall compare --server 'python3 14-udp-echo.py server' 14-udp-echo.py 14-udp-echo.ts -- client
`;

function usage(): never {
  process.stderr.write(USAGE);
  process.exit(2);
}

function parse(argv: string[]): { flags: Map<string, string | true>; rest: string[]; args: string[] } {
  const flags = new Map<string, string | true>();
  const rest: string[] = [];
  const valued = new Set(['--deadline', '--host', '--port', '--family', '--server', '--client', '--html']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return { flags, rest, args: argv.slice(i + 1) };
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    if (a.startsWith('--')) {
      const [k, v] = a.split('=', 2);
      if (valued.has(k)) flags.set(k, v ?? argv[++i] ?? usage());
      else flags.set(k, true);
    } else {
      rest.push(a);
    }
  }
  return { flags, rest, args: [] };
}

// 2 s unless --deadline says otherwise; SOCKCALL_COMPARE_DEADLINE changes
// the default (the sanitizer run, where everything starts slower, sets it).
const defaultDeadline = Number(process.env.SOCKCALL_COMPARE_DEADLINE) || 2;

function deadlineOf(flags: Map<string, string | true>): number {
  const d = flags.get('--deadline');
  if (d === undefined) return defaultDeadline;
  const n = Number(d);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`sockcall: --deadline must be a number of seconds, got ${String(d)}\n`);
    process.exit(2);
  }
  return n;
}

export function experiments(): Experiment[] {
  return JSON.parse(readFileSync(path.join(experimentsDir, 'suite.json'), 'utf8')) as Experiment[];
}

export interface SuiteRow {
  name: string;
  title: string;
  expect: string;
  python: string;
  typescript: string;
  callsMatch: boolean;
  outcomesMatch: boolean;
  asExpected: boolean;
  comparison: Comparison;
}

export async function runSuite(deadline = defaultDeadline, only?: string[]): Promise<SuiteRow[]> {
  const rows: SuiteRow[] = [];
  for (const e of experiments()) {
    const name = e.as ?? e.name;
    if (only && !only.includes(name) && !only.includes(e.name)) continue;
    // A fixture's python3 is the real interpreter, not a shim in front of it.
    const fixture = (cmd: string | undefined) => cmd?.replace(/(^|; )python3 /g, `$1${python()} `);
    const c = await compare(`${e.name}.py`, `${e.name}.ts`,
      { deadline, cwd: experimentsDir, args: e.args, server: fixture(e.server), client: fixture(e.client) });
    const asExpected = [c.left.outcome.text, c.right.outcome.text].every((t) => t.startsWith(e.expect));
    rows.push({ name, title: e.title, expect: e.expect, python: c.left.outcome.text,
      typescript: c.right.outcome.text, callsMatch: c.callsMatch, outcomesMatch: c.outcomesMatch && c.outputsMatch,
      asExpected, comparison: c });
  }
  return rows;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

function formatSuite(rows: SuiteRow[], style: Style): string {
  const short = (t: string) => t.replace(/ \(exit status 1\)$/, '');
  const ok = (r: SuiteRow) => r.callsMatch && r.outcomesMatch && r.asExpected;
  const body = table(['experiment', 'Python outcome', 'TypeScript outcome', 'match'],
    rows.map((r) => [r.name, short(r.python), short(r.typescript),
      ok(r) ? 'yes' : !r.callsMatch ? 'NO: calls differ' : !r.asExpected ? 'NO: not as expected' : 'NO: output or outcome']));
  const notes = rows.flatMap((r) => r.comparison.warning ? r.comparison.warning.split('\n').map((w) => `note: ${r.name}: ${w}`) : []);
  const all = rows.every(ok);
  const verdict = all ? `all ${rows.length} experiments matched` : `${rows.filter((r) => !ok(r)).length} of ${rows.length} experiments diverged`;
  return body + (notes.length ? '\n' + notes.join('\n') + '\n' : '') + '\n' +
    (style.color ? `\x1b[${all ? 32 : 31}m${verdict}\x1b[0m` : verdict) + '\n';
}

async function cmdCompare(argv: string[]): Promise<number> {
  const { flags, rest, args } = parse(argv);
  const deadline = deadlineOf(flags);
  const style = defaultStyle(process.stdout);
  if (flags.has('--all') && flags.has('--html')) {
    process.stderr.write('sockcall compare: --html draws one comparison, not --all\n');
    return 2;
  }
  if (flags.has('--all')) {
    const rows = await runSuite(deadline, rest.length ? rest : undefined);
    if (flags.has('--json')) {
      process.stdout.write(JSON.stringify(rows.map((r) => ({ ...r, comparison: comparisonJson(r.comparison) })), null, 2) + '\n');
    } else {
      process.stdout.write(formatSuite(rows, style));
    }
    return rows.every((r) => r.callsMatch && r.outcomesMatch && r.asExpected) ? 0 : 1;
  }
  if (rest.length !== 2) usage();
  const text = (k: string) => { const v = flags.get(k); return typeof v === 'string' ? v : undefined; };
  const html = text('--html');
  const options: CompareOptions = { deadline, args, server: text('--server'), client: text('--client'),
    parallel: flags.has('--parallel'), capture: html !== undefined && !flags.has('--no-capture') };
  try {
    const c = await compare(rest[0], rest[1], options);
    process.stdout.write(flags.has('--json') ? JSON.stringify(comparisonJson(c), null, 2) + '\n' : formatComparison(c, style));
    if (html !== undefined) await writeTimeline(html, c, flags.has('--no-capture'));
    return c.match ? 0 : 1;
  } catch (err) {
    if (err instanceof CannotRun) {
      process.stderr.write(`sockcall compare: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/** compare --html: the comparison's page (cli/timeline.ts, cli/html.ts). */
async function writeTimeline(file: string, c: Comparison, noCapture: boolean): Promise<void> {
  const { compareTimeline } = await import('./timeline.ts');
  const { renderTimeline } = await import('./html.ts');
  writeFileSync(file, renderTimeline(compareTimeline(c, { noCapture: noCapture ? '--no-capture was given' : undefined })));
  process.stderr.write(`sockcall compare: wrote ${file}\n`);
}

async function main(): Promise<number> {
  const [command, ...argv] = process.argv.slice(2);
  switch (command) {
    case 'compare':
      return cmdCompare(argv);
    case 'demo':
      return (await import('./demo.ts')).demo();
    case 'explain':
      return (await import('./explain.ts')).explain(argv);
    // The lab (network namespaces, root only): cli/lab/.
    case 'lab':
      return (await import('./lab/main.ts')).lab(argv);
    default:
      return usage();
  }
}

process.exitCode = await main();
