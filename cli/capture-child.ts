// The capture that runs beside a program compare traces (cli/capture-run.ts
// starts it; it is not traced: strace follows only the program). Made of
// sockcall's public API only: a packet socket (packet(7)) bound to lo, with
// SO_TIMESTAMPNS, so that each frame comes with the kernel's receive
// timestamp, taken when the frame entered lo's receive path
// (net_timestamp_check in netif_rx) on CLOCK_REALTIME: the clock of
// strace -ttt, so packets and calls share one time axis.
//
// It writes one line per frame to stdout, and reads nothing but the end of
// stdin, which tells it to stop:
//   ready                              the socket is bound, timestamps are on
//   p SEC.NSEC HEX                     a frame (its first 256 bytes), received at SEC.NSEC
//   p - HEX                            a frame that came without a timestamp
//   end                                stopped, after reading every frame queued
// On lo each frame is seen twice, going out and coming in; only the incoming
// copy is written, as tcpdump does (libpcap skips PACKET_OUTGOING on lo).
// Without CAP_NET_RAW it writes `denied <the error>` and exits with status 3.
import {
  socket, sys, htons, OSError, AF_PACKET, SOCK_RAW, ETH_P_ALL, PACKET_OUTGOING, SOL_SOCKET, SO_TIMESTAMPNS,
  SCM_TIMESTAMPNS, MSG_DONTWAIT, POLLIN, CMSG_SPACE, type Socket,
} from 'sockcall';

const SNAP = 256;
const buf = Buffer.alloc(SNAP);
let sock: Socket;
try {
  sock = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
} catch (err) {
  if (!(err instanceof OSError)) throw err;
  process.stdout.write(`denied ${err.name}: ${err.message}\n`);
  process.exit(3);
}
sock.setsockopt(SOL_SOCKET, SO_TIMESTAMPNS, 1);
sock.bind(['lo', ETH_P_ALL]);

const out: string[] = [];
const flush = () => { if (out.length > 0) { process.stdout.write(out.join('')); out.length = 0; } };

/** Reads every frame queued now, without waiting. */
function drain(): void {
  for (;;) {
    let r;
    try {
      // sys's recvmsg, not the facade's, which would name the AF_PACKET
      // address's interface with one more call (SIOCGIFNAME) per frame.
      r = sys.recvmsgSync(sock.fileno(), { iov: [buf], controllen: CMSG_SPACE(16) }, MSG_DONTWAIT);
    } catch (err) {
      if (err instanceof OSError && err.code === 'EAGAIN') break;
      throw err;
    }
    const { nbytes, address, control } = r;
    if (address && 'pkttype' in address && address.pkttype === PACKET_OUTGOING) continue;
    const data = buf.subarray(0, nbytes);
    let stamp = '-';
    for (const { level, type, data: d } of control) {
      // struct timespec on Linux's 64-bit ABIs: tv_sec and tv_nsec, 8 bytes each.
      if (level === SOL_SOCKET && type === SCM_TIMESTAMPNS && d.length >= 16) {
        stamp = `${d.readBigInt64LE(0)}.${String(d.readBigInt64LE(8)).padStart(9, '0')}`;
      }
    }
    out.push(`p ${stamp} ${data.toString('hex')}\n`);
  }
  flush();
}

const stop = new AbortController();
process.stdin.on('end', () => stop.abort());
process.stdin.resume();
process.on('SIGTERM', () => stop.abort());
process.stdout.write('ready\n');

for (;;) {
  try {
    await sys.poll([{ fd: sock.fileno(), events: POLLIN }], -1, { signal: stop.signal });
  } catch (err) {
    if (stop.signal.aborted) break;
    throw err;
  }
  drain();
}
drain();
sock.close();
process.stdout.write('end\n');
