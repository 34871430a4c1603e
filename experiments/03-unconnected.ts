// The same datagram from an unconnected socket: the ICMP comes back too, but
// "errors are not returned to unconnected UDP sockets": recvfrom waits.
import { socket, AF_INET, SOCK_DGRAM } from 'sockcall';
const sock = socket(AF_INET, SOCK_DGRAM);
await sock.sendto(Buffer.from('123'), ['127.0.0.1', 1060]);
const data = await sock.recvfrom(65535);
