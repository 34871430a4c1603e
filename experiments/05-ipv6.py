# Program 1 on ::1: ICMPv6 port unreachable is errno 111 too.
import socket
sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
sock.connect(('::1', 1060))
sock.send(b'123')
data = sock.recvfrom(65535)
