# makefile('rb').readline() over a TCP stream: each readline() that finds no
# line in the buffer makes one recv_into(8192) (recvfrom(fd, buf, 8192));
# readline(size) stops at size bytes, and a line still buffered is given
# without a system call.
import socket
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(('127.0.0.1', 0))
srv.listen(1)
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.connect(srv.getsockname())
s, _ = srv.accept()
f = c.makefile('rb')
print(repr(f).replace(str(f.name), 'FD'), f.mode, f.name == c.fileno(), f.readable(), f.writable(), f.seekable(), f.closed)
s.sendall(b'line one\nline two\nthree')
print(f.readline())
print(f.readline())
print(f.readline(3), f.readline(0))
s.sendall(b' more\n' + b'x' * 9000 + b'\n')
print(f.readline(None))
print(len(f.readline()))
s.sendall(b'abcdefghij\nkl')
print(f.readline(4), f.readline(6), f.readline(-1))
s.shutdown(socket.SHUT_WR)
print(f.readline(), f.readline())
f.close()
print(repr(f), f.closed, f.name)
c.close()
s.close()
srv.close()
