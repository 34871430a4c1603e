// The experiment behind `sockcall explain`, run in a child process with
// SOCKCALL_TRACE set so that each step can show the system calls it made
// (read back from the trace file after the step). Prints one JSON document.
import { readFileSync } from 'node:fs';
import {
  socket, sys, htons, decodeSockExtendedErr, OSError, PACKET_OUTGOING,
  AF_INET, AF_INET6, AF_PACKET, SOCK_DGRAM, SOCK_RAW, ETH_P_ALL, SOL_SOCKET, SO_ERROR, SOL_IP, IP_RECVERR,
  SOL_IPV6, IPV6_RECVERR, MSG_ERRQUEUE, MSG_DONTWAIT, type Socket, type SockExtendedErr,
} from 'sockcall';
import { decodeFrame, tcpdumpLine, type Packet } from './packets.ts';

const [host, portText, familyText] = process.argv.slice(2);
const port = Number(portText);
const family = familyText === '6' ? AF_INET6 : AF_INET;
const traceFile = process.env.SOCKCALL_TRACE!;

let traced = 0;
/** The trace lines written since the last call. */
function newLines(): string[] {
  const lines = readFileSync(traceFile, 'utf8').split('\n').filter((l) => l !== '');
  const fresh = lines.slice(traced);
  traced = lines.length;
  return fresh;
}

function attempt<T>(fn: () => T): { value?: T; error?: string; errno?: number } {
  try {
    return { value: fn() };
  } catch (e) {
    if (e instanceof OSError) return { error: `${e.name}: ${e.message}`, errno: e.errno };
    throw e;
  }
}

const addr: [string, number] = [host, port];
const steps: Record<string, unknown> = {};
newLines();

// A packet socket on lo, when the privilege is there, to see the packets.
let capture: Socket | null = null;
const cap = attempt(() => {
  const s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  s.bind(['lo', ETH_P_ALL]);
  return s;
});
if (cap.value) capture = cap.value;
steps.capture = { ok: capture !== null, error: cap.error, lines: newLines() };

// 1. A connected socket sends; its SO_ERROR is read after poll() reports
// POLLERR (or 200 ms pass).
const a = socket(family, SOCK_DGRAM);
a.connectSync(addr);
const sent = a.sendSync(Buffer.from('123'));
const lines = newLines();
const aPort = (a.getsockname() as [string, number])[1];
newLines();
steps.send = { sent, lines };
const ready = sys.pollSync([{ fd: a.fileno(), events: 0 }], 200);
const soError = a.getsockopt(SOL_SOCKET, SO_ERROR);
steps.soError = { ready, soError, lines: newLines() };

// 2. A second connected socket sends, then receives: recvfrom is handed the
// error. A timeout keeps a listener that never answers from blocking us.
const b = socket(family, SOCK_DGRAM);
b.connectSync(addr);
b.sendSync(Buffer.from('123'));
b.settimeout(0.5);
const recv = attempt(() => b.recvfromSync(65535));
steps.recvfrom = { error: recv.error, errno: recv.errno, received: recv.value ? recv.value[0].length : undefined,
  lines: newLines() };

// 3. The ICMP itself: from the capture, or from the error queue of an
// unconnected probe socket with IP_RECVERR / IPV6_RECVERR.
const packets: string[] = [];
if (capture) {
  const frame = Buffer.alloc(65536);
  for (;;) {
    const r = attempt(() => sys.recvfromSync(capture!.fileno(), frame, MSG_DONTWAIT));
    if (!r.value) break;
    const { nbytes, address } = r.value;
    if (address && 'pkttype' in address && address.pkttype === PACKET_OUTGOING) continue;
    const p: Packet | null = decodeFrame(frame.subarray(0, nbytes));
    // The first socket's datagram, and the ICMP error about it (which
    // quotes the datagram's ports).
    if (p && p.sport === aPort && p.dport === port) packets.push(tcpdumpLine(p));
  }
  capture.close();
}
steps.packets = { packets, lines: capture ? newLines().filter((l) => !l.includes('EAGAIN')) : [] };

const c = socket(family, SOCK_DGRAM);
c.setsockopt(family === AF_INET ? SOL_IP : SOL_IPV6, family === AF_INET ? IP_RECVERR : IPV6_RECVERR, 1);
c.sendtoSync(Buffer.from('123'), addr);
const cReady = sys.pollSync([{ fd: c.fileno(), events: 0 }], 200);
const q = attempt(() => c.recvmsgSync(65535, 512, MSG_ERRQUEUE));
let queued: SockExtendedErr | null = null;
if (q.value && q.value[1].length > 0) queued = decodeSockExtendedErr(q.value[1][0]);
steps.errqueue = { ready: cReady, error: q.error, returned: q.value ? q.value[0].toString() : undefined,
  ee: queued, lines: newLines() };

// 4. An unconnected socket sends the same datagram and waits: it is never told.
const d = socket(family, SOCK_DGRAM);
d.sendtoSync(Buffer.from('123'), addr);
d.settimeout(0.5);
const dr = attempt(() => d.recvfromSync(65535));
const dError = d.getsockopt(SOL_SOCKET, SO_ERROR);
steps.unconnected = { error: dr.error, soError: dError, lines: newLines() };

for (const s of [a, b, c, d]) s.close();
newLines();
process.stdout.write(JSON.stringify({ host, port, family: familyText, steps }) + '\n');
