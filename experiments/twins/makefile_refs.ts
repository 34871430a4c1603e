// socket.py's _io_refs: each file of makefile()'s keeps the socket's fd
// open. sock.close() with files open makes no system call (the socket is
// only marked closed, and keeps working through them); close(fd) comes with
// the close() of the last file. A makefile() that fails gives its count back.
// (getsockopt(SO_TYPE) of b marks the moments in the trace.)
import { socketpair, SOL_SOCKET, SO_TYPE } from 'sockcall';
import { print, repr, ValueError, LookupError } from 'sockcall/builtins';
import { twin } from './form.ts';
const [a, b] = socketpair().map(twin);
const f = a.makefile('rb');
const g = a.makefile('wb');
try {
  a.makefile('r', 0);
} catch (e) {
  if (!(e instanceof ValueError)) throw e;
  print(repr(e));
}
try {
  a.makefile('r', { encoding: 'no-such-codec' });
} catch (e) {
  if (!(e instanceof LookupError)) throw e;
  print(repr(e));
}
a.close();
b.getsockopt(SOL_SOCKET, SO_TYPE);
print(repr(a).split(',')[0].replace(String(f.name), 'FD'), a.fileno() === f.name);
await g.write(Buffer.from('through g\n'));
await g.flush();
print(await b.recv(100));
await b.sendall(Buffer.from('to f\n'));
print(await f.readline());
print(await a.recv(0), a.fileno() === f.name);
await f.close();
b.getsockopt(SOL_SOCKET, SO_TYPE);
print('f closed', a.fileno() === g.name);
await g.close();
b.getsockopt(SOL_SOCKET, SO_TYPE);
print('g closed', a.fileno(), f.name, g.name);
a.close();
const h = b.makefile('rb', 0);
b.close();
print(h.closed, b.fileno() === h.fileno());
await h.close();
print(b.fileno());
