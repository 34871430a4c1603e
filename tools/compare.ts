// `sockcall compare A B`: runs two socket programs (a Python original and its
// TypeScript port, usually) under strace, keeps the system calls each made on
// its own sockets, normalizes them, and lines them up row by row.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  normalize, parseTrace, python, scriptCalls, splitTeardown, straceWorks, traceRun, type Syscall,
  type TraceResult,
} from './strace';

export interface Side {
  /** The program as given. */
  program: string;
  /** The command that ran it. */
  command: string[];
  /** The normalized calls the script made on its sockets. */
  calls: string[];
  /** Calls the runtime made on its way out (CPython's finalizer of an unclosed socket). */
  teardown: string[];
  outcome: Outcome;
  stdout: string;
  stderr: string;
  /** Where the calls come from: strace, or sockcall's own tracer when strace cannot run. */
  source: 'strace' | 'tracer' | 'none';
}

export interface Outcome {
  /** One line: the error line and exit status, "exit status 0", or "blocked in recvfrom after 2.0 s". */
  text: string;
  /** The uncaught error's last line, module prefix dropped ("socket.gaierror" is "gaierror"). */
  error: string | null;
  status: number | null;
  signal: string | null;
  /** The call still pending when the deadline ended the program. */
  blockedIn: string | null;
}

export interface Row {
  left: string | null;
  right: string | null;
  same: boolean;
  /** The row is a runtime's teardown, shown but not counted. */
  teardown: boolean;
}

export interface Comparison {
  left: Side;
  right: Side;
  rows: Row[];
  callsMatch: boolean;
  outcomesMatch: boolean;
  match: boolean;
  /** Why system calls were not compared, with the fix (strace missing, ptrace refused). */
  warning: string | null;
  verdict: string;
}

export class CannotRun extends Error {}

export interface CompareOptions {
  /** Seconds a program may run before it counts as blocked. Default 2. */
  deadline?: number;
  cwd?: string;
}

const require_ = createRequire(import.meta.url);

/** How a program file is run: Python with the real interpreter, TypeScript with tsx, JavaScript with node. */
export function commandFor(program: string): string[] {
  const ext = path.extname(program);
  if (ext === '.py') return [python(), program];
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') {
    const tsx = pathToFileURL(path.join(path.dirname(require_.resolve('tsx/package.json')), 'dist', 'loader.mjs'));
    return [process.execPath, '--import', tsx.href, program];
  }
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs') return [process.execPath, program];
  throw new CannotRun(`${program}: cannot tell how to run a "${ext}" file (.py, .ts or .js)`);
}

function outcomeOf(r: { status: number | null; signal: string | null; stderr: string; timedOut: boolean },
  calls: Syscall[], deadline: number): Outcome {
  if (r.timedOut) {
    const pending = [...calls].reverse().find((c) => c.unfinished);
    const name = pending?.name ?? null;
    return { text: `blocked in ${name ?? 'the program'} after ${deadline.toFixed(1)} s`, error: null, status: null,
      signal: null, blockedIn: name };
  }
  // An uncaught error's line, "Name: message": Python's and the facade's
  // last line; in Node's own report, the line before the stack.
  const lines = r.stderr.split('\n').map((l) => l.trimEnd());
  const last = r.status === 0 ? undefined
    : [...lines].reverse().find((l) => /^[\w.]*(Error|Exception|error|Interrupt)(: .*)?$/.test(l));
  const error = last === undefined ? null : last.replace(/^socket\./, '');
  const status = r.status;
  const text = r.signal ? `killed by ${r.signal}`
    : error ? `${error} (exit status ${status})` : `exit status ${status}`;
  return { text, error, status, signal: r.signal, blockedIn: null };
}

async function runSide(program: string, options: Required<CompareOptions>, useStrace: boolean): Promise<Side> {
  const command = commandFor(program);
  const tmp = mkdtempSync(path.join(tmpdir(), 'sockcall-compare-'));
  const traceFile = path.join(tmp, 'trace');
  const env = { ...process.env, SOCKCALL_TRACE: traceFile, SOCKCALL_TRACEBACK: process.env.SOCKCALL_TRACEBACK };
  try {
    let r: TraceResult;
    let source: Side['source'];
    let calls: Syscall[];
    if (useStrace) {
      r = await traceRun(command, { deadlineMs: options.deadline * 1000, cwd: options.cwd, env });
      calls = r.calls;
      source = 'strace';
    } else {
      r = await plainRun(command, options.deadline * 1000, options.cwd, env);
      calls = existsSync(traceFile) ? parseTrace(readFileSync(traceFile, 'utf8')) : [];
      source = calls.length > 0 ? 'tracer' : 'none';
    }
    const { body, teardown } = splitTeardown(normalize(scriptCalls(calls)));
    return { program, command, calls: body, teardown, outcome: outcomeOf(r, calls, options.deadline),
      stdout: r.stdout, stderr: r.stderr, source };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function plainRun(argv: string[], deadlineMs: number, cwd: string, env: NodeJS.ProcessEnv): Promise<TraceResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, deadlineMs);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ calls: [], stdout, stderr, status, signal, timedOut, elapsedMs: Date.now() - started });
    });
  });
}

