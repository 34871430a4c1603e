import { socket, AddressFamily, SocketKind, AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_STREAM, SOCK_NONBLOCK, OSError } from 'sockcall';
import { print, repr, str } from 'sockcall/builtins';
for (const [fam, typ] of [[AF_INET, SOCK_DGRAM], [AF_INET, SOCK_STREAM],
                          [AF_INET6, SOCK_DGRAM], [AF_INET6, SOCK_STREAM],
                          [AF_UNIX, SOCK_DGRAM], [AF_UNIX, SOCK_STREAM]]) {
    const s = socket(fam, typ);
    print(s.family.value === fam, s.type.value === typ, s.proto, repr(s.family), repr(s.type), str(s.family), s.type.name);
    s.close();
}
const s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK);
print(s.type.value === SOCK_DGRAM, s.gettimeout() === 0, s.getblocking());
s.close();
try {
    socket(12345, SOCK_DGRAM);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e), e.errno);
}
print(repr(AddressFamily(10)), repr(SocketKind.SOCK_RAW), AF_INET6 === 10);
