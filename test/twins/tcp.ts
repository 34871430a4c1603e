import { socket, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, SHUT_WR, OSError } from 'sockcall';
import { print, repr } from './repr.ts';
const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const srv = socket(AF_INET, SOCK_STREAM);
srv.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
srv.bind(['127.0.0.1', 0]);
srv.listen(5);
const c = socket(AF_INET, SOCK_STREAM);
c.connectSync(srv.getsockname() as [string, number]);
const [s, peer] = srv.acceptSync();
print(same(peer, c.getsockname()), same(s.getpeername(), c.getsockname()));
c.sendallSync(Buffer.from('hello world'));
print(s.recvSync(5));
const buf = new Uint8Array(3);
print(s.recv_intoSync(buf), buf);
print(s.recvfromSync(10));
try {
    c.connectSync(srv.getsockname() as [string, number]);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e));
}
s.shutdown(SHUT_WR);
print(c.recvSync(10));
s.close();
c.close();
srv.close();
const other = socket(AF_INET, SOCK_STREAM);
other.listen();
other.close();
