import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x05\x00\x00\x00')
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))
try:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, None, 8)
except OSError as e:
    print(repr(e))
try:
    s.getsockopt(socket.SOL_SOCKET, 9999)
except OSError as e:
    print(repr(e))
print(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
s.close()
