# dup() is fcntl(F_DUPFD_CLOEXEC) and the new socket's getsockname(), then
# its timeout (FIONBIO); socket.dup(fd) is the fcntl alone, and fromfd() a
# socket on it. socket(fileno=) reads what it is not told from the fd:
# getsockname() for the family, SO_TYPE and SO_PROTOCOL.
import socket
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(('127.0.0.1', 0))
a.settimeout(1.5)
b = a.dup()
print(b.family == a.family, b.type == a.type, b.proto, b.gettimeout(), b.getsockname() == a.getsockname())
fd = socket.dup(a.fileno())
c = socket.fromfd(fd, socket.AF_INET, socket.SOCK_DGRAM)
print(c.getsockname() == a.getsockname(), c.gettimeout(), c.timeout)
socket.close(fd)
try:
    socket.close(fd)
except OSError as e:
    print(repr(e))
print(a.get_inheritable(), c.get_inheritable())
a.set_inheritable(True)
print(a.get_inheritable(), b.get_inheritable())
a.set_inheritable(False)
print(a.get_inheritable())
for x in (a, b, c):
    x.close()
for fam, typ, addr in [(socket.AF_UNIX, socket.SOCK_STREAM, b'\0sockcall-twin-dup'),
                       (socket.AF_INET6, socket.SOCK_STREAM, ('::1', 0)),
                       (socket.AF_INET, socket.SOCK_DGRAM, ('127.0.0.1', 0))]:
    s = socket.socket(fam, typ)
    s.bind(addr)
    t = socket.socket(fileno=s.detach())
    print(t.family, t.type, t.proto, repr(t.family), repr(t.type), t.getsockname())
    print(repr(t))
    t.close()
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
v = socket.socket(socket.AF_INET6, fileno=u.fileno())
print(v.family, v.type, v.proto, repr(v))
v.detach()
u.close()
try:
    socket.socket(fileno=fd)
except OSError as e:
    print(repr(e))
