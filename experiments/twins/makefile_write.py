# BufferedWriter over a TCP stream: writes wait in the 8192-byte buffer
# until one does not fit (then the buffer goes as one send), a write larger
# than the buffer goes straight to send(), flush() sends what waits, and
# close() (the end of `with`) flushes.
import socket
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(('127.0.0.1', 0))
srv.listen(1)
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.connect(srv.getsockname())
s, _ = srv.accept()
f = c.makefile('wb')
print(repr(f).replace(str(f.name), 'FD'), f.mode, f.writable(), f.readable())
print(f.write(b'a' * 100), f.write(b'b' * 8000), f.write(bytearray(b'c' * 200)), f.write(memoryview(b'd' * 20000)))
f.flush()
print(len(s.recv(65536)))
print(f.write(b'hello\n'), f.write(b''))
f.flush()
f.flush()
print(s.recv(100))
f.writelines([b'x' * 5000, b'y' * 5000, b'z'])
f.flush()
print(len(s.recv(65536)))
with c.makefile('wb', buffering=16) as g:
    print(g.write(b'0123456789'), g.write(b'0123456789'), g.write(b'!' * 40))
    g.write(b'end')
print(g.closed, s.recv(100))
f.write(b'last')
f.close()
print(s.recv(100), f.closed)
c.close()
s.close()
srv.close()
