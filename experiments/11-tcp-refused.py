# TCP has a handshake: the closed port answers the SYN with a RST, and the
# error comes at connect itself.
import socket
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(('127.0.0.1', 1060))