/** Pairs two lists of lines: equal lines on one row (longest common subsequence), the rest side by side. */
export function align(a: string[], b: string[]): { left: string | null; right: string | null }[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const rows: { left: string | null; right: string | null }[] = [];
  let i = 0;
  let j = 0;
  let pendingA: string[] = [];
  let pendingB: string[] = [];
  const flush = () => {
    for (let k = 0; k < Math.max(pendingA.length, pendingB.length); k++) {
      rows.push({ left: pendingA[k] ?? null, right: pendingB[k] ?? null });
    }
    pendingA = [];
    pendingB = [];
  };
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      flush();
      rows.push({ left: a[i], right: b[j] });
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
      pendingA.push(a[i++]);
    } else {
      pendingB.push(b[j++]);
    }
  }
  flush();
  return rows;
}

/** Runs both programs and compares them. Throws CannotRun when a side cannot be run at all. */
export async function compare(left: string, right: string, options: CompareOptions = {}): Promise<Comparison> {
  const opts: Required<CompareOptions> = { deadline: options.deadline ?? 2, cwd: options.cwd ?? process.cwd() };
  for (const p of [left, right]) {
    if (!existsSync(path.resolve(opts.cwd, p))) throw new CannotRun(`${p}: no such file`);
    commandFor(p);
  }
  const st = straceWorks();
  const warning = st.ok ? null : `${st.why}; comparing outcomes only (and the TypeScript side's own trace)`;
  const [l, r] = await Promise.all([runSide(left, opts, st.ok), runSide(right, opts, st.ok)]);
  const rows: Row[] = align(l.calls, r.calls).map((row) => ({ ...row, same: row.left === row.right, teardown: false }));
  for (const [side, t] of [['left', l.teardown], ['right', r.teardown]] as const) {
    for (const line of t) rows.push({ left: side === 'left' ? line : null, right: side === 'right' ? line : null, same: true, teardown: true });
  }
  const callsMatch = st.ok ? rows.every((row) => row.same) : true;
  const outcomesMatch = l.outcome.error === r.outcome.error && l.outcome.status === r.outcome.status &&
    l.outcome.signal === r.outcome.signal && l.outcome.blockedIn === r.outcome.blockedIn;
  const match = callsMatch && outcomesMatch;
  const differing = rows.filter((row) => !row.same).length;
  let verdict: string;
  if (match) {
    verdict = st.ok ? `MATCH: the same ${l.calls.length} system calls, and the same outcome (${l.outcome.text})`
      : `MATCH (outcomes only): ${l.outcome.text}`;
  } else {
    const parts = [];
    if (!callsMatch) parts.push(`${differing} of ${rows.filter((row) => !row.teardown).length} rows differ`);
    if (!outcomesMatch) parts.push(`outcomes differ: ${l.outcome.text} / ${r.outcome.text}`);
    verdict = `DIVERGE: ${parts.join('; ')}`;
  }
  return { left: l, right: r, rows, callsMatch, outcomesMatch, match, warning, verdict };
}

// ---- text output ----------------------------------------------------------------

export interface Style { color: boolean; width: number }

export function defaultStyle(stream: NodeJS.WriteStream): Style {
  const color = Boolean(stream.isTTY) && !process.env.NO_COLOR;
  return { color, width: stream.isTTY && stream.columns ? stream.columns : 240 };
}

const paint = (style: Style, code: string, text: string) => (style.color ? `\x1b[${code}m${text}\x1b[0m` : text);

function fit(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  return text.slice(0, Math.max(0, width - 1)) + '…';
}

export function formatComparison(c: Comparison, style: Style): string {
  const out: string[] = [];
  if (c.warning) out.push(paint(style, '33', `note: ${c.warning}`));
  const num = String(c.rows.length).length;
  const longest = Math.max(10, ...c.rows.flatMap((r) => [r.left?.length ?? 0, r.right?.length ?? 0]),
    c.left.program.length, c.right.program.length);
  const col = Math.min(longest, Math.max(20, Math.floor((style.width - num - 6) / 2)));
  out.push(`${' '.repeat(num)}   ${paint(style, '1', fit(c.left.program, col))} │ ${paint(style, '1', c.right.program)}`);
  c.rows.forEach((row, i) => {
    const mark = row.teardown ? 't' : row.same ? ' ' : '≠';
    const left = fit(row.left ?? '', col);
    const right = row.right ?? '';
    const line = `${String(i + 1).padStart(num)} ${mark} ${left} │ ${right.length > col ? fit(right, col).trimEnd() : right}`;
    out.push(row.teardown ? paint(style, '2', line) : row.same ? line : paint(style, '31', line));
  });
  if (c.rows.some((r) => r.teardown)) {
    out.push(paint(style, '2', `${' '.repeat(num)} t = the runtime's teardown (CPython's finalizer of an unclosed socket); not counted`));
  }
  out.push('');
  out.push(`${c.left.program}: ${c.left.outcome.text}`);
  out.push(`${c.right.program}: ${c.right.outcome.text}`);
  out.push(paint(style, c.match ? '32' : '31', c.verdict));
  return out.join('\n') + '\n';
}

export function comparisonJson(c: Comparison): unknown {
  return c;
}
