# detach() and fileno() make no system call; setdefaulttimeout() makes new
# sockets non-blocking (FIONBIO) and accept() hands out blocking ones.
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fd = s.detach()
print(s.fileno())
os.close(fd)
socket.setdefaulttimeout(2.5)
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print(t.gettimeout(), socket.getdefaulttimeout())
socket.setdefaulttimeout(None)
t.bind(('127.0.0.1', 0))
t.listen()
u = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
u.connect(t.getsockname())
v, addr = t.accept()
print(v.gettimeout())
for x in (t, u, v):
    x.close()
