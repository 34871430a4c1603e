# A UDP server and its client on one port, as the network programming books
# write them (udp_local.py): `14-udp-echo.py server` answers every datagram
# with its text in capitals; `14-udp-echo.py client` sends one and prints
# the answer, on port 1065 (the book's 1060 is the article's closed port
# here). Compared both ways: each side as the server, driven by the Python
# client, and each side as the client, against the Python server.
import socket, sys

MAX_BYTES = 65535
PORT = 1065

def server():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('127.0.0.1', PORT))
    print('Listening at {}:{}'.format(*sock.getsockname()))
    while True:
        data, address = sock.recvfrom(MAX_BYTES)
        text = data.decode('ascii')
        print('The client at {}:{} says {}'.format(address[0], address[1], text))
        sock.sendto(text.upper().encode('ascii'), address)

def client():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.sendto('the time is now'.encode('ascii'), ('127.0.0.1', PORT))
    print('The OS assigned me the address {}:{}'.format(*sock.getsockname()))
    data, address = sock.recvfrom(MAX_BYTES)
    print('The server {}:{} replied {}'.format(address[0], address[1], data.decode('ascii')))

{'server': server, 'client': client}[sys.argv[1]]()
