// Program 1 on ::1: ICMPv6 port unreachable is errno 111 too.
import { socket, AF_INET6, SOCK_DGRAM } from 'sockcall';
const sock = socket(AF_INET6, SOCK_DGRAM);
await sock.connect(['::1', 1060]);
await sock.send(Buffer.from('123'));
const data = await sock.recvfrom(65535);
