// Starting and stopping the capture beside a traced program: a child process
// (cli/capture-child.ts, made of sockcall's public API) with a packet socket
// on lo, never traced by strace (strace follows only the program), whose
// frames come back decoded, each with the kernel's receive timestamp on
// CLOCK_REALTIME, the clock of strace -ttt. Without CAP_NET_RAW the capture
// says why it could not start, and the caller draws an empty wire lane with
// that reason.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownScript } from './runtime.ts';
import { decodeFrame, tcpdumpLine, type Packet } from './packets.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** A TCP segment's ports and flags (decodeFrame leaves TCP as 'other'). */
export interface Tcp { sport: number; dport: number; flags: string; length: number }

/** A frame the capture saw coming in on lo. */
export interface Captured {
  /** The kernel's receive timestamp, seconds since the epoch (CLOCK_REALTIME), or null when it gave none. */
  time: number | null;
  /** The same, as the kernel gave it: "SEC.NSEC", for display. */
  stamp: string | null;
  packet: Packet;
  tcp: Tcp | null;
  /** As tcpdump -n prints it, without the timestamp. */
  line: string;
}

export type CaptureResult = { ok: true; frames: Captured[]; untimed: number } | { ok: false; why: string };

export interface Capture {
  /** Stops the capture once every frame queued so far is read, and gives them. */
  stop(): Promise<CaptureResult>;
}

const ETH = 14;
const TCP_FLAGS = [[0x02, 'S'], [0x01, 'F'], [0x04, 'R'], [0x08, 'P'], [0x10, '.']] as const;

/** The TCP header of an IPv4 or IPv6 frame, when it carries TCP (RFC 9293's offsets). */
export function decodeTcp(frame: Buffer): Tcp | null {
  if (frame.length < ETH + 20) return null;
  const ethertype = frame.readUInt16BE(12);
  let at: number;
  let payload: number;
  if (ethertype === 0x0800 && frame[ETH] >> 4 === 4 && frame[ETH + 9] === 6) {
    const ihl = (frame[ETH] & 0xf) * 4;
    at = ETH + ihl;
    payload = frame.readUInt16BE(ETH + 2) - ihl;
  } else if (ethertype === 0x86dd && frame.length >= ETH + 40 && frame[ETH + 6] === 6) {
    at = ETH + 40;
    payload = frame.readUInt16BE(ETH + 4);
  } else {
    return null;
  }
  if (frame.length < at + 14) return null;
  const off = (frame[at + 12] >> 4) * 4;
  const bits = frame[at + 13];
  // tcpdump's order: S, F, R, P, then '.' for ACK.
  const flags = TCP_FLAGS.filter(([b]) => (bits & b) !== 0).map(([, c]) => c).join('') || 'none';
  return { sport: frame.readUInt16BE(at), dport: frame.readUInt16BE(at + 2), flags, length: payload - off };
}

/** Parses one line of the child's ("p SEC.NSEC HEX" or "p - HEX"). */
export function parseFrameLine(line: string): Captured | null {
  const m = /^p (\d+\.\d{9}|-) ([0-9a-f]+)$/.exec(line);
  if (m === null) return null;
  const frame = Buffer.from(m[2], 'hex');
  const packet = decodeFrame(frame);
  if (packet === null) return null;
  const tcp = packet.protocol === 'other' ? decodeTcp(frame) : null;
  const ip = packet.ip === 4 ? 'IP' : 'IP6';
  const line_ = tcp !== null
    ? `${ip} ${packet.src}.${tcp.sport} > ${packet.dst}.${tcp.dport}: Flags [${tcp.flags}], length ${tcp.length}`
    : tcpdumpLine(packet);
  return { time: m[1] === '-' ? null : Number(m[1]), stamp: m[1] === '-' ? null : m[1], packet, tcp, line: line_ };
}

/**
 * Starts the capture and resolves once it is ready (its socket bound, its
 * timestamps on), so that what the program sends next is seen.
 */
export function startCapture(): Promise<Capture> {
  const env = { ...process.env };
  delete env.SOCKCALL_TRACE;
  const [cmd, ...argv] = ownScript(here, 'capture-child');
  const child = spawn(cmd, argv,
    { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  let ended = false;
  const closed = new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  return new Promise((resolve) => {
    let ready = false;
    const failed = (why: string): Capture => ({ stop: async () => ({ ok: false, why }) });
    child.on('error', (err) => { if (!ready) { ready = true; resolve(failed(`the capture could not start: ${err.message}`)); } });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      const parts = (partial + d).split('\n');
      partial = parts.pop()!;
      for (const l of parts) {
        if (!ready && l === 'ready') {
          ready = true;
          resolve({
            async stop() {
              child.stdin!.end();
              const status = await closed;
              if (!ended) return { ok: false, why: `the capture ended early (status ${status}): ${stderr.trim().split('\n').pop() ?? ''}` };
              const frames = lines.map(parseFrameLine).filter((f): f is Captured => f !== null);
              return { ok: true, frames, untimed: frames.filter((f) => f.time === null).length };
            },
          });
        } else if (!ready && l.startsWith('denied ')) {
          ready = true;
          resolve(failed(`no packet socket (${l.slice(7)}): capturing needs CAP_NET_RAW, run as root`));
        } else if (l === 'end') {
          ended = true;
        } else {
          lines.push(l);
        }
      }
    });
    void closed.then((status) => {
      if (!ready) { ready = true; resolve(failed(`the capture exited (status ${status}): ${stderr.trim().split('\n').pop() ?? ''}`)); }
    });
  });
}
