// select.select(): pselect6(2) with one fd_set per list (NULL for an empty
// list), nfds the largest fd plus one; each ready list holds the objects it
// was given, in their order. A timeout of 0 polls, one that runs out gives
// three empty lists, None waits.
import { select, socket, OSError, AF_INET, SOCK_DGRAM } from 'sockcall';
import { print, list, repr } from 'sockcall/builtins';
import { twin } from './form.ts';
const same = (x: unknown[], y: unknown[]) => x.length === y.length && x.every((v, i) => v === y[i]);
const sel = twin(select);
const a = twin(socket(AF_INET, SOCK_DGRAM));
a.bind(['127.0.0.1', 0]);
const b = twin(socket(AF_INET, SOCK_DGRAM));
b.bind(['127.0.0.1', 0]);
print((await sel.select([a, b], [], [], 0)).map(list));
let [r, w, x] = await sel.select([a, b], [b, a], [a], 0);
print(same(r, []), same(w, [b, a]), same(x, []));
await b.sendto(Buffer.from('x'), a.getsockname() as [string, number]);
[r, w, x] = await sel.select([b, a], [], [], 1.5);
print(same(r, [a]), list(w), list(x));
[r, w, x] = await sel.select([b], [], [b], 0.05);
print(list(r), list(w), list(x));
{
    const [r, w, x] = await sel.select([a.fileno()], [], [], null);
    print(same(r, [a.fileno()]), await a.recv(10));
}
await a.sendto(Buffer.from('y'), b.getsockname() as [string, number]);
{
    const [r, w] = await sel.select<unknown>([a.fileno(), b], [a.fileno()], [], 2);
    print(same(r, [b]), same(w, [a.fileno()]));
}
const fd = b.fileno();
b.close();
try {
    await sel.select([a, fd], [], [], 0);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e));
}
try {
    await sel.select([b], [], [], 0);
} catch (e) {
    if (!(e instanceof RangeError)) throw e;  // CPython's ValueError (README)
    print('ValueError');
}
a.close();
