// sendfile(): os.sendfile(2) in blocks until count or the end of the file,
// the file's position left after what was sent, a poll(POLLOUT) before each
// block under a timeout. When sendfile(2) cannot be used (no fileno(), or it
// refuses the first block) socket.py reads the file and send()s what it
// read; a file fstat() calls empty (a FIFO, a pipe) sends nothing at all.
import { socket, OSError, AF_INET, SOCK_STREAM, MSG_WAITALL } from 'sockcall';
import { closeSync, existsSync, openSync, readSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { print, repr } from 'sockcall/builtins';
import { twin } from './form.ts';
// Python's file of open(path, 'rb') (and io.BytesIO): fileno(), read(n), seek(), tell().
class File {
    #pos = 0;
    constructor(readonly fd: number) {}
    fileno() { return this.fd; }
    read(n: number) {
        const buf = Buffer.alloc(n);
        const got = readSync(this.fd, buf, 0, n, this.#pos);
        this.#pos += got;
        return buf.subarray(0, got);
    }
    seek(offset: number) { this.#pos = offset; return offset; }
    tell() { return this.#pos; }
    close() { closeSync(this.fd); }
}
class BytesIO {
    #pos = 0;
    constructor(readonly data: Buffer) {}
    read(n: number) { const out = this.data.subarray(this.#pos, this.#pos + n); this.#pos += out.length; return out; }
    seek(offset: number) { this.#pos = offset; return offset; }
}
const path = '/tmp/sockcall-twin-sendfile.bin';
const fifo = '/tmp/sockcall-twin-sendfile.fifo';
writeFileSync(path, Buffer.from(Array.from({ length: 40 }, () => [...Array(256).keys()]).flat()));
const srv = twin(socket(AF_INET, SOCK_STREAM));
srv.bind(['127.0.0.1', 0]);
srv.listen();
const a = twin(socket(AF_INET, SOCK_STREAM));
await a.connect(srv.getsockname() as [string, number]);
const [b] = await srv.accept();
const f = new File(openSync(path, 'r'));
print(await a.sendfile(f), f.tell());
print((await b.recv(10240, MSG_WAITALL)).length);
print(await a.sendfile(f, 100, 50), f.tell());
print((await b.recv(50, MSG_WAITALL)).equals(Buffer.from([...Array(50).keys()].map((i) => i + 100))));
a.settimeout(5);
print(await a.sendfile(f, 10000), f.tell());
print((await b.recv(240, MSG_WAITALL)).length);
a.settimeout(null);
print(await a.sendfile(new BytesIO(Buffer.from('0123456789')), 2, 5));
print(await b.recv(5, MSG_WAITALL));
class Reader {
    constructor(public data: Buffer) {}
    read(n: number) {
        const out = this.data.subarray(0, n);
        this.data = this.data.subarray(n);
        return out;
    }
}
print(await a.sendfile(new Reader(Buffer.alloc(10000, 'x'))));
print((await b.recv(10000, MSG_WAITALL)).length);
if (existsSync(fifo)) {
    unlinkSync(fifo);
}
execFileSync('mkfifo', [fifo], { stdio: 'ignore' });
const p = new File(openSync(fifo, 'r+'));
writeSync(p.fileno(), 'fifo');
print(await a.sendfile(p));
p.close();
unlinkSync(fifo);
{
    const empty = new File(openSync('/dev/null', 'r'));
    a.setblocking(false);
    print(await a.sendfile(empty));
    try {
        await a.sendfile(f);
    } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        print('non-blocking sockets are not supported');
    }
    empty.close();
}
const c = twin(socket(AF_INET, SOCK_STREAM));
print(await c.sendfile(f), f.tell());
f.seek(0);
try {
    await c.sendfile(f);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e));
}
for (const s of [a, b, c, srv]) {
    s.close();
}
f.close();
unlinkSync(path);
