# The article's program 2: no send, so no ICMP, and recvfrom waits forever.
import socket
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(('localhost', 1060))
data = sock.recvfrom(65535)
