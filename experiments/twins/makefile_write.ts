// BufferedWriter over a TCP stream: writes wait in the 8192-byte buffer
// until one does not fit (then the buffer goes as one send), a write larger
// than the buffer goes straight to send(), flush() sends what waits, and
// close() (the end of `with`) flushes.
import { socket, AF_INET, SOCK_STREAM } from 'sockcall';
import { print, repr } from 'sockcall/builtins';
import { twin } from './form.ts';
const srv = twin(socket(AF_INET, SOCK_STREAM));
srv.bind(['127.0.0.1', 0]);
srv.listen(1);
const c = twin(socket(AF_INET, SOCK_STREAM));
await c.connect(srv.getsockname() as [string, number]);
const [s] = await srv.accept();
const f = c.makefile('wb');
print(repr(f).replace(String(f.name), 'FD'), f.mode, f.writable(), f.readable());
print(await f.write(Buffer.alloc(100, 'a')), await f.write(Buffer.alloc(8000, 'b')), await f.write(new Uint8Array(200).fill(0x63)),
  await f.write(new DataView(Buffer.alloc(20000, 'd').buffer)));
await f.flush();
print((await s.recv(65536)).length);
print(await f.write(Buffer.from('hello\n')), await f.write(Buffer.alloc(0)));
await f.flush();
await f.flush();
print(await s.recv(100));
await f.writelines([Buffer.alloc(5000, 'x'), Buffer.alloc(5000, 'y'), Buffer.from('z')]);
await f.flush();
print((await s.recv(65536)).length);
const g = c.makefile('wb', { buffering: 16 });
{
  await using h = g;
  print(await h.write(Buffer.from('0123456789')), await h.write(Buffer.from('0123456789')), await h.write(Buffer.alloc(40, '!')));
  await h.write(Buffer.from('end'));
}
print(g.closed, await s.recv(100));
await f.write(Buffer.from('last'));
await f.close();
print(await s.recv(100), f.closed);
c.close();
s.close();
srv.close();
