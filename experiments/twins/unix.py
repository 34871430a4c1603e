import os, socket
path = '/tmp/sockcall-twin-unix.sock'
if os.path.exists(path):
    os.unlink(path)
a = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
a.bind(path)
print(a.getsockname())
b = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
b.sendto(b'to path', path)
print(a.recvfrom(20))
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c.bind(b'\0sockcall-twin')
print(c.getsockname())
b.bind(b'\0sockcall-twin-b')
b.sendto(b'abstract', b'\0sockcall-twin')
print(c.recvfrom(20))
print(b.getpeername() if False else b.getsockname())
try:
    a.bind('x' * 200)
except OSError as e:
    # sockcall raises RangeError for this bad input (see README, "Where
    # sockcall differs from CPython"); both refuse it before any system call.
    print('path too long')
a.close()
b.close()
c.close()
os.unlink(path)
d, e = socket.socketpair()
print(d.family == socket.AF_UNIX, d.getsockname(), e.getpeername())
d.sendall(b'pair')
print(e.recv(10))
d.close()
e.close()
