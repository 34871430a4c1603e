import { socket, AF_INET, SOCK_STREAM, SOCK_DGRAM, OSError, ConnectionRefusedError } from 'sockcall';
import { print, repr } from 'sockcall/builtins';
import { twin } from './form.ts';
// A bound TCP socket that does not listen: connecting to it is refused (RST).
const closed = socket(AF_INET, SOCK_STREAM);
closed.bind(['127.0.0.1', 0]);
const addr = closed.getsockname() as [string, number];
const a = twin(socket(AF_INET, SOCK_STREAM));
try {
    await a.connect(addr);
} catch (e) {
    if (!(e instanceof ConnectionRefusedError)) throw e;
    print(repr(e), e.errno);
}
a.close();
const b = twin(socket(AF_INET, SOCK_STREAM));
print(await b.connect_ex(addr));
b.close();
const c = twin(socket(AF_INET, SOCK_STREAM));
c.settimeout(2);
print(await c.connect_ex(addr));
c.close();
const d = twin(socket(AF_INET, SOCK_STREAM));
d.settimeout(2);
try {
    await d.connect(addr);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e));
}
d.close();
const u = twin(socket(AF_INET, SOCK_DGRAM));
await u.connect(['localhost', 1060]);
u.close();
closed.close();
