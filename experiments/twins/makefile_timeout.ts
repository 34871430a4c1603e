// SocketIO under a timeout and without blocking (Lib/socket.py): a timeout
// (poll() expiring, no recv) is raised once, and the file then refuses to
// read ("cannot read from timed out object"), since a line may have been
// cut; on a non-blocking socket EAGAIN is None for the buffered layer: an
// empty readline(), a read(n) of None.
import { socketpair, OSError, TimeoutError } from 'sockcall';
import { print, repr } from 'sockcall/builtins';
import { twin } from './form.ts';
const [a, b] = socketpair().map(twin);
a.settimeout(0.05);
const f = a.makefile('rb');
try {
  await f.readline();
} catch (e) {
  if (!(e instanceof TimeoutError)) throw e;
  print(repr(e));
}
await b.sendall(Buffer.from('x\n'));
try {
  await f.readline();
} catch (e) {
  if (!(e instanceof OSError)) throw e;
  print(repr(e));
}
a.settimeout(0.5);
const g = a.makefile('rb');
print(await g.readline());
a.setblocking(false);
const h = a.makefile('rb');
print(await h.readline(), await h.read(5), await h.read(), await h.peek(), await h.read1(3));
await b.sendall(Buffer.from('ab'));
print(await h.readline(), await h.read(1));
const r = a.makefile('rb', 0);
print(await r.read(3), await r.readinto(new Uint8Array(3)), await r.read());
try {
  await r.readline();
} catch (e) {
  if (!(e instanceof OSError)) throw e;
  print(repr(e));
}
const t = a.makefile('r');
print(repr(await t.readline()));
const w = a.makefile('wb', 0);
print(await w.write(Buffer.from('q')), await b.recv(1));
for (const x of [f, g, h, r, t, w]) await x.close();
a.close();
b.close();
