// makefile('r') and makefile('w'): a TextIOWrapper. Reads are read1() of
// 8192 bytes (or the size asked, when read(n) wants more), decoded
// incrementally (a character split between two recvs is whole once the rest
// comes); newline=None translates \r\n and \r, '' keeps them, '\r\n' ends
// lines only there; writes are encoded and held until flush().
import { socket, AF_INET, SOCK_STREAM, SHUT_WR } from 'sockcall';
import { print, repr, list } from 'sockcall/builtins';
import { twin } from './form.ts';
const srv = twin(socket(AF_INET, SOCK_STREAM));
srv.bind(['127.0.0.1', 0]);
srv.listen(1);
const c = twin(socket(AF_INET, SOCK_STREAM));
await c.connect(srv.getsockname() as [string, number]);
const [s] = await srv.accept();
const f = c.makefile('r');
print(repr(f).replace(String(f.name), 'FD'), f.mode, f.encoding, f.errors, f.newlines);
await s.sendall(Buffer.concat([Buffer.from('héllo\r\nwörld\rend\n'), Buffer.from([0x63, 0x61, 0x66, 0xc3])]));
print(repr(await f.readline()), repr(await f.readline()), repr(await f.readline()), f.newlines);
await s.sendall(Buffer.from([0xa9, 0x20, 0xe2, 0x82]));
print(repr(await f.readline(4)));
await s.sendall(Buffer.from([0xac, 0x21, 0x0a]));
print(repr(await f.readline()));
await s.sendall(Buffer.alloc(20000, 'a'));
print((await f.read(15000)).length, (await f.read(4000)).length, repr(await f.read(0)));
await s.sendall(Buffer.from('\nx\r\ny\n'));
print((await f.readline()).length, list(await f.readlines(2)));
// read(n) asks read1() for the characters still wanted times the last chunk's bytes per character.
await s.sendall(Buffer.from('é'.repeat(10000)));
print(await f.read(1), (await f.read(9000)).length, (await f.read(999)).length);
const g = s.makefile('w', { encoding: 'latin-1', newline: '\r\n' });
print(repr(g).replace(String(g.name), 'FD'), await g.write('café\n'), await g.write('x'.repeat(9000)), await g.write('ü\n'));
await g.flush();
const h = c.makefile('r', { encoding: 'latin-1', newline: '\r\n' });
print(repr(await h.readline()), (await h.readline()).length);
await g.writelines(['a\rb\r\n', 'c\n']);
await g.close();
s.shutdown(SHUT_WR);
const lines: string[] = [];
for await (const line of h) lines.push(line);
print(list(lines));
await h.close();
await f.close();
print(repr(f).replace(String(c.fileno()), 'FD'), f.closed);
c.close();
s.close();
srv.close();
