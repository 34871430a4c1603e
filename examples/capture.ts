// A small tcpdump for the loopback interface, made of sockcall's system
// calls only: a packet socket (packet(7)) bound to lo, and a blocking
// recvfrom on one of sockcall's threads for each packet. It prints the UDP
// and ICMP packets as `tcpdump -i lo "udp or icmp or icmp6"` does:
//
//   01:39:58.454346 IP 127.0.0.1.45117 > 127.0.0.1.1060: UDP, length 3
//   01:39:58.454359 IP 127.0.0.1 > 127.0.0.1: ICMP 127.0.0.1 udp port 1060 unreachable, length 39
//
// Run as root (a packet socket needs CAP_NET_RAW):
//   sudo npx tsx examples/capture.ts [-c COUNT] [--port PORT] [-t]
// -c stops after COUNT packets, --port keeps the packets to or from a UDP
// port (and the ICMP errors about it), -t leaves out the timestamps.
import { socket, sys, htons, AF_PACKET, SOCK_RAW, ETH_P_ALL, PACKET_OUTGOING } from 'sockcall';
import { decodeFrame, tcpdumpLine, timestamp } from '../cli/packets.ts';

const args = process.argv.slice(2);
const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const count = Number(opt('-c') ?? Infinity);
const port = opt('--port') === undefined ? undefined : Number(opt('--port'));
const stamps = !args.includes('-t');

let sock;
try {
    sock = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
} catch (err) {
    process.stderr.write('capture: a packet socket needs CAP_NET_RAW: run this as root ' +
        '(sudo npx tsx examples/capture.ts), or give node the capability (setcap cap_net_raw+ep)\n');
    throw err;
}
sock.bind(['lo', ETH_P_ALL]);
process.stderr.write('listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n');

let seen = 0;
process.on('SIGINT', () => {
    process.stderr.write(`\n${seen} packets captured\n`);
    process.exit(0);
});

const frame = Buffer.alloc(65536);
while (seen < count) {
    const { nbytes, address } = await sys.recvfrom(sock.fileno(), frame, 0);
    // On lo the kernel hands a packet socket every packet twice, going out
    // and coming in; tcpdump shows it once.
    if (address && 'pkttype' in address && address.pkttype === PACKET_OUTGOING) continue;
    const p = decodeFrame(frame.subarray(0, nbytes));
    if (p === null || p.protocol === 'other') continue;
    if (port !== undefined && p.sport !== port && p.dport !== port) continue;
    seen++;
    process.stdout.write(`${stamps ? timestamp(performance.timeOrigin + performance.now()) + ' ' : ''}${tcpdumpLine(p)}\n`);
}
sock.close();
