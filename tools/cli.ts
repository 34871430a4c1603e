// The `sockcall` command:
//   sockcall compare [--json] [--deadline S] A.py B.ts   two programs side by side
//   sockcall compare --all [--json] [--deadline S]       the experiment suite
//   sockcall demo                                        the article's programs, explained
//   sockcall explain [--host H] [--port P] [--family 4|6]
// Exit status of compare: 0 when the two match, 1 when they diverge, 2 when
// a side could not be run.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CannotRun, compare, defaultStyle, formatComparison, type Comparison, type Style } from './compare.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const experimentsDir = path.join(root, 'experiments');

interface Experiment { name: string; title: string; expect: string }

function usage(): never {
  process.stderr.write(
    'usage: sockcall compare [--json] [--deadline SECONDS] PROGRAM_A PROGRAM_B\n' +
    '       sockcall compare --all [--json] [--deadline SECONDS]\n' +
    '       sockcall demo\n' +
    '       sockcall explain [--host HOST] [--port PORT] [--family 4|6]\n');
  process.exit(2);
}

function parse(argv: string[]): { flags: Map<string, string | true>; rest: string[] } {
  const flags = new Map<string, string | true>();
  const rest: string[] = [];
  const valued = new Set(['--deadline', '--host', '--port', '--family']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [k, v] = a.split('=', 2);
      if (valued.has(k)) flags.set(k, v ?? argv[++i] ?? usage());
      else flags.set(k, true);
    } else {
      rest.push(a);
    }
  }
  return { flags, rest };
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
    if (only && !only.includes(e.name)) continue;
    const c = await compare(path.join(experimentsDir, `${e.name}.py`), path.join(experimentsDir, `${e.name}.ts`),
      { deadline, cwd: experimentsDir });
    const asExpected = [c.left.outcome.text, c.right.outcome.text].every((t) => t.startsWith(e.expect));
    rows.push({ name: e.name, title: e.title, expect: e.expect, python: c.left.outcome.text,
      typescript: c.right.outcome.text, callsMatch: c.callsMatch, outcomesMatch: c.outcomesMatch, asExpected,
      comparison: c });
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
  const body = table(['scenario', 'Python outcome', 'TypeScript outcome', 'syscalls match'],
    rows.map((r) => [r.name, short(r.python), short(r.typescript),
      r.callsMatch && r.outcomesMatch && r.asExpected ? 'yes' : r.callsMatch ? 'outcome differs' : 'NO']));
  const all = rows.every((r) => r.callsMatch && r.outcomesMatch && r.asExpected);
  const verdict = all ? `all ${rows.length} experiments matched` : `${rows.filter((r) => !(r.callsMatch && r.outcomesMatch && r.asExpected)).length} of ${rows.length} experiments diverged`;
  return body + '\n' + (style.color ? `\x1b[${all ? 32 : 31}m${verdict}\x1b[0m` : verdict) + '\n';
}

async function cmdCompare(argv: string[]): Promise<number> {
  const { flags, rest } = parse(argv);
  const deadline = deadlineOf(flags);
  const style = defaultStyle(process.stdout);
  if (flags.has('--all')) {
    const rows = await runSuite(deadline, rest.length ? rest : undefined);
    if (flags.has('--json')) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    else process.stdout.write(formatSuite(rows, style));
    return rows.every((r) => r.callsMatch && r.outcomesMatch && r.asExpected) ? 0 : 1;
  }
  if (rest.length !== 2) usage();
  try {
    const c = await compare(rest[0], rest[1], { deadline });
    process.stdout.write(flags.has('--json') ? JSON.stringify(c, null, 2) + '\n' : formatComparison(c, style));
    return c.match ? 0 : 1;
  } catch (err) {
    if (err instanceof CannotRun) {
      process.stderr.write(`sockcall compare: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
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
    default:
      return usage();
  }
}

process.exitCode = await main();
