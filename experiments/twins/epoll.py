# select.epoll: epoll_create1(EPOLL_CLOEXEC), each fd registered with
# itself as the event's data; poll() takes seconds (milliseconds rounded
# up; None or a negative one waits), maxevents -1 is FD_SETSIZE-1. `with`
# closes it, and a closed one refuses without a system call. select.poll's
# modify() of an fd it does not hold is OSError(ENOENT), unregister() a
# KeyError, neither a system call.
import select, socket
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(('127.0.0.1', 0))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
with select.epoll() as ep:
    print(ep.closed, ep.fileno() >= 0)
    ep.register(a, select.EPOLLIN)
    ep.register(b.fileno())
    print(ep.poll(0) == [(b.fileno(), select.EPOLLOUT)])
    b.sendto(b'x', a.getsockname())
    ep.modify(b, select.EPOLLIN)
    print(ep.poll(1.5) == [(a.fileno(), select.EPOLLIN)])
    ep.modify(b, select.EPOLLOUT | select.EPOLLET)
    print(len(ep.poll(0.0011, 1)), len(ep.poll(-1)), len(ep.poll(timeout=None, maxevents=5)))
    ep.unregister(b)
    print(ep.poll(None) == [(a.fileno(), select.EPOLLIN)])
    for name, call in [('register', lambda: ep.register(a)), ('modify', lambda: ep.modify(b, select.EPOLLIN)),
                       ('unregister', lambda: ep.unregister(b))]:
        try:
            call()
        except OSError as e:
            print(name, repr(e))
    a.recv(10)
    print(ep.poll(0.01))
print(ep.closed)
try:
    ep.poll(0)
except ValueError as e:
    print(e)
ep.close()
ep = select.epoll()
fd = b.fileno()
b.close()
try:
    ep.register(fd)
except OSError as e:
    print(repr(e))
ep.close()
p = select.poll()
p.register(a)
try:
    p.modify(fd, select.POLLIN)
except OSError as e:
    print(repr(e))
try:
    p.unregister(fd)
except KeyError as e:
    print(type(e).__name__, e.args[0] == fd)
p.unregister(a)
a.close()
