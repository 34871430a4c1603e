import { socket, socketpair, AF_UNIX, SOCK_DGRAM } from 'sockcall';
import { existsSync, unlinkSync } from 'node:fs';
import { print } from './repr.ts';
const path = '/tmp/sockcall-twin-unix.sock';
if (existsSync(path)) {
    unlinkSync(path);
}
const a = socket(AF_UNIX, SOCK_DGRAM);
a.bind(path);
print(a.getsockname());
const b = socket(AF_UNIX, SOCK_DGRAM);
b.sendtoSync(Buffer.from('to path'), path);
print(a.recvfromSync(20));
const c = socket(AF_UNIX, SOCK_DGRAM);
c.bind(Buffer.from('\0sockcall-twin'));
print(c.getsockname());
b.bind(Buffer.from('\0sockcall-twin-b'));
b.sendtoSync(Buffer.from('abstract'), Buffer.from('\0sockcall-twin'));
print(c.recvfromSync(20));
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
const [d, e] = socketpair();
print(d.family === AF_UNIX, d.getsockname(), e.getpeername());
d.sendallSync(Buffer.from('pair'));
print(e.recvSync(10));
d.close();
e.close();
