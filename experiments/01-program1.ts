// The article's program 1: a connected UDP socket sends to a closed port;
// the ICMP port unreachable comes back as errno 111 on the next recvfrom.
import { socket, AF_INET, SOCK_DGRAM } from 'sockcall';
const sock = socket(AF_INET, SOCK_DGRAM);
await sock.connect(['localhost', 1060]);
await sock.send(Buffer.from('123'));
const data = await sock.recvfrom(65535);
