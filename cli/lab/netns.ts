// The lab's network namespaces: made, named after the process that owns
// them, and always removed.
//
// A lab is three namespaces, `sockcall-lab-PID-START-N-client`, `-router`
// and `-server`: PID and START (its start time in clock ticks since boot,
// proc(5) /proc/PID/stat field 22) name the owning process, so that a lab
// whose owner is gone, even killed with SIGKILL, is recognised by the next
// run and swept (its processes killed, its namespaces deleted), and a pid
// reused by another process is not mistaken for the owner. N tells apart
// the labs of one process.
//
// Every interface is made inside a lab namespace (`ip -n NS link add ...
// peer ... netns NS2`), never in the host's namespace, so the host's links
// are never touched, not even for a moment. Removal happens in a `finally`,
// on exit, and on SIGINT, SIGTERM and SIGHUP.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const PREFIX = 'sockcall-lab-';
const NAME = /^sockcall-lab-(\d+)-(\d+)-(\d+)-(client|router|server)$/;

export class LabError extends Error {}

/** Runs ip(8); throws LabError with ip's own message when it fails. */
export function ip(args: string[], input?: string): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', input });
  if (r.error) {
    throw new LabError((r.error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'ip(8) is not installed here (apt-get install iproute2)' : `ip: ${r.error.message}`);
  }
  if (r.status !== 0) throw new LabError(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The network namespaces ip(8) knows (`ip netns list`), by name. */
export function namespaces(): string[] {
  return ip(['netns', 'list']).split('\n').map((l) => l.split(' ')[0]).filter((n) => n !== '');
}

/** A process's start time in clock ticks since boot (proc(5): /proc/PID/stat, field 22), or null if it is gone. */
export function startTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2, the command, is in parentheses and may hold spaces: count from
  // the last ')', after which field 3 begins.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

/** Kills every process left in a namespace (`ip netns pids`), then deletes it. */
function remove(ns: string): void {
  let pids: number[] = [];
  try {
    pids = ip(['netns', 'pids', ns]).split('\n').filter(Boolean).map(Number);
  } catch { /* already gone */ }
  for (const pid of pids) {
    if (pid === process.pid) continue;
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  try { ip(['netns', 'delete', ns]); } catch { /* already gone */ }
}

/**
 * Removes the labs whose owner is gone (its pid no longer runs, or runs a
 * process that started at another time). Returns the namespaces removed.
 */
export function sweep(): string[] {
  const removed: string[] = [];
  for (const ns of namespaces()) {
    const m = NAME.exec(ns);
    if (m === null) continue;
    if (startTime(Number(m[1])) === m[2]) continue;
    remove(ns);
    removed.push(ns);
  }
  return removed;
}

/** Whether this process may make network namespaces: root with CAP_NET_ADMIN and CAP_SYS_ADMIN, and ip(8) here. */
export function canMakeLabs(): { ok: true } | { ok: false; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: 'making network namespaces needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN)' };
  const r = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (r.error) return { ok: false, why: 'ip(8) is not installed here (apt-get install iproute2)' };
  const caps = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  const eff = caps ? BigInt(`0x${caps[1]}`) : 0n;
  const CAP_NET_ADMIN = 12n;
  const CAP_SYS_ADMIN = 21n;
  if (!(eff & (1n << CAP_NET_ADMIN)) || !(eff & (1n << CAP_SYS_ADMIN))) {
    return { ok: false, why: 'this process lacks CAP_NET_ADMIN or CAP_SYS_ADMIN, which network namespaces need' };
  }
  return { ok: true };
}

const live = new Set<Namespaces>();
let counter = 0;
let hooked = false;

function removeAll(): void {
  for (const lab of live) lab.remove();
}

// Removal on every way out: a normal exit, an uncaught error (which exits),
// and the signals a terminal or a supervisor sends. A signal is re-raised
// once the lab is gone, so that the process ends as the signal meant.
function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', removeAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      removeAll();
      process.removeListener(sig, handler);
      process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

/** One lab's three namespaces, made empty (loopback only, down). */
export class Namespaces {
  readonly client: string;
  readonly router: string;
  readonly server: string;
  #removed = false;

  constructor() {
    const start = startTime(process.pid);
    if (start === null) throw new LabError('cannot read this process\'s start time from /proc/self/stat');
    const base = `${PREFIX}${process.pid}-${start}-${counter++}`;
    this.client = `${base}-client`;
    this.router = `${base}-router`;
    this.server = `${base}-server`;
    hook();
    live.add(this);
    try {
      for (const ns of this.all()) ip(['netns', 'add', ns]);
    } catch (err) {
      this.remove();
      throw err;
    }
  }

  all(): string[] {
    return [this.client, this.router, this.server];
  }

  /** argv that runs argv inside a namespace of the lab. */
  exec(ns: string, argv: string[]): string[] {
    return ['ip', 'netns', 'exec', ns, ...argv];
  }

  /** Kills what still runs in the namespaces and deletes them; safe to call twice. */
  remove(): void {
    if (this.#removed) return;
    this.#removed = true;
    live.delete(this);
    for (const ns of this.all()) remove(ns);
  }
}
