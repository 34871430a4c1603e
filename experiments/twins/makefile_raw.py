# makefile('rb', buffering=0) is socket.SocketIO itself: readinto() is one
# recv_into, read(n) one recv_into(n), readline() IOBase's read(1) at a time
# (one recvfrom(fd, buf, 1) per byte), read() recv_into(8192) until the end;
# write() is one send(), whatever it takes.
import socket
a, b = socket.socketpair()
r = a.makefile('rb', buffering=0)
w = b.makefile('wb', 0)
print(repr(r)[:23], r.mode, r.name == a.fileno(), r.readable(), r.writable(), r.seekable(), w.mode, w.writable())
print(w.write(b'ab\ncdef'), w.writelines([b'gh', bytearray(b'\nij')]), w.flush())
print(r.readline(), r.read(3), r.read(0), r.readline(2))
buf = bytearray(10)
print(r.readinto(buf), bytes(buf))
w.write(b'x' * 9010 + b'\nlast\nend')
print(len(r.read(9000)), len(r.readline()))
w.close()
b.close()
print(r.readlines(1))
rest = list(r)
print(rest, r.read(), r.readall(), r.read(), r.readline())
r.close()
print(r.closed, r.name)
a.close()
