// The error is reported once: after ECONNREFUSED, the next recvfrom waits.
import { socket, AF_INET, SOCK_DGRAM, ConnectionRefusedError } from 'sockcall';
const sock = socket(AF_INET, SOCK_DGRAM);
await sock.connect(['127.0.0.1', 1060]);
await sock.send(Buffer.from('123'));
try {
    await sock.recvfrom(65535);
} catch (e) {
    if (!(e instanceof ConnectionRefusedError)) throw e;
    console.log('first recvfrom:', e.message);
}
const data = await sock.recvfrom(65535);
