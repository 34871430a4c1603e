# select.select(): pselect6(2) with one fd_set per list (NULL for an empty
# list), nfds the largest fd plus one; each ready list holds the objects it
# was given, in their order. A timeout of 0 polls, one that runs out gives
# three empty lists, None waits.
import select, socket
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(('127.0.0.1', 0))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.bind(('127.0.0.1', 0))
print(select.select([a, b], [], [], 0))
r, w, x = select.select([a, b], [b, a], [a], 0)
print(r == [], w == [b, a], x == [])
b.sendto(b'x', a.getsockname())
r, w, x = select.select([b, a], [], [], 1.5)
print(r == [a], w, x)
r, w, x = select.select([b], [], [b], 0.05)
print(r, w, x)
r, w, x = select.select([a.fileno()], [], [], None)
print(r == [a.fileno()], a.recv(10))
a.sendto(b'y', b.getsockname())
r, w, x = select.select([a.fileno(), b], [a.fileno()], [], 2)
print(r == [b], w == [a.fileno()])
fd = b.fileno()
b.close()
try:
    select.select([a, fd], [], [], 0)
except OSError as e:
    print(repr(e))
try:
    select.select([b], [], [], 0)
except ValueError as e:
    print('ValueError')
a.close()
