# The article's program 1 with a timeout: FIONBIO, then poll before each call.
import socket
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(0.5)
sock.connect(('127.0.0.1', 1060))
sock.send(b'1')
try:
    sock.recvfrom(10)
except ConnectionRefusedError as e:
    print(repr(e))
print(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
sock.close()
