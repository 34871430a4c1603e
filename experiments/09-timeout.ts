// Program 2 with a timeout: poll() expires and the wait becomes TimeoutError.
import { socket, AF_INET, SOCK_DGRAM } from 'sockcall';
const sock = socket(AF_INET, SOCK_DGRAM);
sock.settimeout(0.2);
await sock.connect(['127.0.0.1', 1060]);
const data = await sock.recvfrom(65535);
