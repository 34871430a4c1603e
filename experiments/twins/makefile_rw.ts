// makefile('rwb'): a BufferedRWPair, one buffer each way over the same
// socket. Its readline() is IOBase's, peek() then read(): at the end of the
// stream that is two recv_into(8192), each answered 0. makefile('rw') is a
// TextIOWrapper over one; a write() drops what it had decoded and not yet
// given (CPython's), so it is read before writing here.
import { socket, AF_INET, SOCK_STREAM, SHUT_WR } from 'sockcall';
import { print, repr, list } from 'sockcall/builtins';
import { twin } from './form.ts';
const srv = twin(socket(AF_INET, SOCK_STREAM));
srv.bind(['127.0.0.1', 0]);
srv.listen(1);
const c = twin(socket(AF_INET, SOCK_STREAM));
await c.connect(srv.getsockname() as [string, number]);
const [s] = await srv.accept();
const f = c.makefile('rwb');
print(repr(f).slice(0, 26), f.readable(), f.writable(), f.seekable(), f.closed);
await f.write(Buffer.from('GET /\n'));
await f.flush();
print(await s.recv(100));
await s.sendall(Buffer.from('200 OK\nbody\nmo'));
print(await f.readline(), await f.peek(2), await f.read1(2), await f.readline(3));
await s.sendall(Buffer.from('re\nabcd'));
print(await f.readline(), await f.read(2));
await s.sendall(Buffer.from('efghijklmnop\n'));
// readline(10) looks ahead up to 10 bytes each time, not what is left of 10: 12 bytes.
print(await f.readline(10), await f.readline());
const t = s.makefile('rw', { newline: '' });
print(repr(t), t.readable(), t.writable());
await t.write('hello\r\n');
await t.flush();
print(await f.readline());
await f.write(Buffer.from('a\r\nb\rc\n'));
await f.flush();
print(repr(await t.readline()), repr(await t.readline()), repr(await t.readline()), t.newlines);
await f.write(Buffer.from('x\n'));
await f.close();
print(f.closed, repr(await t.readline()));
await t.write('bye');
await t.close();
print(await c.recv(10), t.closed);
s.shutdown(SHUT_WR);
const g = c.makefile('wrb');
const rest: Buffer[] = [];
print(await g.readline(), await g.readline(5), list(await (async () => { for await (const l of g) rest.push(l); return rest; })()));
await g.close();
c.close();
s.close();
srv.close();
