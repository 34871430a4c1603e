// Running a program under strace(1) and reading what it wrote: one record
// per system call, with the thread that made it, its entry time and its
// duration. It knows nothing of the addon: it reads the text strace wrote.
// Which of those calls are the program's, and how they are normalized, is
// in calls.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * The system calls traced: the socket API, plus the calls socket programs
 * make on sockets too: ioctl, fcntl (CPython's dup() and get_inheritable()),
 * poll, select, epoll, sendfile and close. `-y` makes strace print what
 * each file descriptor is (`3<socket:[81234]>`), which is how a socket is
 * told from a file of the same number (calls.ts).
 */
export const TRACED = ['%network', 'ioctl', 'fcntl', 'poll', 'ppoll', 'select', 'pselect6',
  'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'sendfile', 'close'];

export interface Syscall {
  /** The thread that made the call (strace -f's pid column). */
  tid: number;
  name: string;
  /**
   * The arguments as strace printed them, without the parentheses. A file
   * descriptor may carry -y's decoration: `3<socket:[81234]>`.
   */
  args: string;
  /** What follows ' = ': '3', '-1 ECONNREFUSED (Connection refused)', '?' for a call that never returned. */
  result: string;
  /** The call never returned before the process ended (a blocked recvfrom). */
  unfinished: boolean;
  /** Entry time in seconds since the epoch (strace -ttt), when strace printed one. */
  time?: number;
  /** Seconds spent in the call (strace -T, or the tracer's), when known. */
  seconds?: number;
}

const LINE = /^(\d+)\s+(?:(\d+\.\d+)\s+)?(.*)$/;
const DURATION = /\s+<(\d+\.\d+)>$/;
const CALL = /^(\w+)\((.*)\)\s+=\s+(.*)$/s;
// "recvfrom(3,  <unfinished ...>" when another thread's call comes between;
// "... <unfinished ...>) = ?" when the process died with the call pending.
const UNFINISHED = /^(\w+)\((.*?)\s*<unfinished \.\.\.>(?:\)\s+=\s+\?)?$/s;
const RESUMED = /^<\.\.\. (\w+) resumed>\s?(.*)$/s;
// The rest of a resumed call, when it never returned: the process was
// killed while it waited ("<... accept4 resumed> <unfinished ...>) = ?").
const RESUMED_KILLED = /^<unfinished \.\.\.>\)\s+=\s+\?$/;
const RESUMED_DONE = /^(.*)\)\s+=\s+(.*)$/s;

/** Parses `strace -f [-ttt] [-T] -o FILE` output, joining calls strace split around a thread switch. */
export function parseStrace(text: string): Syscall[] {
  const calls: Syscall[] = [];
  const open = new Map<number, Syscall>();
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw);
    if (m === null) continue;
    const tid = Number(m[1]);
    const time = m[2] === undefined ? undefined : Number(m[2]);
    let body = m[3];
    if (body.startsWith('+++') || body.startsWith('---')) continue;
    let seconds: number | undefined;
    const d = DURATION.exec(body);
    if (d !== null) {
      seconds = Number(d[1]);
      body = body.slice(0, d.index);
    }
    let c: RegExpExecArray | null;
    if ((c = UNFINISHED.exec(body)) !== null) {
      const call: Syscall = { tid, name: c[1], args: c[2].replace(/,\s*$/, ''), result: '?', unfinished: true, time };
      open.set(tid, call);
      calls.push(call);
    } else if ((c = RESUMED.exec(body)) !== null) {
      const call = open.get(tid);
      if (call === undefined) continue;
      open.delete(tid);
      const rest = c[2].trim();
      if (RESUMED_KILLED.test(rest)) continue;  // still unfinished: it never returned
      const done = RESUMED_DONE.exec(rest);
      if (done === null) continue;
      const tail = done[1].trim().replace(/^,\s*/, '');
      // strace splits at an argument's end, or inside one that it prints
      // on entry and again on exit: sendfile's offset, "[0] => [10240]".
      const sep = tail.startsWith('=>') ? ' ' : ', ';
      call.args = tail === '' ? call.args : call.args === '' ? tail : `${call.args}${sep}${tail}`;
      call.result = done[2].trim();
      call.unfinished = false;
      call.seconds = seconds;
    } else if ((c = CALL.exec(body)) !== null) {
      if (c[3].trim() === '?') continue;  // "exit_group(1) = ?" and the like
      calls.push({ tid, name: c[1], args: c[2], result: c[3].trim(), unfinished: false, time, seconds });
    }
  }
  return calls;
}

