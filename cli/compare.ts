// `sockcall compare A B`: runs two socket programs (a Python original and its
// TypeScript port, usually) under strace, one after the other, keeps the
// system calls each made on its own sockets (calls.ts), normalizes them, and
// lines them up row by row, with their output and how each ended.
//
// A program may be given arguments, and may need the other half of a
// client/server experiment: a server started before each side (and stopped
// after it), or a client started once the side listens. Both sides get the
// same arguments and the same fixture.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  maskOutput, normalize, programCalls, splitTeardown, tracerAgreement, tracerCalls, type Normalized, type Selection,
} from './calls.ts';
import { descendants, listening, python, startRun, straceWorks, type TraceResult } from './strace.ts';
import { startCapture, type CaptureResult } from './capture-run.ts';
import { NoTypeScript, typeScriptRunner } from './runtime.ts';

export interface Side {
  /** The program as given. */
  program: string;
  /** The command that ran it. */
  command: string[];
  /** The normalized calls the program made on its sockets. */
  calls: string[];
  /** Calls the runtime made on its way out (CPython's finalizer of an unclosed socket). */
  teardown: string[];
  outcome: Outcome;
  stdout: string;
  /** stdout with ports and socket numbers named as in the calls. */
  output: string;
  stderr: string;
  /** Where the calls come from: strace, or sockcall's own tracer when strace cannot run. */
  source: 'strace' | 'tracer' | 'none';
  /** How the program's sockets were told from the runtime's (calls.ts). */
  by: 'tracer' | 'sockets' | null;
  /**
   * Where sockcall's own trace of the program and strace's disagree (a
   * line of each, the first that differs): a fault of sockcall's, never
   * expected. Null when they agree or the program did not load sockcall.
   */
  tracerDisagrees: string | null;
  /** The fixture that ran beside this side, and what it printed. */
  fixture: Fixture | null;
  /** The normalized calls with their raw records (times, threads), for the timeline. */
  timeline: Normalized['calls'];
  /**
   * The program's threads that made its calls. A program that loads
   * sockcall counts as one: its Promise forms' calls run on the addon's
   * threads, which are not the program's.
   */
  threads: number;
  /** When the side was started and when it had ended, seconds since the epoch (Date.now()), for the timeline. */
  window: { start: number; end: number };
  /** The first thread of each process that wrote sockcall's trace (its pid), for the timeline's lanes. */
  mainTids: number[];
}

export interface Fixture { role: 'server' | 'client'; command: string; stdout: string; stderr: string; status: number | null }

export interface Outcome {
  /** One line: the error line and exit status, "exit status 0", or "blocked in recvfrom after 2.0 s". */
  text: string;
  /** The uncaught error's last line, module prefix dropped ("socket.gaierror" is "gaierror"). */
  error: string | null;
  status: number | null;
  signal: string | null;
  /** The calls still pending when the program was ended, by name, sorted ("accept4, recvfrom"). */
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
  /** stdout, line by line, masked. */
  output: Row[];
  callsMatch: boolean;
  outputsMatch: boolean;
  outcomesMatch: boolean;
  match: boolean;
  /** Why system calls were not compared, with the fix (strace missing, ptrace refused). */
  warning: string | null;
  verdict: string;
  /** The packets on lo while the sides ran (CompareOptions.capture), or why there are none; null when not asked for. */
  capture: CaptureResult | null;
}

export class CannotRun extends Error {}

export interface CompareOptions {
  /** Seconds a program may run before it counts as blocked. Default 2. */
  deadline?: number;
  cwd?: string;
  /** Arguments given to both programs. */
  args?: string[];
  /** A command started before each side, waited for until it listens, and stopped after the side. */
  server?: string;
  /** A command started once each side listens; when it ends, the side has half a second to end too. */
  client?: string;
  /** Run both sides at once (no fixture): faster, but two servers would take the same port. */
  parallel?: boolean;
  /** Capture lo's packets beside the sides (cli/capture-run.ts), for the timeline; needs CAP_NET_RAW. */
  capture?: boolean;
}

type Resolved = Required<Omit<CompareOptions, 'server' | 'client' | 'capture'>> & Pick<CompareOptions, 'server' | 'client'>;

const EXTENSIONS = ['.py', '.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.c'];

