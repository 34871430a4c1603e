# A client that waits for a server that never answers (udp_remote.py's
# exponential backoff): each try sets a longer timeout, so the kernel sees
# a poll() with 50, 100, 200 then 400 ms before each recv, none of them
# answered, and the client gives up. The server reads and says nothing.
import socket, sys

PORT = 1063

def server():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('127.0.0.1', PORT))
    while True:
        data, address = sock.recvfrom(65535)
        print('heard {} bytes and said nothing'.format(len(data)))

def client():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(('127.0.0.1', PORT))
    delay = 0.05
    while True:
        sock.send(b'are you there?')
        print('Waiting up to {} seconds for a reply'.format(delay))
        sock.settimeout(delay)
        try:
            data = sock.recv(65535)
        except socket.timeout:
            delay *= 2
            if delay > 0.4:
                raise RuntimeError('I think the server is down')
        else:
            break
    print('The server says', data.decode('ascii'))

{'server': server, 'client': client}[sys.argv[1]]()