/** Split an argument list at its top-level commas. */
export function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = '';
  for (let i = 0; i < args.length; i++) {
    const ch = args[i];
    if (quote) {
      cur += ch;
      if (ch === '\\') { cur += args[++i] ?? ''; continue; }
      if (ch === '"') quote = false;
      continue;
    }
    if (ch === '"') { quote = true; cur += ch; continue; }
    if (ch === '(' || ch === '[' || ch === '{' || ch === '<') depth++;
    if (ch === ')' || ch === ']' || ch === '}' || ch === '>') depth--;
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

// sockcall's own trace (SOCKCALL_TRACE): strace's syntax, one finished call
// per line; "[pid N] " for every thread but the process's first.
const TRACE_LINE = /^(?:\[pid\s+(\d+)\] )?(\w+)\((.*)\) = (.*?)(?: <(\d+\.\d+)>)?$/s;

/** Parses a trace the addon wrote; the first thread's calls get `pid` as their tid. */
export function parseTrace(text: string, pid = 0): Syscall[] {
  const out: Syscall[] = [];
  for (const line of text.split('\n')) {
    const m = TRACE_LINE.exec(line);
    if (m === null) continue;
    out.push({ tid: m[1] ? Number(m[1]) : pid, name: m[2], args: m[3], result: m[4], unfinished: false,
      seconds: m[5] ? Number(m[5]) : undefined });
  }
  return out;
}

/** A trace of the addon's, written by one process (SOCKCALL_TRACE=DIR/trace.%p). */
export interface TracerFile { pid: number; calls: Syscall[] }

/** The tracer's files in `dir`, one per process that loaded the addon. */
export function readTracerFiles(dir: string): TracerFile[] {
  const out: TracerFile[] = [];
  for (const f of readdirSync(dir)) {
    const m = /^trace\.(\d+)$/.exec(f);
    if (m === null) continue;
    const pid = Number(m[1]);
    out.push({ pid, calls: parseTrace(readFileSync(path.join(dir, f), 'utf8'), pid) });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** One write(2) or writev(2) of the program's to its standard output. */
export interface StdoutWrite {
  /** Entry time in seconds since the epoch (strace -ttt). */
  time: number;
  /** The bytes written: the call's result. */
  bytes: number;
}

export interface TraceResult {
  calls: Syscall[];
  /**
   * The program's writes to the harness's stdout pipe, in order: when each
   * stretch of stdout was written, so that a `fd=` a program printed is
   * named after the socket that had the number then (numbers are reused).
   * Empty without strace, or when the program wrote stdout only at exit
   * (Python's block buffering on a pipe: compare sets PYTHONUNBUFFERED=1).
   */
  writes: StdoutWrite[];
  /** The addon's own traces, one per process that loaded it. */
  tracer: TracerFile[];
  stdout: string;
  stderr: string;
  /** Exit status, or null when a signal ended it. */
  status: number | null;
  signal: NodeJS.Signals | null;
  /** The program was ended by the harness (the deadline, or stop()), still running. */
  timedOut: boolean;
  elapsedMs: number;
}

/** Whether strace exists here and may trace (ptrace can be forbidden in containers). */
export function straceWorks(): { ok: true } | { ok: false; why: string } {
  const r = spawnSync('strace', ['-qq', '-e', 'trace=none', 'true'], { encoding: 'utf8' });
  if (r.error) return { ok: false, why: 'strace is not installed (apt-get install strace)' };
  if (r.status !== 0) {
    return { ok: false, why: `strace cannot trace here: ${r.stderr.trim().split('\n')[0]}` +
      ' (ptrace is not permitted: run as root, or set kernel.yama.ptrace_scope=0, or give the container CAP_SYS_PTRACE)' };
  }
  return { ok: true };
}

export interface RunOptions {
  /** Milliseconds before the program is ended and reported as still running. Default 10 s. */
  deadlineMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The system calls to trace; default TRACED. */
  trace?: string[];
  /** Run under strace (default); false runs the program alone, for the tracer's trace only. */
  strace?: boolean;
}

/** A program running under the harness. */
export interface Run {
  /** Settles when the program has ended and its traces are read. */
  done: Promise<TraceResult>;
  /** Ends the program as the deadline would (SIGKILL: strace records the pending calls as unfinished). */
  stop(): void;
  /** The program's processes now (strace itself left out). */
  pids(): number[];
}

/**
 * Runs argv under `strace -f -y -ttt -T`, with SOCKCALL_TRACE pointing at a
 * directory of its own (one file per process that loads the addon). At
 * the deadline the program's processes are killed with SIGKILL, which
 * leaves a blocked call in the trace as unfinished and runs none of the
 * program's exit code (no extra system calls in the trace).
 */
export function startRun(argv: string[], options: RunOptions = {}): Run {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockcall-run-'));
  const out = path.join(dir, 'strace');
  const useStrace = options.strace ?? true;
  const wanted = options.trace ?? TRACED;
  // write(2) and writev(2) as well, for the times of stdout's writes
  // (StdoutWrite); they are taken out of the calls again unless asked for.
  const stdoutCalls = ['write', 'writev'].filter((n) => !wanted.includes(n));
  const trace = [...wanted, ...stdoutCalls].join(',');
  const started = Date.now();
  const env = { ...(options.env ?? process.env), SOCKCALL_TRACE: path.join(dir, 'trace.%p') };
  const cmd = useStrace
    ? ['strace', '-f', '-qq', '-y', '-ttt', '-T', '-e', `trace=${trace}`, '-e', 'signal=none', '-o', out, '--', ...argv]
    : argv;
  const child: ChildProcess = spawn(cmd[0], cmd.slice(1), { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let timedOut = false;
  const pids = (): number[] => {
    if (child.pid === undefined) return [];
    return useStrace ? descendants(child.pid) : [child.pid, ...descendants(child.pid)];
  };
  const stop = () => {
    if (timedOut || child.exitCode !== null || child.signalCode !== null) return;
    timedOut = true;
    // Signal the traced program, not strace, so that strace writes the
    // blocked call as unfinished. The pids are read from /proc, not from a
    // pgrep process (which hangs with the sanitizer runtime preloaded).
    for (const pid of pids()) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, 1000).unref();
  };
  const done = new Promise<TraceResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(stop, options.deadlineMs ?? 10_000);
    child.on('error', (err) => { clearTimeout(timer); rmSync(dir, { recursive: true, force: true }); reject(err); });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      let text = '';
      try { text = readFileSync(out, 'utf8'); } catch { /* no trace */ }
      const tracer = readTracerFiles(dir);
      rmSync(dir, { recursive: true, force: true });
      // strace reports the traced program's exit; killed by a signal, strace
      // re-raises it, and the status is 128+n only in a shell.
      const { calls, writes } = splitStdoutWrites(parseStrace(text), Buffer.byteLength(stdout), stdoutCalls);
      resolve({ calls, writes, tracer, stdout, stderr, status, signal, timedOut,
        elapsedMs: Date.now() - started });
    });
  });
  return { done, stop, pids };
}

