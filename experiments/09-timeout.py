# Program 2 with a timeout: poll() expires and the wait becomes TimeoutError.
import socket
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(0.2)
sock.connect(('127.0.0.1', 1060))
data = sock.recvfrom(65535)
