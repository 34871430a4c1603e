# The error is reported once: after ECONNREFUSED, the next recvfrom waits.
import socket
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(('127.0.0.1', 1060))
sock.send(b'123')
try:
    sock.recvfrom(65535)
except ConnectionRefusedError as e:
    print('first recvfrom:', e)
data = sock.recvfrom(65535)
