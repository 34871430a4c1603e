// Reading strace(1) output: the system calls a program made on its own
// sockets, normalized so that two runs (or a Python program and its
// TypeScript port) can be compared line by line.
//
// Used by the tests and by `sockcall compare`. It knows nothing of the
// addon: it reads text that strace wrote.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The system calls traced: the socket API, plus the ioctl, poll and close the facade makes. */
export const TRACED = ['%network', 'ioctl', 'poll', 'close'];

export interface Syscall {
  /** Thread that made the call. */
  tid: number;
  name: string;
  /** The arguments as strace printed them, without the parentheses. */
  args: string;
  /** What follows ' = ': '3', '-1 ECONNREFUSED (Connection refused)', '? ' for a call that never returned. */
  result: string;
  /** The call never returned before the process ended (a blocked recvfrom). */
  unfinished: boolean;
}

const LINE = /^(\d+)\s+(.*)$/;
const CALL = /^(\w+)\((.*)\)\s+=\s+(.*)$/s;
// "recvfrom(3,  <unfinished ...>" when another thread's call comes between;
// "... <unfinished ...>) = ?" when the process died with the call pending.
const UNFINISHED = /^(\w+)\((.*?)\s*<unfinished \.\.\.>(?:\)\s+=\s+\?)?$/s;
const RESUMED = /^<\.\.\. (\w+) resumed>\s?(.*)\)\s+=\s+(.*)$/s;

/** Parses `strace -f -o FILE` output, joining calls strace split around a thread switch. */
export function parseStrace(text: string): Syscall[] {
  const calls: Syscall[] = [];
  const open = new Map<number, Syscall>();
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw);
    if (m === null) continue;
    const tid = Number(m[1]);
    const body = m[2];
    if (body.startsWith('+++') || body.startsWith('---')) continue;
    let c: RegExpExecArray | null;
    if ((c = UNFINISHED.exec(body)) !== null) {
      const call: Syscall = { tid, name: c[1], args: c[2].replace(/,\s*$/, ''), result: '?', unfinished: true };
      open.set(tid, call);
      calls.push(call);
    } else if ((c = RESUMED.exec(body)) !== null) {
      const call = open.get(tid);
      if (call === undefined) continue;
      open.delete(tid);
      const rest = c[2].trim();
      call.args = rest === '' ? call.args : call.args === '' ? rest.replace(/^,\s*/, '')
        : `${call.args}, ${rest.replace(/^,\s*/, '')}`;
      call.result = c[3].trim();
      call.unfinished = false;
    } else if ((c = CALL.exec(body)) !== null) {
      calls.push({ tid, name: c[1], args: c[2], result: c[3].trim(), unfinished: false });
    } else if (/^\w+\(.*\)\s+=\s+\?$/.test(body)) {
      // "exit_group(1) = ?" and the like
      continue;
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
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

// Sockets made for the runtime, not the script: glibc's resolver asks nscd
// first over an AF_UNIX socket; tsx talks to its parent over one.
const INTERNAL_PATHS = [/^\/var\/run\/nscd\/socket$/, /^\/run\/nscd\/socket$/, /^\/tmp\/tsx-\d+\//];

export interface TracedSocket {
  /** Letter given in normalized lines: A for the script's first socket. */
  label: string;
  fd: number;
  family: string;
  /** Index of the call that made it. */
  created: number;
}

/** The sockets the program made for itself, and the calls on them. */
export interface ScriptCalls {
  sockets: TracedSocket[];
  /** The calls on the script's sockets (or on fd -1, which only a closed facade socket uses), in order. */
  calls: { call: Syscall; sockets: TracedSocket[] }[];
}

const CREATORS = new Set(['socket', 'socketpair', 'accept', 'accept4']);

function fdArgs(call: Syscall): number[] {
  if (call.name === 'poll' || call.name === 'ppoll') {
    return [...call.args.matchAll(/fd=(-?\d+)/g)].map((m) => Number(m[1]));
  }
  const first = splitArgs(call.args)[0];
  return first !== undefined && /^-?\d+$/.test(first) ? [Number(first)] : [];
}

/**
 * Keeps the calls a program made on the sockets it created: sockets are
 * followed from the call that made them (socket, socketpair, accept4) to
 * their close(); the runtime's own (resolver, tsx) are left out.
 */
export function scriptCalls(all: Syscall[]): ScriptCalls {
  const live = new Map<number, TracedSocket>();
  const internal = new Set<TracedSocket>();
  const sockets: TracedSocket[] = [];
  const picked: { call: Syscall; sockets: TracedSocket[] }[] = [];
  let n = 0;
  const make = (fd: number, family: string, created: number): TracedSocket => {
    const s = { label: '', fd, family, created };
    live.set(fd, s);
    return s;
  };
  all.forEach((call, i) => {
    const fds = fdArgs(call);
    const on = fds.map((fd) => live.get(fd)).filter((s): s is TracedSocket => s !== undefined);
    // A connect to a runtime path marks the socket as the runtime's.
    if (call.name === 'connect' && on.length === 1 && on[0].family === 'AF_UNIX') {
      const m = /sun_path="([^"]*)"/.exec(call.args);
      if (m && INTERNAL_PATHS.some((re) => re.test(m[1]))) internal.add(on[0]);
    }
    if (on.length > 0 || fds.includes(-1)) picked.push({ call, sockets: on });
    if (call.name === 'close' && on.length === 1 && /^0/.test(call.result)) live.delete(on[0].fd);
    if (CREATORS.has(call.name) && /^\d+/.test(call.result) && !call.unfinished) {
      const result = Number(/^\d+/.exec(call.result)![0]);
      if (call.name === 'socket') {
        sockets.push(make(result, splitArgs(call.args)[0], i));
        picked.push({ call, sockets: [sockets[sockets.length - 1]] });
      } else if (call.name === 'socketpair') {
        const pair = /\[(\d+), (\d+)\]/.exec(call.args);
        if (pair) {
          const family = splitArgs(call.args)[0];
          const a = make(Number(pair[1]), family, i);
          const b = make(Number(pair[2]), family, i);
          sockets.push(a, b);
          picked.push({ call, sockets: [a, b] });
        }
      } else if (on.length === 1) {
        const s = make(result, on[0].family, i);
        sockets.push(s);
        picked[picked.length - 1].sockets.push(s);
      }
    }
  });
  // libuv's stdio for a child process (tsx spawns esbuild on a cold cache):
  // a socketpair whose first calls are close() of one end, the other end's
  // descriptor handed to the child, and FIONBIO on the end kept.
  for (let k = 0; k + 1 < sockets.length; k++) {
    const [a, b] = [sockets[k], sockets[k + 1]];
    if (a.created !== b.created || all[a.created].name !== 'socketpair') continue;
    const first = (s: TracedSocket) => picked.find((p) => p.call !== all[s.created] && p.sockets.includes(s))?.call;
    const fa = first(a);
    const fb = first(b);
    if (fb?.name === 'close' && fa?.name === 'ioctl' && fa.args.includes('FIONBIO')) {
      internal.add(a);
      internal.add(b);
    }
  }
  const mine = sockets.filter((s) => !internal.has(s));
  for (const s of mine) s.label = String.fromCharCode(65 + (n++ % 26)) + (n > 26 ? String(Math.floor((n - 1) / 26)) : '');
  return {
    sockets: mine,
    calls: picked.filter((p) => p.sockets.length === 0 ? true : p.sockets.some((s) => !internal.has(s))),
  };
}

