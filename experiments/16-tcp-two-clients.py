# A TCP server that serves two clients, one after the other, and exits. Each
# client sends its message, shuts down its side of the connection
# (SHUT_WR), and reads the server's answer until end of file (recv returns
# b''). Run as the server, it is driven by two Python clients in a row.
import socket, sys

PORT = 1062

def recv_until_eof(sock):
    chunks = []
    while True:
        data = sock.recv(4096)
        if not data:
            return b''.join(chunks)
        chunks.append(data)

def server():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', PORT))
    listener.listen(5)
    for n in range(2):
        conn, address = listener.accept()
        message = recv_until_eof(conn)
        print('client {} from {}:{} sent {} bytes'.format(n + 1, address[0], address[1], len(message)))
        conn.sendall('you sent {} bytes'.format(len(message)).encode('ascii'))
        conn.close()
    listener.close()
    print('served two clients')

def client():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect(('127.0.0.1', PORT))
    sock.sendall(b'Beautiful is better than ugly.')
    sock.shutdown(socket.SHUT_WR)
    print(recv_until_eof(sock).decode('ascii'))
    sock.close()

{'server': server, 'client': client}[sys.argv[1]]()
