# sendfile(): os.sendfile(2) in blocks until count or the end of the file,
# the file's position left after what was sent, a poll(POLLOUT) before each
# block under a timeout. When sendfile(2) cannot be used (no fileno(), or it
# refuses the first block) socket.py reads the file and send()s what it
# read; a file fstat() calls empty (a FIFO, a pipe) sends nothing at all.
import io, os, socket
path = '/tmp/sockcall-twin-sendfile.bin'
fifo = '/tmp/sockcall-twin-sendfile.fifo'
with open(path, 'wb') as out:
    out.write(bytes(range(256)) * 40)
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(('127.0.0.1', 0))
srv.listen()
a = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
a.connect(srv.getsockname())
b, _ = srv.accept()
f = open(path, 'rb')
print(a.sendfile(f), f.tell())
print(len(b.recv(10240, socket.MSG_WAITALL)))
print(a.sendfile(f, 100, 50), f.tell())
print(b.recv(50, socket.MSG_WAITALL) == bytes(range(100, 150)))
a.settimeout(5)
print(a.sendfile(f, 10000), f.tell())
print(len(b.recv(240, socket.MSG_WAITALL)))
a.settimeout(None)
print(a.sendfile(io.BytesIO(b'0123456789'), 2, 5))
print(b.recv(5, socket.MSG_WAITALL))
class Reader:
    def __init__(self, data):
        self.data = data
    def read(self, n):
        out, self.data = self.data[:n], self.data[n:]
        return out
print(a.sendfile(Reader(b'x' * 10000)))
print(len(b.recv(10000, socket.MSG_WAITALL)))
if os.path.exists(fifo):
    os.unlink(fifo)
os.mkfifo(fifo)
p = os.fdopen(os.open(fifo, os.O_RDWR), 'rb')
os.write(p.fileno(), b'fifo')
print(a.sendfile(p))
p.close()
os.unlink(fifo)
with open(os.devnull, 'rb') as empty:
    a.setblocking(False)
    print(a.sendfile(empty))
    try:
        a.sendfile(f)
    except ValueError:
        print('non-blocking sockets are not supported')
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print(c.sendfile(f), f.tell())
f.seek(0)
try:
    c.sendfile(f)
except OSError as e:
    print(repr(e))
for s in (a, b, c, srv):
    s.close()
f.close()
os.unlink(path)
