// select.epoll: epoll_create1(EPOLL_CLOEXEC), each fd registered with
// itself as the event's data; poll() takes seconds (milliseconds rounded
// up; None or a negative one waits), maxevents -1 is FD_SETSIZE-1. `with`
// closes it, and a closed one refuses without a system call. select.poll's
// modify() of an fd it does not hold is OSError(ENOENT), unregister() a
// KeyError, neither a system call.
import { select, socket, OSError, AF_INET, SOCK_DGRAM, EPOLLIN, EPOLLOUT, EPOLLET, POLLIN } from 'sockcall';
import { print, list, repr, KeyError, ValueError } from 'sockcall/builtins';
import { twin } from './form.ts';
const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const a = twin(socket(AF_INET, SOCK_DGRAM));
a.bind(['127.0.0.1', 0]);
const b = twin(socket(AF_INET, SOCK_DGRAM));
let ep;
{
    using e = twin(select.epoll());
    ep = e;
    print(ep.closed, ep.fileno() >= 0);
    ep.register(a, EPOLLIN);
    ep.register(b.fileno());
    print(same(await ep.poll(0), [[b.fileno(), EPOLLOUT]]));
    await b.sendto(Buffer.from('x'), a.getsockname() as [string, number]);
    ep.modify(b, EPOLLIN);
    print(same(await ep.poll(1.5), [[a.fileno(), EPOLLIN]]));
    ep.modify(b, EPOLLOUT | EPOLLET);
    print((await ep.poll(0.0011, 1)).length, (await ep.poll(-1)).length, (await ep.poll(null, 5)).length);
    ep.unregister(b);
    print(same(await ep.poll(null), [[a.fileno(), EPOLLIN]]));
    for (const [name, call] of [['register', () => ep.register(a)], ['modify', () => ep.modify(b, EPOLLIN)],
                                ['unregister', () => ep.unregister(b)]] as [string, () => void][]) {
        try {
            call();
        } catch (e) {
            if (!(e instanceof OSError)) throw e;
            print(name, repr(e));
        }
    }
    await a.recv(10);
    print(list(await ep.poll(0.01)));
}
print(ep.closed);
try {
    await ep.poll(0);
} catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print(e.message);
}
ep.close();
ep = twin(select.epoll());
const fd = b.fileno();
b.close();
try {
    ep.register(fd);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e));
}
ep.close();
const p = twin(select.poll());
p.register(a);
try {
    p.modify(fd, POLLIN);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e));
}
try {
    p.unregister(fd);
} catch (e) {
    if (!(e instanceof KeyError)) throw e;
    print(e.name, e.args[0] === fd);
}
p.unregister(a);
a.close();
