import { socket, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, SHUT_WR, OSError } from 'sockcall';
import { print, repr } from 'sockcall/builtins';
import { twin } from './form.ts';
const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const srv = twin(socket(AF_INET, SOCK_STREAM));
srv.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
srv.bind(['127.0.0.1', 0]);
srv.listen(5);
const c = twin(socket(AF_INET, SOCK_STREAM));
await c.connect(srv.getsockname() as [string, number]);
const [s, peer] = await srv.accept();
print(same(peer, c.getsockname()), same(s.getpeername(), c.getsockname()));
await c.sendall(Buffer.from('hello world'));
print(await s.recv(5));
const buf = new Uint8Array(3);
print(await s.recv_into(buf), buf);
print(await s.recvfrom(10));
// recv(0) and recv_into() of an empty buffer make no system call (sock_recv_guts).
print(await s.recv(0), await s.recv_into(new Uint8Array(0)));
try {
    await c.connect(srv.getsockname() as [string, number]);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e));
}
s.shutdown(SHUT_WR);
print(await c.recv(10));
s.close();
c.close();
srv.close();
const other = socket(AF_INET, SOCK_STREAM);
other.listen();
other.close();
