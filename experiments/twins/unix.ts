import { socket, socketpair, AF_UNIX, SOCK_DGRAM } from 'sockcall';
import { existsSync, unlinkSync } from 'node:fs';
import { print } from 'sockcall/builtins';
import { twin } from './form.ts';
const path = '/tmp/sockcall-twin-unix.sock';
if (existsSync(path)) {
    unlinkSync(path);
}
const a = twin(socket(AF_UNIX, SOCK_DGRAM));
a.bind(path);
print(a.getsockname());
const b = twin(socket(AF_UNIX, SOCK_DGRAM));
await b.sendto(Buffer.from('to path'), path);
print(await a.recvfrom(20));
const c = twin(socket(AF_UNIX, SOCK_DGRAM));
c.bind(Buffer.from('\0sockcall-twin'));
print(c.getsockname());
b.bind(Buffer.from('\0sockcall-twin-b'));
await b.sendto(Buffer.from('abstract'), Buffer.from('\0sockcall-twin'));
print(await c.recvfrom(20));
print(b.getsockname());
try {
    a.bind('x'.repeat(200));
} catch (e) {
    if (!(e instanceof RangeError)) throw e;
    print('path too long');
}
a.close();
b.close();
c.close();
unlinkSync(path);
const [d, e] = socketpair().map(twin);
print(d.family.value === AF_UNIX, d.getsockname(), e.getpeername());
await d.sendall(Buffer.from('pair'));
print(await e.recv(10));
d.close();
e.close();
