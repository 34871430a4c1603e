# Program 2 non-blocking: nothing queued is EAGAIN, BlockingIOError errno 11.
import socket
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setblocking(False)
sock.connect(('127.0.0.1', 1060))
data = sock.recvfrom(65535)
