# Every call on a closed socket goes to the kernel with fd -1 and gets EBADF;
# a second close() makes no system call.
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.close()
s.close()
print(s.fileno())
for name, call in [('recv', lambda: s.recv(1)), ('send', lambda: s.send(b'x')),
                   ('getsockname', s.getsockname), ('connect', lambda: s.connect(('127.0.0.1', 9))),
                   ('settimeout', lambda: s.settimeout(1)), ('setsockopt', lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)),
                   ('bind', lambda: s.bind(('127.0.0.1', 0))), ('shutdown', lambda: s.shutdown(socket.SHUT_RDWR))]:
    try:
        call()
    except OSError as e:
        print(name, repr(e))
