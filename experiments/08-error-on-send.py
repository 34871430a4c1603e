# The error goes to whichever call comes next: here a second send.
import socket
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(('127.0.0.1', 1060))
sock.send(b'123')
sock.send(b'456')
