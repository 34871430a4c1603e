# Program 1 of the article (udp-errno-111, Xion, 2018), in Python 3.
# A connected UDP socket sends to a port where nothing listens; the ICMP
# port unreachable that comes back is handed to the next call, recvfrom,
# as errno 111. Run: python3 examples/program1.py
import socket
hostname,port = ('localhost', 1060)
data = b'123'
MAX_BYTES=65535
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM) #[1]
sock.connect((hostname, port))                          #[2]
sock.send(data)                                         #[3]
data = sock.recvfrom(MAX_BYTES)                         #[4]
print('The server says {!r}'.format(data.decode('ascii')))

# [1] AF_INET is IP and SOCK_DGRAM is UDP: this line makes a UDP socket.
# [2] connect makes no network traffic: it only stores hostname and port
#     in the kernel, as the socket's peer.
# [3] sends the bytes b'123'.
# [4] receives the answer: here it fails with
#     ConnectionRefusedError: [Errno 111] Connection refused