/** /proc/sys/net/ipv4/ip_local_port_range: the ports the kernel picks for bind(port 0). */
export function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return [lo, hi];
  } catch {
    return [32768, 60999];
  }
}

export interface NormalizeOptions {
  /** Ports the scripts chose themselves, never normalized. */
  keepPorts?: number[];
}

/**
 * One line per call, as strace prints it, with what differs from run to run
 * replaced: fd numbers by the socket's letter (A = first socket), pointers
 * by PTR, ports the kernel picked by P1, P2... in order of appearance, and
 * the thread that made the call dropped.
 */
export function normalize(script: ScriptCalls, options: NormalizeOptions = {}): string[] {
  const [lo, hi] = ephemeralRange();
  const keep = new Set(options.keepPorts ?? []);
  const ports = new Map<string, string>();
  const passed = new Map<string, string>();
  // The script's sockets open at this point of the trace, by fd number.
  const live = new Map<number, TracedSocket>();
  const lines: string[] = [];
  for (const { call, sockets } of script.calls) {
    for (const s of sockets) if (s.label !== '') live.set(s.fd, s);
    const fdName = (fd: string): string => sockets.find((s) => s.fd === Number(fd))?.label || fd;
    let args = call.args;
    let result = call.result;
    // fds: the first argument, poll's fd=, socketpair's pair, creators' results
    if (call.name === 'poll') {
      args = args.replace(/fd=(-?\d+)/g, (_, fd) => `fd=${fdName(fd)}`);
      result = result.replace(/fd=(-?\d+)/g, (_, fd) => `fd=${fdName(fd)}`);
    } else {
      args = args.replace(/^(-?\d+)(?=,|$)/, (fd) => fdName(fd));
    }
    if (call.name === 'socketpair') args = args.replace(/\[(\d+), (\d+)\]/, (_, a, b) => `[${fdName(a)}, ${fdName(b)}]`);
    if (CREATORS.has(call.name)) result = result.replace(/^(\d+)/, (fd) => fdName(fd));
    const ephemeral = (text: string) => text.replace(/htons\((\d+)\)/g, (whole, p) => {
      const port = Number(p);
      if (keep.has(port) || port < lo || port > hi) return whole;
      if (!ports.has(p)) ports.set(p, `P${ports.size + 1}`);
      return `htons(${ports.get(p)})`;
    });
    // Descriptors passed in SCM_RIGHTS: a socket's letter, or the order in
    // which the other descriptors first appear.
    args = args.replace(/(cmsg_type=SCM_RIGHTS, cmsg_data=\[)([\d, ]*)\]/g, (_, head: string, list: string) =>
      head + list.split(', ').map((fd) => {
        const label = live.get(Number(fd))?.label;
        if (label) return label;
        if (!passed.has(fd)) passed.set(fd, `FD${passed.size + 1}`);
        return passed.get(fd);
      }).join(', ') + ']');
    args = ephemeral(args).replace(/0x[0-9a-f]{6,}/g, 'PTR');
    result = ephemeral(result);
    lines.push(call.unfinished ? `${call.name}(${args} <unfinished ...>` : `${call.name}(${args}) = ${result}`);
  }
  return lines;
}

