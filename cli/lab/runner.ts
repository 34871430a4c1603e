// The part of the lab that runs inside its client namespace (started there
// with `ip netns exec`, so that every socket it and its children make is the
// client's): it captures the client's link with a packet socket while it
// runs the jobs it is given, a few at a time, and prints one JSON document.
//
// A job is a program run (a cell's program, its stdout kept; with `trace`,
// its stdout and sockcall's trace of it interleaved in one file, so that
// each printed step comes after the system calls it made) or a comparison
// (cli/compare.ts, both sides run here, in the client namespace).
//
//   ip netns exec NS node --import tsx cli/lab/runner.ts < jobs.json
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  sys, htons, AF_PACKET, SOCK_RAW, ETH_P_ALL, SOL_SOCKET, SO_TIMESTAMPNS, SCM_TIMESTAMPNS, PACKET_OUTGOING, OSError,
} from 'sockcall';
import { commandFor, compare, comparisonJson, formatComparison, type Comparison } from '../compare.ts';
import { decodeLabFrame, type WirePacket } from './wire.ts';
import { isTraceLine } from './cells.ts';

export interface RunJob { type: 'run'; id: string; program: string; args: string[]; cwd: string; trace?: boolean; timeoutMs?: number }
export interface CompareJob {
  type: 'compare'; id: string; left: string; right: string; args: string[]; cwd: string; deadline: number;
  /** Also give the whole comparison, with the calls' raw records (times, threads) a time line is drawn from. */
  timeline?: boolean;
}
export type Job = RunJob | CompareJob;
export interface RunnerInput { jobs: Job[]; concurrency: number; capture: string | null }

export interface RunResult {
  type: 'run'; id: string; stdout: string; stderr: string; status: number | null; signal: string | null;
  /** With trace: the program's stdout and its trace lines, in the order they were written. */
  combined?: string[];
  startedAt: number; endedAt: number;
}
export interface CompareResult {
  type: 'compare'; id: string; match: boolean; verdict: string; text: string; json: unknown; error?: string;
  /** With `timeline`: the comparison itself (its `capture` null: the runner's capture of the link is RunnerOutput.packets). */
  comparison?: Comparison;
}
export interface RunnerOutput {
  results: (RunResult | CompareResult)[];
  packets: WirePacket[];
  capture: { ok: boolean; error?: string };
  /** TcpExtLockDroppedIcmps over the run (ICMP errors that found their socket owned by a system call). */
  lockDroppedIcmps: number | null;
}

function lockDroppedIcmps(): number | null {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
  if (lines.length < 2) return null;
  const names = lines[0].split(/\s+/);
  const values = lines[1].split(/\s+/);
  const i = names.indexOf('LockDroppedIcmps');
  return i < 0 ? null : Number(values[i]);
}

/** A packet socket on the interface, reading until stopped; kernel receive times from SO_TIMESTAMPNS. */
function startCapture(ifname: string): { stop(): Promise<WirePacket[]>; error?: string } {
  let fd: number;
  try {
    fd = sys.socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    sys.bind(fd, { family: AF_PACKET, protocol: ETH_P_ALL, ifindex: sys.if_nametoindex(ifname) });
    sys.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    return { stop: async () => [], error: `${e.name}: ${e.message}` };
  }
  const packets: WirePacket[] = [];
  const abort = new AbortController();
  const frame = Buffer.alloc(65536);
  const loop = (async () => {
    for (;;) {
      let r;
      try {
        r = await sys.recvmsg(fd, { iov: [frame], controllen: 64 }, 0, { signal: abort.signal });
      } catch (e) {
        if (abort.signal.aborted) return;
        throw e;
      }
      const stamp = r.control.find((c) => c.level === SOL_SOCKET && c.type === SCM_TIMESTAMPNS);
      const t = stamp ? Number(stamp.data.readBigInt64LE(0)) + Number(stamp.data.readBigInt64LE(8)) / 1e9 : Date.now() / 1000;
      const out = r.address !== null && 'pkttype' in r.address && r.address.pkttype === PACKET_OUTGOING;
      const p = decodeLabFrame(frame.subarray(0, r.nbytes), t, out ? 'out' : 'in');
      if (p !== null && stamp) p.stamp = `${stamp.data.readBigInt64LE(0)}.${String(stamp.data.readBigInt64LE(8)).padStart(9, '0')}`;
      if (p !== null) packets.push(p);
    }
  })();
  return {
    async stop() {
      // What the last job's packets set off (an ICMP error arrives within
      // microseconds here) has arrived 50 ms after it ended.
      await new Promise((r) => setTimeout(r, 50));
      abort.abort();
      await loop;
      sys.close(fd);
      return packets;
    },
  };
}

function run(job: RunJob): Promise<RunResult> {
  const argv = commandFor(job.program, job.args, job.cwd);
  const env = { ...process.env };
  delete env.SOCKCALL_TRACE;
  let tmp: string | null = null;
  let combinedFd: number | null = null;
  if (job.trace) {
    // stdout and stderr are one open file: sockcall's trace (SOCKCALL_TRACE=1,
    // written to fd 2 as each call returns) and the program's lines (Node
    // writes to a file synchronously) land in the order they were written.
    tmp = mkdtempSync(path.join(tmpdir(), 'sockcall-lab-'));
    combinedFd = openSync(path.join(tmp, 'out'), 'w', 0o600);
    env.SOCKCALL_TRACE = '1';
  }
  const startedAt = Date.now() / 1000;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: job.cwd, env,
      stdio: combinedFd === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', combinedFd, combinedFd] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), job.timeoutMs ?? 20_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      let combined: string[] | undefined;
      if (tmp !== null && combinedFd !== null) {
        closeSync(combinedFd);
        combined = readFileSync(path.join(tmp, 'out'), 'utf8').split('\n').filter((l) => l !== '');
        rmSync(tmp, { recursive: true, force: true });
        stdout = combined.filter((l) => !isTraceLine(l)).join('\n') + '\n';
      }
      resolve({ type: 'run', id: job.id, stdout, stderr, status, signal, combined, startedAt, endedAt: Date.now() / 1000 });
    });
  });
}

async function comparison(job: CompareJob): Promise<CompareResult> {
  try {
    const c = await compare(job.left, job.right, { cwd: job.cwd, args: job.args, deadline: job.deadline });
    return { type: 'compare', id: job.id, match: c.match, verdict: c.verdict, text: formatComparison(c, { color: false, width: 200 }),
      json: comparisonJson(c), ...(job.timeline ? { comparison: c } : {}) };
  } catch (e) {
    return { type: 'compare', id: job.id, match: false, verdict: `cannot run: ${(e as Error).message}`, text: '', json: null,
      error: (e as Error).message };
  }
}

async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  }));
  return results;
}

async function main(): Promise<void> {
  const input = JSON.parse(readFileSync(0, 'utf8')) as RunnerInput;
  const lockBefore = lockDroppedIcmps();
  const cap = input.capture === null ? null : startCapture(input.capture);
  const results = await pool<Job, RunResult | CompareResult>(input.jobs, input.concurrency,
    (j) => (j.type === 'run' ? run(j) : comparison(j)));
  const packets = cap === null ? [] : await cap.stop();
  const lockAfter = lockDroppedIcmps();
  const out: RunnerOutput = {
    results, packets, capture: cap === null ? { ok: false, error: 'not asked for' } : { ok: cap.error === undefined, error: cap.error },
    lockDroppedIcmps: lockBefore === null || lockAfter === null ? null : lockAfter - lockBefore,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

await main();
