// dup() is fcntl(F_DUPFD_CLOEXEC) and the new socket's getsockname(), then
// its timeout (FIONBIO); socket.dup(fd) is the fcntl alone, and fromfd() a
// socket on it. socket(fileno=) reads what it is not told from the fd:
// getsockname() for the family, SO_TYPE and SO_PROTOCOL.
import { socket, dup, fromfd, close, OSError, AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_STREAM } from 'sockcall';
import { print, repr } from 'sockcall/builtins';
import type { Address } from 'sockcall';
const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const a = socket(AF_INET, SOCK_DGRAM);
a.bind(['127.0.0.1', 0]);
a.settimeout(1.5);
const b = a.dup();
print(b.family.value === a.family.value, b.type.value === a.type.value, b.proto, b.gettimeout(), same(b.getsockname(), a.getsockname()));
const fd = dup(a.fileno());
const c = fromfd(fd, AF_INET, SOCK_DGRAM);
print(same(c.getsockname(), a.getsockname()), c.gettimeout(), c.timeout);
close(fd);
try {
    close(fd);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e));
}
print(a.get_inheritable(), c.get_inheritable());
a.set_inheritable(true);
print(a.get_inheritable(), b.get_inheritable());
a.set_inheritable(false);
print(a.get_inheritable());
for (const x of [a, b, c]) {
    x.close();
}
for (const [fam, typ, addr] of [[AF_UNIX, SOCK_STREAM, Buffer.from('\0sockcall-twin-dup')],
                                [AF_INET6, SOCK_STREAM, ['::1', 0]],
                                [AF_INET, SOCK_DGRAM, ['127.0.0.1', 0]]] as [number, number, Address][]) {
    const s = socket(fam, typ);
    s.bind(addr);
    const t = socket(undefined, undefined, undefined, s.detach());
    print(t.family, t.type, t.proto, repr(t.family), repr(t.type), t.getsockname());
    print(repr(t));
    t.close();
}
const u = socket(AF_INET6, SOCK_DGRAM);
const v = socket(AF_INET6, undefined, undefined, u.fileno());
print(v.family, v.type, v.proto, repr(v));
v.detach();
u.close();
try {
    socket(undefined, undefined, undefined, fd);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e));
}
