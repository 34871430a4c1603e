import socket
# A bound TCP socket that does not listen: connecting to it is refused (RST).
closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
closed.bind(('127.0.0.1', 0))
addr = closed.getsockname()
a = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    a.connect(addr)
except ConnectionRefusedError as e:
    print(repr(e), e.errno)
a.close()
b = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print(b.connect_ex(addr))
b.close()
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.settimeout(2)
print(c.connect_ex(addr))
c.close()
d = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
d.settimeout(2)
try:
    d.connect(addr)
except OSError as e:
    print(repr(e))
d.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.connect(('localhost', 1060))
u.close()
closed.close()
