import { socket, AF_INET, SOCK_DGRAM, OSError, BlockingIOError } from 'sockcall';
import { print, repr } from 'sockcall/builtins';
import { twin } from './form.ts';
const a = twin(socket(AF_INET, SOCK_DGRAM));
a.bind(['127.0.0.1', 0]);
print(a.gettimeout(), a.getblocking());
a.settimeout(0.05);
print(repr(a.gettimeout()), a.getblocking());
try {
    await a.recv(10);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e), e.errno);
}
a.setblocking(false);
print(a.gettimeout() === 0, a.getblocking());
try {
    await a.recvfrom(10);
} catch (e) {
    if (!(e instanceof BlockingIOError)) throw e;
    print(repr(e), e.errno);
}
a.setblocking(true);
print(a.gettimeout(), a.getblocking());
a.settimeout(null);
const b = twin(socket(AF_INET, SOCK_DGRAM));
b.settimeout(1);
await b.sendto(Buffer.from('ok'), a.getsockname() as [string, number]);
a.settimeout(1);
print(await a.recv(10));
a.close();
b.close();