/** Whether a side is a program file (by its extension) rather than a command. */
function isProgramFile(program: string, cwd: string): boolean {
  return EXTENSIONS.includes(path.extname(program)) && !/\s/.test(program.trim()) ||
    existsSync(path.resolve(cwd, program)) && statSync(path.resolve(cwd, program)).isFile();
}

/**
 * How a side is run: Python with the real interpreter, TypeScript with
 * Node's type stripping or tsx (runtime.ts), JavaScript with this node, C built with the machine's cc (its stdout
 * unbuffered, so that a program ended at the deadline loses none of it),
 * and anything else as a command for sh(1).
 */
export function commandFor(program: string, args: string[] = [], cwd = process.cwd(), build?: string): string[] {
  const ext = path.extname(program);
  if (!isProgramFile(program, cwd)) {
    if (!/\s/.test(program.trim())) {
      throw new CannotRun(`${program}: no such file, and not a command (a command has its arguments, in quotes: "node dgram.js")`);
    }
    return ['sh', '-c', `${program} "$@"`, 'sh', ...args];
  }
  if (ext === '.py') return [python(), program, ...args];
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') {
    try {
      return [...typeScriptRunner(path.resolve(cwd, program)), program, ...args];
    } catch (err) {
      if (err instanceof NoTypeScript) throw new CannotRun(err.message);
      throw err;
    }
  }
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs') return [process.execPath, program, ...args];
  if (ext === '.c') {
    if (build === undefined) return ['cc', program];
    const unbuffered = spawnSync('stdbuf', ['--version']).status === 0 ? ['stdbuf', '-o0', '-e0'] : [];
    return [...unbuffered, build, ...args];
  }
  throw new CannotRun(`${program}: cannot tell how to run a "${ext}" file (.py, .ts, .js or .c, or a command in quotes)`);
}

/** Builds a C side with the machine's cc into dir; throws CannotRun with cc's message. */
function buildC(program: string, cwd: string, dir: string): string {
  const out = path.join(dir, path.basename(program, '.c'));
  const r = spawnSync('cc', ['-O1', '-o', out, path.resolve(cwd, program)], { encoding: 'utf8' });
  if (r.error) throw new CannotRun(`${program}: cc is not installed here (apt-get install gcc)`);
  if (r.status !== 0) throw new CannotRun(`${program}: cc could not build it:\n${r.stderr.trim()}`);
  return out;
}

function outcomeOf(r: Pick<TraceResult, 'status' | 'signal' | 'stderr' | 'timedOut'>, pending: string[], ended: string): Outcome {
  if (r.timedOut) {
    const names = [...new Set(pending)].sort().join(', ');
    const blockedIn = names === '' ? null : names;
    return { text: `blocked in ${blockedIn ?? 'the program'} ${ended}`, error: null, status: null, signal: null, blockedIn };
  }
  // An uncaught error's line, "Name: message": Python's and the facade's
  // last line; in Node's own report, the line before the stack.
  const lines = r.stderr.split('\n').map((l) => l.trimEnd());
  const last = r.status === 0 ? undefined
    : [...lines].reverse().find((l) => /^[\w.]*(Error|Exception|error|Interrupt|Exit)(: .*)?$/.test(l));
  const error = last === undefined ? null : last.replace(/^socket\./, '');
  const status = r.status;
  const text = r.signal ? `killed by ${r.signal}` : error ? `${error} (exit status ${status})` : `exit status ${status}`;
  return { text, error, status, signal: r.signal, blockedIn: null };
}

interface FixtureRun { child: ChildProcess; stdout: string; stderr: string; status: number | null; exited: Promise<void> }

