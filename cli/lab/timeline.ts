// `sockcall lab KIND --html FILE`: one cell's page. The cell's Python
// program and its TypeScript port are compared as `lab --compare` compares
// them (cli/compare.ts, both under strace, one after the other, in the
// client namespace), while the runner's packet socket captures the client's
// link (runner.ts); the page is compare's (cli/timeline.ts's
// compareTimeline, cli/html.ts's renderTimeline), its wire lane that
// capture: every time on it is strace's or the kernel's.
import type { CaptureResult, Captured } from '../capture-run.ts';
import type { Comparison } from '../compare.ts';
import type { Packet } from '../packets.ts';
import { compareTimeline, type Timeline } from '../timeline.ts';
import { packetsOf } from './cells.ts';
import { labDir, runInLab } from './run.ts';
import type { CompareJob, CompareResult } from './runner.ts';
import { cellName, kind, type Cell, type Invocation, type Lab, type Mode } from './topology.ts';
import type { WirePacket } from './wire.ts';

/** The interface the runner captures: the client's end of its link to the router. */
export const LINK = 'c0';

const MODE_WORDS: Record<Mode, string> = { 'udp-connected': 'UDP, connected', 'udp-unconnected': 'UDP, unconnected', tcp: 'TCP connect' };

/** A cell in words: "port unreachable, IPv4, UDP, connected, IP_RECVERR off". */
export function cellWords(c: Cell): string {
  const recverr = c.family === 6 ? 'IPV6_RECVERR' : 'IP_RECVERR';
  return `${kind(c.kind).title}, IPv${c.family}, ${MODE_WORDS[c.mode]}, ${recverr} ${c.recverr ? 'on' : 'off'}`;
}

/**
 * A packet of the lab's capture as compare's capture gives one: the
 * decoding is the lab's (wire.ts, which knows every ICMP error the lab
 * makes and what each quotes); the time is the kernel's stamp.
 */
export function capturedOf(p: WirePacket): Captured {
  const protocol: Packet['protocol'] = p.icmp !== undefined ? (p.ip === 4 ? 'icmp' : 'icmp6') : p.protocol === 17 ? 'udp' : 'other';
  const length = Number(/length (\d+)$/.exec(p.line)?.[1] ?? 0);
  const packet: Packet = { ip: p.ip, src: p.src, dst: p.dst, protocol, length };
  if (protocol === 'udp') {
    packet.sport = p.sport;
    packet.dport = p.dport;
  }
  if (p.icmp !== undefined) {
    packet.type = p.icmp.type;
    packet.code = p.icmp.code;
    const q = p.icmp.quoted;
    // An error's ports are those of the packet it quotes, as packets.ts gives them.
    if (q !== undefined) {
      packet.inner = { dst: q.dst, protocol: q.protocol, ...(q.dport !== undefined ? { dport: q.dport } : {}) };
      packet.sport = q.sport;
      packet.dport = q.dport;
    }
  }
  const tcp = p.protocol === 6 && p.sport !== undefined && p.dport !== undefined && p.icmp === undefined
    ? { sport: p.sport, dport: p.dport, flags: p.flags ?? 'none', length } : null;
  const stamp = p.stamp ?? null;
  return { time: stamp !== null ? Number(stamp) : null, stamp, packet, tcp, line: p.line };
}

/** The wire lane's note: where the frames were taken, and what each one's time is. */
const WIRE_NOTE = `Wire: the frames a packet socket on the client's link (${LINK}, inside the lab's client namespace) saw ` +
  'during the run, both ways, each at the kernel\'s timestamp of the packet socket\'s copy (SO_TIMESTAMPNS: CLOCK_REALTIME, ' +
  'the clock of strace -ttt): a frame the client sent as it was handed to the link (dev_queue_xmit_nit), a frame it received as ' +
  'the link received it. Kept when they are to or from a port of the run\'s sockets, or an ICMP error about a packet one of them ' +
  'sent. The capture is the lab runner\'s own (not traced), from before the first program to 50 ms after the last.';

/** The page of one cell, from its comparison and the capture of the client's link. */
export function labTimeline(cell: Cell, inv: Invocation, c: Comparison, packets: WirePacket[],
  capture: { ok: boolean; error?: string }): Timeline {
  const k = kind(cell.kind);
  const frames = packetsOf(inv.from, packets).map(capturedOf);
  const result: CaptureResult = capture.ok ? { ok: true, frames, untimed: frames.filter((f) => f.time === null).length }
    : { ok: false, why: `the client's link could not be captured: ${capture.error ?? 'no reason given'}` };
  const tl = compareTimeline({ ...c, capture: result }, { wire: { lane: LINK, note: WIRE_NOTE } });
  const port = inv.args[inv.program === 'udp' ? 3 : 2];
  return {
    ...tl,
    title: `sockcall lab: ${cellName(cell)}, ${inv.program}.py and ${inv.program}.ts`,
    summary: `One cell of the lab (${cellWords(cell)}): the system calls each program made on its socket, each a bar from its ` +
      'entry to its return on a real time axis, with the socket\'s kernel state and the packets on the client\'s link, the ICMP ' +
      'error joined to the call it was reported to; the two programs side by side, aligned by row.',
    notes: [
      `In the lab: ${k.how}. Both programs ran in the client namespace, given the same arguments ` +
        `(\`${inv.program}.py ${inv.args.join(' ')}\`): they send from ${inv.from}, this cell's own source address, to ` +
        `${inv.to} port ${port}.`,
      ...(tl.notes ?? []),
    ],
  };
}

/**
 * Runs a cell's two programs under compare in the lab, with the client's
 * link captured, and gives the comparison's result, the cell's page, and
 * the packets to or from the cell's source address (both programs').
 */
export async function cellPage(lab: Lab, cell: Cell, deadline = 5):
  Promise<{ result: CompareResult; timeline: Timeline | null; packets: WirePacket[] }> {
  const inv = lab.invocation(cell);
  const job: CompareJob = { type: 'compare', id: cellName(cell), left: `${inv.program}.py`, right: `${inv.program}.ts`, args: inv.args,
    cwd: labDir, deadline, timeline: true };
  const out = await runInLab(lab, [job], { concurrency: 1, capture: true });
  const result = out.results[0] as CompareResult;
  const timeline = result.comparison === undefined ? null : labTimeline(cell, inv, result.comparison, out.packets, out.capture);
  return { result, timeline, packets: packetsOf(inv.from, out.packets) };
}
