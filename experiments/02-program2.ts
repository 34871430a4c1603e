// The article's program 2: no send, so no ICMP, and recvfrom waits forever.
import { socket, AF_INET, SOCK_DGRAM } from 'sockcall';
const sock = socket(AF_INET, SOCK_DGRAM);
await sock.connect(['localhost', 1060]);
const data = await sock.recvfrom(65535);