export interface TraceResult {
  calls: Syscall[];
  stdout: string;
  stderr: string;
  /** Exit status, or null when a signal ended it. */
  status: number | null;
  signal: NodeJS.Signals | null;
  /** The deadline ended the program (it was still running). */
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

/** Runs argv under `strace -f` with a deadline; SIGINT, then SIGKILL, end a program still running. */
export function traceRun(argv: string[], options: { deadlineMs?: number; cwd?: string; env?: NodeJS.ProcessEnv;
  trace?: string[] } = {}): Promise<TraceResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockcall-strace-'));
  const out = path.join(dir, 'trace');
  const trace = (options.trace ?? TRACED).join(',');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('strace', ['-f', '-qq', '-s', '64', '-e', `trace=${trace}`, '-e', 'signal=none', '-o', out,
      '--', ...argv], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // Signal the traced program, not strace, so that strace writes the
      // blocked call as unfinished. Its pid is read from /proc, not from a
      // pgrep process (which hangs with the sanitizer runtime preloaded).
      for (const pid of childrenOf(child.pid!)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      setTimeout(() => child.kill('SIGKILL'), 1000).unref();
    }, options.deadlineMs ?? 10_000);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      let text = '';
      try { text = readFileSync(out, 'utf8'); } catch { /* no trace */ }
      rmSync(dir, { recursive: true, force: true });
      // strace reports the traced program's exit; killed by a signal, strace
      // re-raises it, and the status is 128+n only in a shell.
      resolve({ calls: parseStrace(text), stdout, stderr, status, signal, timedOut, elapsedMs: Date.now() - started });
    });
  });
}

/** The children of a process, from /proc (proc(5): /proc/PID/task/TID/children, else each /proc/PID/stat's ppid). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    const out: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
      } catch { /* gone */ }
    }
    return out;
  }
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

/**
 * CPython's finalizer of a socket left open at exit asks for its repr()
 * (getsockname, getpeername) and closes it. Those trailing calls are the
 * runtime's teardown, not the script's: they are split off here so that a
 * port need not make them.
 */
export function splitTeardown(lines: string[]): { body: string[]; teardown: string[] } {
  let end = lines.length;
  const fdOf = (line: string) => /^\w+\(([A-Z]\d*)[,)]/.exec(line)?.[1];
  for (;;) {
    const close = lines[end - 1];
    if (close === undefined || !close.startsWith('close(')) break;
    const fd = fdOf(close);
    let start = end - 1;
    while (start > 0 && /^(getsockname|getpeername)\(/.test(lines[start - 1]) && fdOf(lines[start - 1]) === fd) start--;
    if (start === end - 1) break;
    end = start;
  }
  return { body: lines.slice(0, end), teardown: lines.slice(end) };
}

const TRACE_LINE = /^(?:\[pid\s+(\d+)\] )?(\w+)\((.*)\) = (.*?)(?: <(\d+\.\d+)>)?$/s;

/** Parses sockcall's own trace (SOCKCALL_TRACE): strace's syntax, one finished call per line. */
export function parseTrace(text: string): (Syscall & { seconds: number })[] {
  const out: (Syscall & { seconds: number })[] = [];
  for (const line of text.split('\n')) {
    const m = TRACE_LINE.exec(line);
    if (m === null) continue;
    out.push({ tid: m[1] ? Number(m[1]) : 0, name: m[2], args: m[3], result: m[4], unfinished: false,
      seconds: m[5] ? Number(m[5]) : 0 });
  }
  return out;
}
