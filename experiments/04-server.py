# With a server on the port, the datagram is received and answered: no ICMP,
# no error.
import socket
server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(('127.0.0.1', 0))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(server.getsockname())
sock.send(b'123')
data, peer = server.recvfrom(65535)
server.sendto(data.upper() + b'!', peer)
print('The server says', sock.recvfrom(65535)[0].decode())
server.close()
sock.close()