/**
 * The writes on fd 1 that reached the harness's pipe, apart from the calls;
 * the calls named in `drop` (traced only for this) taken out of the calls.
 * The pipe is told by its bytes: of the pipes written on fd 1 (-y's
 * `1<pipe:[N]>`, or `1<socket:[N]>`: libuv makes a child's stdio pipes as
 * socketpairs), the one whose writes add up to what the harness read. A
 * program's own children may write on pipes of their own (a pyenv shim's
 * command substitutions), and strace hands its own stdout to /dev/null
 * once the program has started, so the pipe cannot be read off strace.
 */
export function splitStdoutWrites(all: Syscall[], stdoutBytes: number, drop: string[]):
  { calls: Syscall[]; writes: StdoutWrite[] } {
  const byPipe = new Map<string, StdoutWrite[]>();
  const calls: Syscall[] = [];
  for (const c of all) {
    const pipe = /^1<((?:pipe|socket):\[\d+\])>,/.exec(c.args)?.[1];
    if ((c.name === 'write' || c.name === 'writev') && pipe !== undefined && c.time !== undefined && /^[1-9]\d*$/.test(c.result)) {
      const list = byPipe.get(pipe) ?? [];
      list.push({ time: c.time, bytes: Number(c.result) });
      byPipe.set(pipe, list);
    }
    if (!drop.includes(c.name)) calls.push(c);
  }
  const writes = [...byPipe.values()].filter((ws) => ws.reduce((n, w) => n + w.bytes, 0) === stdoutBytes)
    .sort((a, b) => b.length - a.length)[0] ?? [];
  return { calls, writes };
}

