import { socket, AF_INET, SOCK_DGRAM, SOL_SOCKET, SO_ERROR, ConnectionRefusedError } from 'sockcall';
import { print, repr } from 'sockcall/builtins';
import { twin } from './form.ts';
const sock = twin(socket(AF_INET, SOCK_DGRAM));
sock.settimeout(0.5);
await sock.connect(['127.0.0.1', 1060]);
await sock.send(Buffer.from('1'));
try {
    await sock.recvfrom(10);
} catch (e) {
    if (!(e instanceof ConnectionRefusedError)) throw e;
    print(repr(e));
}
print(sock.getsockopt(SOL_SOCKET, SO_ERROR));
sock.close();
