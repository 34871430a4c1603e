# Program 2 of the article (udp-errno-111, Xion, 2018), in Python 3.
# The same as program 1 without the send: nothing goes out, no ICMP comes
# back, and recvfrom blocks forever (stop it with Ctrl+C).
# Run: python3 examples/program2.py
import socket
hostname,port = ('localhost', 1060)
data = b'123'
MAX_BYTES=65535
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM) #[1]
sock.connect((hostname, port))
data = sock.recvfrom(MAX_BYTES)
print('The server says {!r}'.format(data.decode('ascii')))

# [1] AF_INET is IP and SOCK_DGRAM is UDP: this line makes a UDP socket.
