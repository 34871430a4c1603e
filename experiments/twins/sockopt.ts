import { socket, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_RCVBUF, SO_ERROR, SO_LINGER, IPPROTO_TCP, TCP_NODELAY,
    OSError } from 'sockcall';
import { print, repr } from 'sockcall/builtins';
const s = socket(AF_INET, SOCK_STREAM);
s.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536);
print(s.getsockopt(SOL_SOCKET, SO_RCVBUF));
print(s.getsockopt(SOL_SOCKET, SO_ERROR));
print(s.getsockopt(SOL_SOCKET, SO_LINGER, 8));
s.setsockopt(SOL_SOCKET, SO_LINGER, Buffer.from([1, 0, 0, 0, 5, 0, 0, 0]));
print(s.getsockopt(SOL_SOCKET, SO_LINGER, 8));
try {
    s.setsockopt(SOL_SOCKET, SO_LINGER, null, 8);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e));
}
try {
    s.getsockopt(SOL_SOCKET, 9999);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e));
}
print(s.getsockopt(IPPROTO_TCP, TCP_NODELAY));
s.close();
