// The experiment behind `sockcall explain`, run in a child process with
// SOCKCALL_TRACE set so that each step can show the system calls it made
// (read back from the trace file after the step). Prints one JSON document.
import { readFileSync } from 'node:fs';
import {
  socket, sys, htons, decodeSockExtendedErr, OSError, PACKET_OUTGOING, CMSG_SPACE,
  AF_INET, AF_INET6, AF_PACKET, SOCK_DGRAM, SOCK_RAW, ETH_P_ALL, SOL_SOCKET, SO_ERROR, SOL_IP, IP_RECVERR,
  SOL_IPV6, IPV6_RECVERR, MSG_ERRQUEUE, MSG_DONTWAIT, SO_TIMESTAMPNS, SCM_TIMESTAMPNS,
  type Socket, type SockExtendedErr, type Ancdata,
} from 'sockcall';
import { decodeFrame, tcpdumpLine, type Packet } from './packets.ts';

const [host, portText, familyText, captureText] = process.argv.slice(2);
const port = Number(portText);
const family = familyText === '6' ? AF_INET6 : AF_INET;
// One file per process when the path has %p (startRun's), as the addon names it.
const traceFile = process.env.SOCKCALL_TRACE!.replace('%p', String(process.pid));

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

// A packet socket on lo, when the privilege is there, to see the packets,
// each with the kernel's receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME:
// strace -ttt's clock), read after the last step. "nocapture" leaves it out.
let capture: Socket | null = null;
const cap = captureText === 'nocapture' ? { error: 'not asked for (--no-capture)' } : attempt(() => {
  const s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  s.setsockopt(SOL_SOCKET, SO_TIMESTAMPNS, 1);
  s.bind(['lo', ETH_P_ALL]);
  return s;
});
if ('value' in cap && cap.value) capture = cap.value;
const captureFd = capture ? capture.fileno() : null;
steps.capture = { ok: capture !== null, error: cap.error, lines: newLines() };

/** An SCM_TIMESTAMPNS control message's time, "SEC.NSEC" (struct timespec, 64-bit). */
function stampOf(ancdata: Ancdata[]): string | null {
  for (const [level, type, d] of ancdata) {
    if (level === SOL_SOCKET && type === SCM_TIMESTAMPNS && d.length >= 16) {
      return `${d.readBigInt64LE(0)}.${String(d.readBigInt64LE(8)).padStart(9, '0')}`;
    }
  }
  return null;
}

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

// 3. The ICMP itself: from the capture (read below), or from the error
// queue of an unconnected probe socket with IP_RECVERR / IPV6_RECVERR, whose
// entry carries its own kernel timestamp (SO_TIMESTAMPNS): the ICMP's
// arrival, measured without the privilege to capture.
const c = socket(family, SOCK_DGRAM);
const recverr = family === AF_INET ? [SOL_IP, IP_RECVERR] : [SOL_IPV6, IPV6_RECVERR];
c.setsockopt(recverr[0], recverr[1], 1);
c.setsockopt(SOL_SOCKET, SO_TIMESTAMPNS, 1);
c.sendtoSync(Buffer.from('123'), addr);
const cReady = sys.pollSync([{ fd: c.fileno(), events: 0 }], 200);
const q = attempt(() => c.recvmsgSync(65535, 512, MSG_ERRQUEUE));
let queued: SockExtendedErr | null = null;
const ee = q.value?.[1].find(([level, type]) => level === recverr[0] && type === recverr[1]);
if (ee) queued = decodeSockExtendedErr(ee);
steps.errqueue = { ready: cReady, error: q.error, returned: q.value ? q.value[0].toString() : undefined,
  ee: queued, stamp: q.value ? stampOf(q.value[1]) : null, lines: newLines() };

// 4. An unconnected socket sends the same datagram and waits: it is never told.
const d = socket(family, SOCK_DGRAM);
d.sendtoSync(Buffer.from('123'), addr);
d.settimeout(0.5);
const dr = attempt(() => d.recvfromSync(65535));
const dError = d.getsockopt(SOL_SOCKET, SO_ERROR);
steps.unconnected = { error: dr.error, soError: dError, lines: newLines() };

// The packets, once every step has made its own: the first socket's
// datagram and the ICMP error about it (which quotes the datagram's ports)
// for the narration, and every frame to or from the port, or about it, with
// its timestamp, for the time line.
const packets: string[] = [];
const wire: { stamp: string | null; hex: string }[] = [];
if (capture) {
  const buf = Buffer.alloc(65536);
  for (;;) {
    // sys's recvmsg, not the facade's: the facade names the interface of an
    // AF_PACKET address with one more call (SIOCGIFNAME), as CPython does.
    const r = attempt(() => sys.recvmsgSync(capture!.fileno(), { iov: [buf], controllen: CMSG_SPACE(16) }, MSG_DONTWAIT));
    if (!r.value) break;
    const { nbytes, address, control } = r.value;
    if (address && 'pkttype' in address && address.pkttype === PACKET_OUTGOING) continue;
    const frame = buf.subarray(0, nbytes);
    const p: Packet | null = decodeFrame(frame);
    if (p === null || (p.dport !== port && p.sport !== port)) continue;
    wire.push({ stamp: stampOf(control.map((m) => [m.level, m.type, m.data])), hex: frame.subarray(0, 256).toString('hex') });
    if (p.sport === aPort && p.dport === port) packets.push(tcpdumpLine(p));
  }
  capture.close();
}
steps.packets = { packets, wire, lines: capture ? newLines().filter((l) => !l.includes('EAGAIN')) : [] };

const fds = { a: a.fileno(), b: b.fileno(), c: c.fileno(), d: d.fileno(), capture: captureFd };
for (const s of [a, b, c, d]) s.close();
newLines();
process.stdout.write(JSON.stringify({ host, port, family: familyText, steps, fds }) + '\n');
