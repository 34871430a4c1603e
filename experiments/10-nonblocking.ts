// Program 2 non-blocking: nothing queued is EAGAIN, BlockingIOError errno 11.
import { socket, AF_INET, SOCK_DGRAM } from 'sockcall';
const sock = socket(AF_INET, SOCK_DGRAM);
sock.setblocking(false);
await sock.connect(['127.0.0.1', 1060]);
const data = await sock.recvfrom(65535);
