# A TCP server and client that trade sixteen-byte messages (tcp_sixteen.py):
# the client sends with sendall and both read with a recv loop until the
# whole message is in, since TCP may hand it over in pieces.
import socket, sys

PORT = 1061

def recvall(sock, length):
    data = b''
    while len(data) < length:
        more = sock.recv(length - len(data))
        if not more:
            raise EOFError('was expecting %d bytes but only received'
                           ' %d bytes before the socket closed'
                           % (length, len(data)))
        data += more
    return data

def server():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', PORT))
    sock.listen(1)
    print('Listening at {}:{}'.format(*sock.getsockname()))
    while True:
        sc, sockname = sock.accept()
        print('We have accepted a connection from {}:{}'.format(*sockname))
        print('  Socket name: {}:{}'.format(*sc.getsockname()))
        print('  Socket peer: {}:{}'.format(*sc.getpeername()))
        message = recvall(sc, 16)
        print('  Incoming sixteen-octet message:', message.decode('ascii'))
        sc.sendall(b'Farewell, client')
        sc.close()
        print('  Reply sent, socket closed')

def client():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect(('127.0.0.1', PORT))
    print('Client has been assigned socket name {}:{}'.format(*sock.getsockname()))
    sock.sendall(b'Hi there, server')
    reply = recvall(sock, 16)
    print('The server said', reply.decode('ascii'))
    sock.close()

{'server': server, 'client': client}[sys.argv[1]]()
