# The article's program 1: a connected UDP socket sends to a closed port;
# the ICMP port unreachable comes back as errno 111 on the next recvfrom.
import socket
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(('localhost', 1060))
sock.send(b'123')
data = sock.recvfrom(65535)
