// The pending error is the socket's SO_ERROR: reading it returns 111 and
// clears it, and then recvfrom has nothing to report and waits.
import { socket, AF_INET, SOCK_DGRAM, SOL_SOCKET, SO_ERROR } from 'sockcall';
const sock = socket(AF_INET, SOCK_DGRAM);
await sock.connect(['127.0.0.1', 1060]);
await sock.send(Buffer.from('123'));
console.log('SO_ERROR', sock.getsockopt(SOL_SOCKET, SO_ERROR));
console.log('SO_ERROR', sock.getsockopt(SOL_SOCKET, SO_ERROR));
const data = await sock.recvfrom(65535);
