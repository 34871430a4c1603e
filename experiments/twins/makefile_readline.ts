// makefile('rb').readline() over a TCP stream: each readline() that finds no
// line in the buffer makes one recv_into(8192) (recvfrom(fd, buf, 8192));
// readline(size) stops at size bytes, and a line still buffered is given
// without a system call.
import { socket, AF_INET, SOCK_STREAM, SHUT_WR } from 'sockcall';
import { print, repr } from 'sockcall/builtins';
import { twin } from './form.ts';
const srv = twin(socket(AF_INET, SOCK_STREAM));
srv.bind(['127.0.0.1', 0]);
srv.listen(1);
const c = twin(socket(AF_INET, SOCK_STREAM));
await c.connect(srv.getsockname() as [string, number]);
const [s] = await srv.accept();
const f = c.makefile('rb');
print(repr(f).replace(String(f.name), 'FD'), f.mode, f.name === c.fileno(), f.readable(), f.writable(), f.seekable(), f.closed);
await s.sendall(Buffer.from('line one\nline two\nthree'));
print(await f.readline());
print(await f.readline());
print(await f.readline(3), await f.readline(0));
await s.sendall(Buffer.concat([Buffer.from(' more\n'), Buffer.alloc(9000, 'x'), Buffer.from('\n')]));
print(await f.readline(null));
print((await f.readline()).length);
await s.sendall(Buffer.from('abcdefghij\nkl'));
print(await f.readline(4), await f.readline(6), await f.readline(-1));
s.shutdown(SHUT_WR);
print(await f.readline(), await f.readline());
await f.close();
print(repr(f), f.closed, f.name);
c.close();
s.close();
srv.close();