/** startRun(), awaited. */
export function traceRun(argv: string[], options: RunOptions = {}): Promise<TraceResult> {
  return startRun(argv, options).done;
}

/** Every descendant of a process, from /proc (proc(5): /proc/PID/task/TID/children). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    let tasks: string[];
    try { tasks = readdirSync(`/proc/${p}/task`); } catch { return; }
    for (const t of tasks) {
      let kids: string;
      try { kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8'); } catch { continue; }
      for (const k of kids.trim().split(/\s+/).filter(Boolean).map(Number)) {
        out.push(k);
        walk(k);
      }
    }
  };
  walk(pid);
  return out;
}

/**
 * Whether one of the processes has a socket that waits for peers: a TCP
 * or AF_UNIX stream socket in the LISTEN state, or a bound UDP or AF_UNIX
 * datagram socket with no peer. Read from /proc/PID/fd and the kernel's
 * socket tables in /proc/net (proc(5)), so nothing is asked of the program.
 */
export function listening(pids: number[]): boolean {
  const inodes = new Set<string>();
  for (const pid of pids) {
    let fds: string[];
    try { fds = readdirSync(`/proc/${pid}/fd`); } catch { continue; }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch { /* closed meanwhile */ }
    }
  }
  if (inodes.size === 0) return false;
  const table = (name: string) => {
    try { return readFileSync(`/proc/net/${name}`, 'utf8').split('\n').slice(1).filter(Boolean); } catch { return []; }
  };
  for (const name of ['tcp', 'tcp6']) {
    for (const row of table(name)) {
      const f = row.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9])) return true;  // TCP_LISTEN
    }
  }
  for (const name of ['udp', 'udp6']) {
    for (const row of table(name)) {
      const f = row.trim().split(/\s+/);
      const port = parseInt(f[1].split(':')[1], 16);
      const peer = parseInt(f[2].split(':')[1], 16);
      if (port !== 0 && peer === 0 && inodes.has(f[9])) return true;
    }
  }
  for (const row of table('unix')) {
    // Num RefCount Protocol Flags Type St Inode Path
    const f = row.trim().split(/\s+/);
    const listen = (parseInt(f[3], 16) & 0x10000) !== 0;  // __SO_ACCEPTCON
    const dgramBound = f[4] === '0002' && f[7] !== undefined;
    if ((listen || dgramBound) && inodes.has(f[6])) return true;
  }
  return false;
}

/** The real python3 (pyenv and the like install a shell script in front of it). */
export function python(): string {
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : 'python3';
}

/** The last line of stderr, where Python and the facade put the uncaught error. */
export function errorLine(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  return lines[lines.length - 1];
}
