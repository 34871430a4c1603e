# The pending error is the socket's SO_ERROR: reading it returns 111 and
# clears it, and then recvfrom has nothing to report and waits.
import socket
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(('127.0.0.1', 1060))
sock.send(b'123')
print('SO_ERROR', sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
print('SO_ERROR', sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
data = sock.recvfrom(65535)
