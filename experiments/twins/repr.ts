// repr(sock) asks the kernel for both addresses (getsockname, getpeername),
// each left out when it fails or is empty; a closed socket's asks for
// neither. The timeout property is gettimeout(), without a system call.
import { socket, socketpair, AddressFamily, SocketKind, AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_STREAM } from 'sockcall';
import { existsSync, unlinkSync } from 'node:fs';
import { print, repr } from 'sockcall/builtins';
import { twin } from './form.ts';
const s = twin(socket(AF_INET, SOCK_STREAM));
print(repr(s));
print(s.timeout);
s.settimeout(0.25);
print(s.timeout, s.gettimeout());
s.setblocking(false);
print(s.timeout === 0);
s.setblocking(true);
print(s.timeout);
const srv = twin(socket(AF_INET, SOCK_STREAM));
srv.bind(['127.0.0.1', 0]);
srv.listen();
print(repr(srv));
await s.connect(srv.getsockname() as [string, number]);
const [c] = await srv.accept();
print(repr(s));
print(c);
print(`${c} and ${s.family} ${s.type}`);
print(s.family, s.type, repr(s.family), repr(s.type), s.family.name, s.type.name);
print(s.family.value === AF_INET, s.type.value === SOCK_STREAM, Number(s.family), s.family.value);
print(repr(AddressFamily.AF_INET6), SocketKind.SOCK_DGRAM.value, SocketKind(2).name);
c.close();
print(repr(c));
s.close();
srv.close();
const u = twin(socket(AF_INET6, SOCK_DGRAM));
await u.connect(['::1', 9]);
print(repr(u));
u.close();
const path = '/tmp/sockcall-twin-repr.sock';
if (existsSync(path)) {
    unlinkSync(path);
}
const [a, b] = socketpair();
print(repr(a));
const x = socket(AF_UNIX, SOCK_DGRAM);
x.bind(path);
print(repr(x));
const y = twin(socket(AF_UNIX, SOCK_DGRAM));
await y.connect(path);
print(repr(y));
y.bind(Buffer.from('\0sockcall-twin-repr'));
print(repr(y));
for (const z of [a, b, x, y]) {
    z.close();
}
unlinkSync(path);
const d = socket(AF_INET, SOCK_DGRAM);
d.detach();
print(repr(d));
