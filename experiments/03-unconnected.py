# The same datagram from an unconnected socket: the ICMP comes back too, but
# "errors are not returned to unconnected UDP sockets": recvfrom waits.
import socket
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.sendto(b'123', ('127.0.0.1', 1060))
data = sock.recvfrom(65535)
