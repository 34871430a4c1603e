// A contender is a long-lived child process (C, CPython or Node.js) that sets
// itself up once and then runs rounds on command, so that the parent can
// alternate rounds between contenders on a busy 2-core machine:
//
//   child:  ready {json}            (or: unavailable {"reason": ...})
//   parent: run N [ROUND]
//   child:  [armed]                 (receive-throughput contenders only)
//   child:  {json result}
//   parent: quit
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export type Ready = { ok: true; info: Record<string, unknown> } | { ok: false; reason: string };

export class Contender {
  readonly child: ChildProcessWithoutNullStreams;
  #lines: string[] = [];
  #waiters: ((line: string | null) => void)[] = [];
  #partial = '';
  #stderr = '';
  #exited = false;

  constructor(command: string, args: string[], env: Record<string, string> = {}) {
    this.child = spawn(command, args, { env: { ...process.env, ...env }, stdio: 'pipe' });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      const parts = (this.#partial + chunk).split('\n');
      this.#partial = parts.pop()!;
      for (const line of parts) this.#push(line);
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    this.child.on('error', (err) => {
      this.#stderr += String(err);
    });
    this.child.on('close', () => {
      this.#exited = true;
      for (const w of this.#waiters.splice(0)) w(null);
    });
  }

  #push(line: string): void {
    const w = this.#waiters.shift();
    if (w) w(line);
    else this.#lines.push(line);
  }

  /** The next line of stdout, or null once the process has ended. */
  nextLine(timeoutMs: number): Promise<string | null> {
    const queued = this.#lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#exited) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(done);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new Error(`no answer within ${timeoutMs / 1000} s${this.#stderrTail()}`));
      }, timeoutMs);
      const done = (line: string | null) => {
        clearTimeout(timer);
        resolve(line);
      };
      this.#waiters.push(done);
    });
  }

  #stderrTail(): string {
    const t = this.#stderr.trim().split('\n').slice(-3).join(' | ');
    return t ? ` (stderr: ${t})` : '';
  }

  async ready(timeoutMs = 60_000): Promise<Ready> {
    let line: string | null;
    try {
      line = await this.nextLine(timeoutMs);
    } catch (err) {
      this.kill();
      return { ok: false, reason: (err as Error).message };
    }
    if (line === null) return { ok: false, reason: `exited before it was ready${this.#stderrTail()}` };
    const [word, ...rest] = line.split(' ');
    const json = rest.join(' ');
    if (word === 'ready') return { ok: true, info: json ? JSON.parse(json) : {} };
    if (word === 'unavailable') return { ok: false, reason: JSON.parse(json).reason };
    return { ok: false, reason: `said ${JSON.stringify(line)} instead of ready` };
  }

  send(line: string): void {
    this.child.stdin.write(line + '\n');
  }

  /** Reads lines until one parses as JSON. */
  async result(timeoutMs: number): Promise<Record<string, number>> {
    for (;;) {
      const line = await this.nextLine(timeoutMs);
      if (line === null) throw new Error(`the contender exited${this.#stderrTail()}`);
      if (line.startsWith('{')) return JSON.parse(line);
    }
  }

  async run(n: number, timeoutMs: number, round?: number): Promise<Record<string, number>> {
    this.send(round === undefined ? `run ${n}` : `run ${n} ${round}`);
    return this.result(timeoutMs);
  }

  async quit(): Promise<void> {
    if (this.#exited) return;
    const closed = new Promise<void>((r) => this.child.once('close', () => r()));
    try {
      this.child.stdin.end('quit\n');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => this.kill(), 5000);
    await closed;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.#exited && this.child.pid !== undefined) this.child.kill('SIGKILL');
  }
}

/** Runs a one-shot command and parses the last JSON line it prints. */
export async function oneShot(command: string, args: string[], timeoutMs: number,
  env: Record<string, string> = {}): Promise<Record<string, number> | { unavailable: string }> {
  const c = new Contender(command, args, env);
  let last: string | null = null;
  try {
    for (;;) {
      const line = await c.nextLine(timeoutMs);
      if (line === null) break;
      if (line.startsWith('unavailable ')) {
        c.kill();
        return { unavailable: JSON.parse(line.slice(12)).reason };
      }
      if (line.startsWith('{')) last = line;
    }
  } catch (err) {
    c.kill();
    return { unavailable: (err as Error).message };
  }
  if (last === null) {
    return { unavailable: `printed no result (exit ${c.child.exitCode ?? c.child.signalCode})` };
  }
  return JSON.parse(last);
}

const TICK_NS = 1e9 / 100;  // USER_HZ: /proc's clock ticks are 1/100 s on Linux

/**
 * CPU time (user + system, ns) of each thread of a process, from
 * /proc/PID/task/TID/stat; the main thread's id is the process's.
 */
export function threadCpu(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * TICK_NS);
    } catch {
      // the thread has ended
    }
  }
  return out;
}

/** CPU spent between two threadCpu() snapshots: [main thread, all others]. */
export function cpuDelta(pid: number, before: Map<number, number>, after: Map<number, number>): [number, number] {
  let main = 0, others = 0;
  for (const [tid, t] of after) {
    const d = t - (before.get(tid) ?? 0);
    if (tid === pid) main += d;
    else others += d;
  }
  return [main, others];
}
