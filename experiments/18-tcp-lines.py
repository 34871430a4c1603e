# A line protocol over TCP, read with makefile(): the client sends one
# request line at a time and reads each answer with
# sock.makefile('rb').readline(); the server iterates over the lines of its
# connection's file and answers through a second, buffered one (write,
# flush). Each readline() that finds no line buffered asks the kernel for
# 8192 bytes (recv_into), and the file's close(), not the socket's, closes
# the fd. Run as the server, it serves clients until it is stopped.
import socket, sys

PORT = 1064

def server():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', PORT))
    listener.listen(1)
    print('Listening at {}:{}'.format(*listener.getsockname()))
    while True:
        sc, address = listener.accept()
        with sc, sc.makefile('rb') as requests, sc.makefile('wb') as answers:
            for n, line in enumerate(requests, 1):
                words = line.decode('ascii').split()
                print('request {}: {!r}'.format(n, line))
                answers.write('{} {} words\n'.format(n, len(words)).encode('ascii'))
                answers.flush()
            print('{}:{} sent {} lines'.format(address[0], address[1], n))

def client():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect(('127.0.0.1', PORT))
    f = sock.makefile('rb')
    for request in [b'Beautiful is better than ugly.\n', b'Explicit is better than implicit.\n',
                    b'Simple is better than complex.\n']:
        sock.sendall(request)
        print('server said', f.readline())
    sock.shutdown(socket.SHUT_WR)
    sock.close()
    print('after close, the file reads', f.readline(), 'and keeps the fd:', f.fileno() == sock.fileno() != -1)
    f.close()

{'server': server, 'client': client}[sys.argv[1]]()
