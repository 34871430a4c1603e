import socket
for fam, typ in [(socket.AF_INET, socket.SOCK_DGRAM), (socket.AF_INET, socket.SOCK_STREAM),
                 (socket.AF_INET6, socket.SOCK_DGRAM), (socket.AF_INET6, socket.SOCK_STREAM),
                 (socket.AF_UNIX, socket.SOCK_DGRAM), (socket.AF_UNIX, socket.SOCK_STREAM)]:
    s = socket.socket(fam, typ)
    print(s.family == fam, s.type == typ, s.proto, repr(s.family), repr(s.type), s.family, s.type.name)
    s.close()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM | socket.SOCK_NONBLOCK)
print(s.type == socket.SOCK_DGRAM, s.gettimeout() == 0, s.getblocking())
s.close()
try:
    socket.socket(12345, socket.SOCK_DGRAM)
except OSError as e:
    print(repr(e), e.errno)
print(repr(socket.AddressFamily(10)), repr(socket.SocketKind.SOCK_RAW), socket.AF_INET6 == 10)
