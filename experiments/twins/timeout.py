import socket
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(('127.0.0.1', 0))
print(a.gettimeout(), a.getblocking())
a.settimeout(0.05)
print(a.gettimeout(), a.getblocking())
try:
    a.recv(10)
except OSError as e:
    print(repr(e), e.errno)
a.setblocking(False)
print(a.gettimeout() == 0, a.getblocking())
try:
    a.recvfrom(10)
except BlockingIOError as e:
    print(repr(e), e.errno)
a.setblocking(True)
print(a.gettimeout(), a.getblocking())
a.settimeout(None)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.settimeout(1)
b.sendto(b'ok', a.getsockname())
a.settimeout(1)
print(a.recv(10))
a.close()
b.close()
