// What a cell's program printed, read back: one step per line ("sendto: 3",
// "SO_ERROR: 113 EHOSTUNREACH", "error queue: errno 113 ..."), in order,
// and the short form the matrix's grid shows. Nothing here is typed in:
// every value is the program's line, as it printed it.
import type { Cell, Invocation } from './topology.ts';
import type { WirePacket } from './wire.ts';

export interface Step { call: string; result: string }

/** A line of sockcall's trace: a system call in strace's syntax, with its duration. */
export function isTraceLine(line: string): boolean {
  return /^(?:\[pid\s+\d+\] )?\w+\(.*\) = .* <\d+\.\d+>$/.test(line);
}

export function steps(stdout: string): Step[] {
  return stdout.split('\n').filter((l) => l.includes(': ')).map((l) => {
    const at = l.indexOf(': ');
    return { call: l.slice(0, at), result: l.slice(at + 2) };
  });
}

/** The errno in a step's result: "[Errno 113] ...", "113 EHOSTUNREACH" (SO_ERROR), "errno 113 ..." (the queue). */
export function errnoIn(result: string): number | null {
  const m = /\[Errno (\d+)\]/.exec(result) ?? /^(\d+) E[A-Z]+$/.exec(result) ?? /^errno (\d+) /.exec(result);
  return m === null ? null : Number(m[1]);
}

export interface CellRun {
  cell: Cell;
  name: string;
  invocation: Invocation;
  stdout: string;
  stderr: string;
  status: number | null;
  steps: Step[];
  /** The packets to or from this run's own source address, in order. */
  packets: WirePacket[];
  /** Milliseconds from the first packet the cell sent to the first ICMP error it got, when it got one. */
  icmpAfterMs: number | null;
  /** When traced: the program's lines and sockcall's trace lines, in the order they were written. */
  combined?: string[];
}

/** The packets of one run: those to or from its own source address (no other run uses it). */
export function packetsOf(from: string, packets: WirePacket[]): WirePacket[] {
  return packets.filter((p) => p.src === from || p.dst === from).sort((a, b) => a.t - b.t);
}

export function icmpAfter(packets: WirePacket[]): number | null {
  const first = packets.find((p) => p.dir === 'out');
  const icmp = packets.find((p) => p.icmp !== undefined && p.dir === 'in');
  if (first === undefined || icmp === undefined) return null;
  return (icmp.t - first.t) * 1000;
}

const short = (r: string) => {
  const n = errnoIn(r);
  if (n !== null) return String(n);
  if (r.endsWith('timed out')) return 'timed out';
  return r;
};

/**
 * The grid's short form of a run: for UDP, the errno SO_ERROR held after
 * the first datagram and the one the next recvfrom got after the second
 * ("—" when the socket was told nothing); for TCP, connect's outcome, and
 * SO_ERROR when connect timed out. "q" marks an error queue that held the
 * ICMP error.
 */
export function gridText(run: CellRun): string {
  const get = (call: string) => run.steps.filter((s) => s.call === call).map((s) => s.result);
  const queued = get('error queue').some((r) => r.startsWith('errno '));
  const q = queued ? ' q' : '';
  if (run.cell.mode === 'tcp') {
    const connect = get('connect')[0] ?? '?';
    const soError = get('SO_ERROR')[0] ?? '?';
    if (connect === 'connected') {
      const later = get('SO_ERROR')[1];
      return `connected, then ${later !== undefined && errnoIn(later) !== null ? `SO_ERROR ${errnoIn(later)}` : 'no error'}${q}`;
    }
    if (connect.endsWith('timed out')) return `timed out${errnoIn(soError) !== null ? `, SO_ERROR ${errnoIn(soError)}` : ''}${q}`;
    return `${short(connect)}${q}`;
  }
  const soError = errnoIn(get('SO_ERROR')[0] ?? '');
  const recv = errnoIn(get('recvfrom')[0] ?? '');
  const sends = get('sendto').map(errnoIn).filter((n): n is number => n !== null);
  const parts: string[] = [];
  if (sends.length > 0) parts.push(`sendto ${sends.join(',')}`);
  if (soError === null && recv === null) parts.push('—');
  else if (soError === recv) parts.push(String(soError));
  else parts.push(`SO_ERROR ${soError ?? 0}, recvfrom ${recv ?? 'timed out'}`);
  return parts.join(', ') + q;
}

/** The ICMP errors a run got, short: "3/13 from 192.0.2.1". */
export function icmpText(run: CellRun): string {
  const got = run.packets.filter((p) => p.icmp !== undefined && p.dir === 'in');
  const rst = run.packets.some((p) => p.dir === 'in' && p.flags?.includes('R'));
  if (got.length === 0) return rst ? 'none (a TCP RST)' : 'none';
  const kinds = [...new Set(got.map((p) => `${p.ip === 4 ? 'ICMP' : 'ICMPv6'} ${p.icmp!.type}/${p.icmp!.code}` +
    `${p.icmp!.mtu !== undefined ? ` mtu ${p.icmp!.mtu}` : ''} from ${p.src}`))];
  return kinds.join('; ');
}
