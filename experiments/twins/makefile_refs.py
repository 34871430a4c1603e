# socket.py's _io_refs: each file of makefile()'s keeps the socket's fd
# open. sock.close() with files open makes no system call (the socket is
# only marked closed, and keeps working through them); close(fd) comes with
# the close() of the last file. A makefile() that fails gives its count back.
# (getsockopt(SO_TYPE) of b marks the moments in the trace.)
import socket
a, b = socket.socketpair()
f = a.makefile('rb')
g = a.makefile('wb')
try:
    a.makefile('r', 0)
except ValueError as e:
    print(repr(e))
try:
    a.makefile('r', encoding='no-such-codec')
except LookupError as e:
    print(repr(e))
a.close()
b.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)
print(repr(a).split(',')[0].replace(str(f.name), 'FD'), a.fileno() == f.name)
g.write(b'through g\n')
g.flush()
print(b.recv(100))
b.sendall(b'to f\n')
print(f.readline())
print(a.recv(0), a.fileno() == f.name)
f.close()
b.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)
print('f closed', a.fileno() == g.name)
g.close()
b.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)
print('g closed', a.fileno(), f.name, g.name)
a.close()
h = b.makefile('rb', 0)
b.close()
print(h.closed, b.fileno() == h.fileno())
h.close()
print(b.fileno())