function startFixture(command: string, cwd: string): FixtureRun {
  const env = { ...process.env };
  delete env.SOCKCALL_TRACE;
  // Its own process group, so that stopping it stops whatever it started.
  const child = spawn('sh', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const f: FixtureRun = { child, stdout: '', stderr: '', status: null, exited: Promise.resolve() };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { f.stdout += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { f.stderr += d; });
  f.exited = new Promise((resolve) => child.on('close', (status) => { f.status = status; resolve(); }));
  return f;
}

async function stopFixture(f: FixtureRun): Promise<void> {
  if (f.child.exitCode === null && f.child.signalCode === null && f.child.pid !== undefined) {
    try { process.kill(-f.child.pid, 'SIGTERM'); } catch { /* gone */ }
    const t = setTimeout(() => { try { process.kill(-f.child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 1000);
    await f.exited;
    clearTimeout(t);
  }
  await f.exited;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until one of pids() listens, or until `gone` settles; true if it listened. */
async function untilListening(pids: () => number[], gone: Promise<unknown>, ms: number): Promise<boolean> {
  let over = false;
  void gone.then(() => { over = true; });
  const end = Date.now() + ms;
  while (!over && Date.now() < end) {
    if (listening(pids())) return true;
    await sleep(10);
  }
  return listening(pids());
}

async function runSide(program: string, options: Resolved, useStrace: boolean): Promise<Side> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'sockcall-compare-'));
  let server: FixtureRun | null = null;
  let client: FixtureRun | null = null;
  try {
    let command = commandFor(program, options.args, options.cwd);
    if (path.extname(program) === '.c' && isProgramFile(program, options.cwd)) {
      command = commandFor(program, options.args, options.cwd, buildC(program, options.cwd, tmp));
    }
    if (options.server !== undefined) {
      server = startFixture(options.server, options.cwd);
      const s = server;
      if (!await untilListening(() => (s.child.pid ? [s.child.pid, ...descendants(s.child.pid)] : []), s.exited, 5000)) {
        throw new CannotRun(`the server (${options.server}) did not listen within 5 s` +
          (s.child.exitCode !== null ? ` (it ended with status ${s.child.exitCode}: ${s.stderr.trim().split('\n').pop() ?? ''})` : ''));
      }
    }
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1' };
    const started = Date.now() / 1000;
    const run = startRun(command, { deadlineMs: options.deadline * 1000, cwd: options.cwd, env, strace: useStrace });
    let ended = `after ${options.deadline.toFixed(1)} s`;
    if (options.client !== undefined) {
      const cmd = options.client;
      void (async () => {
        if (!await untilListening(run.pids, run.done, options.deadline * 1000)) return;
        client = startFixture(cmd, options.cwd);
        await client.exited;
        // The client is done: the side (a server, usually waiting for the
        // next one) has half a second to finish what it was doing.
        await sleep(500);
        ended = 'once the client had finished';
        run.stop();
      })();
    }
    const r = await run.done;
    const window = { start: started, end: Date.now() / 1000 };
    let selection: Selection;
    if (useStrace) selection = programCalls(r.calls, r.tracer);
    else selection = tracerCalls(r.tracer);
    const normalized = normalize(selection);
    const { body, teardown } = splitTeardown(normalized.lines);
    const pending = selection.calls.filter((c) => c.tokens.call.unfinished).map((c) => c.tokens.call.name);
    const source: Side['source'] = useStrace ? 'strace' : selection.calls.length > 0 ? 'tracer' : 'none';
    const f = (client ?? server) as FixtureRun | null;
    return {
      program, command, calls: body, teardown, outcome: outcomeOf(r, pending, ended), stdout: r.stdout,
      output: maskOutput(r.stdout, normalized, r.writes), stderr: r.stderr, source,
      by: selection.calls.length > 0 || useStrace ? selection.by : null,
      tracerDisagrees: useStrace ? disagreement(r) : null,
      fixture: f === null ? null : { role: client ? 'client' : 'server', command: (client ? options.client : options.server)!,
        stdout: f.stdout, stderr: f.stderr, status: f.status },
      timeline: normalized.calls, window, mainTids: r.tracer.map((t) => t.pid),
      threads: selection.by === 'tracer' ? 1 : new Set(selection.calls.map((c) => c.tokens.call.tid)).size,
    };
  } finally {
    if (client) await stopFixture(client);
    if (server) await stopFixture(server);
    rmSync(tmp, { recursive: true, force: true });
  }
}

function disagreement(r: TraceResult): string | null {
  const a = tracerAgreement(r);
  if (a === null) return null;
  if (a.unmatched.length > 0) {
    const c = a.unmatched[0];
    return `the tracer wrote ${c.name}(${c.args}) = ${c.result}, which strace did not show`;
  }
  for (let i = 0; i < Math.max(a.tracer.length, a.strace.length); i++) {
    if (a.tracer[i] !== a.strace[i]) return `tracer: ${a.tracer[i] ?? '(nothing)'}; strace: ${a.strace[i] ?? '(nothing)'}`;
  }
  return null;
}

// The socket a normalized line is on: its first argument's letter, or the
// letter a creator returned, or every letter poll and select name.
function socketOf(line: string): string {
  const first = /^\w+\(([A-Z]\d*)[,)]/.exec(line)?.[1];
  if (first !== undefined) return first;
  const made = /\) = ([A-Z]\d*)$/.exec(line)?.[1];
  if (made !== undefined) return made;
  return [...line.matchAll(/fd=([A-Z]\d*)/g)].map((m) => m[1]).join(',') || '-';
}

/** Whether two runs made the same calls on each socket, in the same order there. */
export function sameOnEachSocket(a: string[], b: string[]): boolean {
  const group = (lines: string[]) => {
    const m = new Map<string, string[]>();
    for (const line of lines) m.set(socketOf(line), [...(m.get(socketOf(line)) ?? []), line]);
    return m;
  };
  const [ga, gb] = [group(a), group(b)];
  if (a.length !== b.length || ga.size !== gb.size) return false;
  for (const [k, lines] of ga) {
    const other = gb.get(k);
    if (other === undefined || other.length !== lines.length || other.some((l, i) => l !== lines[i])) return false;
  }
  return true;
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

const outputLines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

/** Runs both programs and compares them. Throws CannotRun when a side cannot be run at all. */
export async function compare(left: string, right: string, options: CompareOptions = {}): Promise<Comparison> {
  const opts: Resolved = { deadline: options.deadline ?? 2, cwd: options.cwd ?? process.cwd(), args: options.args ?? [],
    parallel: options.parallel ?? false, server: options.server, client: options.client };
  if (opts.parallel && (opts.server !== undefined || opts.client !== undefined)) {
    throw new CannotRun('--parallel runs both sides at once, which one fixture cannot serve: leave out --parallel');
  }
  if (opts.server !== undefined && opts.client !== undefined) throw new CannotRun('a side has either a server or a client, not both');
  for (const p of [left, right]) {
    if (isProgramFile(p, opts.cwd) && !existsSync(path.resolve(opts.cwd, p))) throw new CannotRun(`${p}: no such file`);
    commandFor(p, [], opts.cwd);
  }
  const st = straceWorks();
  const warning = st.ok ? null : `${st.why}; comparing outcomes only (and the TypeScript side's own trace)`;
  // One capture for both sides, started before the first and stopped after
  // the last; each side's page keeps the frames of its own window and ports.
  const capturing = options.capture ? await startCapture() : null;
  let capture: CaptureResult | null = null;
  let l: Side;
  let r: Side;
  try {
    [l, r] = opts.parallel
      ? await Promise.all([runSide(left, opts, st.ok), runSide(right, opts, st.ok)])
      : [await runSide(left, opts, st.ok), await runSide(right, opts, st.ok)];
  } finally {
    if (capturing) capture = await capturing.stop();
  }
  const rows: Row[] = align(l.calls, r.calls).map((row) => ({ ...row, same: row.left === row.right, teardown: false }));
  for (const [side, t] of [['left', l.teardown], ['right', r.teardown]] as const) {
    for (const line of t) rows.push({ left: side === 'left' ? line : null, right: side === 'right' ? line : null, same: true, teardown: true });
  }
  const output: Row[] = align(outputLines(l.output), outputLines(r.output))
    .map((row) => ({ ...row, same: row.left === row.right, teardown: false }));
  // Threads run at once: the order strace saw their calls in may differ
  // from run to run. A multi-threaded program whose calls are the same on
  // each socket, in the same order there, matches, however its threads
  // interleaved them.
  const interleaved = st.ok && !rows.every((row) => row.same) && (l.threads > 1 || r.threads > 1) &&
    sameOnEachSocket(l.calls, r.calls);
  const callsMatch = st.ok ? rows.every((row) => row.same) || interleaved : true;
  const outputsMatch = l.output === r.output;
  const outcomesMatch = l.outcome.error === r.outcome.error && l.outcome.status === r.outcome.status &&
    l.outcome.signal === r.outcome.signal && l.outcome.blockedIn === r.outcome.blockedIn;
  const match = callsMatch && outputsMatch && outcomesMatch;
  const counted = rows.filter((row) => !row.teardown).length;
  let verdict: string;
  if (match) {
    const printed = l.output === '' ? '' : `, the same output (${outputLines(l.output).length} lines)`;
    const order = interleaved ? ' (on each socket, in the same order; the threads interleaved them differently)' : '';
    verdict = st.ok ? `MATCH: the same ${l.calls.length} system calls${order}${printed}, and the same outcome (${l.outcome.text})`
      : `MATCH (outcomes only): ${l.outcome.text}`;
  } else {
    const parts = [];
    if (!callsMatch) parts.push(`${rows.filter((row) => !row.same).length} of ${counted} rows differ`);
    if (!outputsMatch) parts.push(`${output.filter((row) => !row.same).length} of ${output.length} output lines differ`);
    if (!outcomesMatch) parts.push(`outcomes differ: ${l.outcome.text} / ${r.outcome.text}`);
    verdict = `DIVERGE: ${parts.join('; ')}`;
  }
  const warn = [warning];
  for (const s of [l, r]) {
    if (s.tracerDisagrees !== null) {
      warn.push(`${s.program}: sockcall's trace and strace's disagree (a fault of sockcall's, please report it): ${s.tracerDisagrees}`);
    }
    const f = s.fixture;
    if (f !== null && f.status !== 0 && f.status !== null) {
      warn.push(`${s.program}: the ${f.role} \`${f.command}\` exited with status ${f.status}` +
        (f.stderr.trim() ? `: ${f.stderr.trim().split('\n').pop()}` : ''));
    }
  }
  const notes = warn.filter((w): w is string => w !== null);
  return { left: l, right: r, rows, output, callsMatch, outputsMatch, outcomesMatch, match,
    warning: notes.length > 0 ? notes.join('\n') : null, verdict, capture };
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

function table(out: string[], rows: Row[], style: Style, num: number, col: number): void {
  rows.forEach((row, i) => {
    const mark = row.teardown ? 't' : row.same ? ' ' : '≠';
    const left = fit(row.left ?? '', col);
    const right = row.right ?? '';
    const line = `${String(i + 1).padStart(num)} ${mark} ${left} │ ${right.length > col ? fit(right, col).trimEnd() : right}`;
    out.push(row.teardown ? paint(style, '2', line) : row.same ? line : paint(style, '31', line));
  });
}

export function formatComparison(c: Comparison, style: Style): string {
  const out: string[] = [];
  if (c.warning) for (const w of c.warning.split('\n')) out.push(paint(style, '33', `note: ${w}`));
  const num = String(Math.max(c.rows.length, c.output.length)).length;
  const all = [...c.rows, ...c.output];
  const longest = Math.max(10, ...all.flatMap((r) => [r.left?.length ?? 0, r.right?.length ?? 0]),
    c.left.program.length, c.right.program.length);
  const col = Math.min(longest, Math.max(20, Math.floor((style.width - num - 6) / 2)));
  out.push(`${' '.repeat(num)}   ${paint(style, '1', fit(c.left.program, col))} │ ${paint(style, '1', c.right.program)}`);
  table(out, c.rows, style, num, col);
  if (c.rows.some((r) => r.teardown)) {
    out.push(paint(style, '2', `${' '.repeat(num)} t = the runtime's teardown (CPython's finalizer of an unclosed socket); not counted`));
  }
  if (c.output.length > 0) {
    out.push(`${' '.repeat(num)}   ${paint(style, '1', fit('stdout', col))} │ ${paint(style, '1', 'stdout')}`);
    table(out, c.output, style, num, col);
  }
  out.push('');
  const fixture = c.left.fixture;
  if (fixture) out.push(`both sides ran with the ${fixture.role} \`${fixture.command}\``);
  out.push(`${c.left.program}: ${c.left.outcome.text}`);
  out.push(`${c.right.program}: ${c.right.outcome.text}`);
  out.push(paint(style, c.match ? '32' : '31', c.verdict));
  return out.join('\n') + '\n';
}

/** The comparison as data, without the raw records of the timeline (calls' times, the capture's frames). */
export function comparisonJson(c: Comparison): unknown {
  const side = ({ timeline: _t, window: _w, mainTids: _m, ...s }: Side) => s;
  const { capture: _c, ...rest } = c;
  return { ...rest, left: side(c.left), right: side(c.right) };
}
