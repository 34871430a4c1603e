// BufferedReader.read(n), read() and readinto() over a TCP stream, with the
// recv sizes CPython's buffering makes: read(10) fills the buffer with one
// recv_into(8192); read(20000) takes the buffered bytes, reads whole blocks
// (16384) straight into the result and the rest through the buffer; read()
// is the raw stream's readall(), recv_into(8192) until the end; read1() with
// nothing buffered is one recv_into of its own size.
import { socket, AF_INET, SOCK_STREAM, SHUT_WR } from 'sockcall';
import { print } from 'sockcall/builtins';
import { twin } from './form.ts';
const srv = twin(socket(AF_INET, SOCK_STREAM));
srv.bind(['127.0.0.1', 0]);
srv.listen(1);
const c = twin(socket(AF_INET, SOCK_STREAM));
await c.connect(srv.getsockname() as [string, number]);
const [s] = await srv.accept();
const f = c.makefile('rb');
await s.sendall(Buffer.alloc(100, 'x'));
print(await f.read(10), await f.read(0), (await f.read(50))!.length);
await s.sendall(Buffer.alloc(30000, 'y'));
print((await f.read(20000))!.length, (await f.peek(1)).subarray(0, 5), (await f.peek()).length);
let buf = new Uint8Array(5);
print(await f.readinto(buf), buf);
buf = new Uint8Array(9000);
print(await f.readinto(buf), buf.subarray(0, 3));
await s.sendall(Buffer.from('abcdefghij'.repeat(1000)));
print(await f.read1(3), (await f.read1()).length, await f.read1(0));
print((await f.read1(5000)).length, (await f.read1(5000)).length);
await s.sendall(Buffer.from('0123456789'));
buf = new Uint8Array(4);
print(await f.readinto1(buf), buf, await f.read(6));
await s.sendall(Buffer.alloc(12345, 'z'));
s.shutdown(SHUT_WR);
print((await f.read())!.length, await f.read(), await f.read(5), await f.read1(5), await f.peek());
await f.close();
c.close();
s.close();
srv.close();
