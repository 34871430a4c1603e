// makefile('rb', buffering=0) is socket.SocketIO itself: readinto() is one
// recv_into, read(n) one recv_into(n), readline() IOBase's read(1) at a time
// (one recvfrom(fd, buf, 1) per byte), read() recv_into(8192) until the end;
// write() is one send(), whatever it takes.
import { socketpair } from 'sockcall';
import { print, repr, list } from 'sockcall/builtins';
import { twin } from './form.ts';
const [a, b] = socketpair().map(twin);
const r = a.makefile('rb', 0);
const w = b.makefile('wb', 0);
print(repr(r).slice(0, 23), r.mode, r.name === a.fileno(), r.readable(), r.writable(), r.seekable(), w.mode, w.writable());
print(await w.write(Buffer.from('ab\ncdef')), await w.writelines([Buffer.from('gh'), new Uint8Array(Buffer.from('\nij'))]), await w.flush());
print(await r.readline(), await r.read(3), await r.read(0), await r.readline(2));
const buf = new Uint8Array(10);
print(await r.readinto(buf), buf);
await w.write(Buffer.concat([Buffer.alloc(9010, 'x'), Buffer.from('\nlast\nend')]));
print((await r.read(9000))!.length, (await r.readline()).length);
await w.close();
b.close();
print(list(await r.readlines(1)));
const rest: Buffer[] = [];
for await (const line of r) rest.push(line);
print(list(rest), await r.read(), await r.readall(), await r.read(), await r.readline());
await r.close();
print(r.closed, r.name);
a.close();
