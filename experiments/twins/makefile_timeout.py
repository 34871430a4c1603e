# SocketIO under a timeout and without blocking (Lib/socket.py): a timeout
# (poll() expiring, no recv) is raised once, and the file then refuses to
# read ("cannot read from timed out object"), since a line may have been
# cut; on a non-blocking socket EAGAIN is None for the buffered layer: an
# empty readline(), a read(n) of None.
import socket
a, b = socket.socketpair()
a.settimeout(0.05)
f = a.makefile('rb')
try:
    f.readline()
except TimeoutError as e:
    print(repr(e))
b.sendall(b'x\n')
try:
    f.readline()
except OSError as e:
    print(repr(e))
a.settimeout(0.5)
g = a.makefile('rb')
print(g.readline())
a.setblocking(False)
h = a.makefile('rb')
print(h.readline(), h.read(5), h.read(), h.peek(), h.read1(3))
b.sendall(b'ab')
print(h.readline(), h.read(1))
r = a.makefile('rb', 0)
print(r.read(3), r.readinto(bytearray(3)), r.read())
try:
    r.readline()
except OSError as e:
    print(repr(e))
t = a.makefile('r')
print(repr(t.readline()))
w = a.makefile('wb', 0)
print(w.write(b'q'), b.recv(1))
for x in (f, g, h, r, t, w):
    x.close()
a.close()
b.close()
