# The lookups that stay on this machine: /etc/hosts has 127.0.0.1
# localhost, /etc/services and /etc/protocols the rest; glibc's own sockets
# (nscd's, if_nameindex's rtnetlink) are not the program's. The only
# sockets of the program's are has_dualstack_ipv6()'s. No name here is one
# a name server could be asked for; getfqdn() is given one, since without
# one it looks up this host's own name, which may go to DNS.
import socket
print(socket.gethostname() != '')
print(socket.gethostbyname('localhost'), socket.gethostbyname('127.0.0.1'))
print(socket.gethostbyname_ex('localhost'))
print(socket.gethostbyaddr('127.0.0.1'))
print(socket.getfqdn('localhost'), socket.getfqdn('127.0.0.1'))
print(socket.getnameinfo(('127.0.0.1', 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV))
print(socket.getnameinfo(('127.0.0.1', 80), socket.NI_NUMERICHOST))
print(socket.getnameinfo(('127.0.0.1', 80), 0))
print(socket.getservbyname('http', 'tcp'), socket.getservbyname('domain'), socket.getservbyport(80), socket.getservbyport(53, 'udp'))
print(socket.getprotobyname('udp'), socket.getprotobyname('tcp'))
for call in [lambda: socket.getservbyname('no-such-service', 'tcp'), lambda: socket.getservbyport(1, 'udp'),
             lambda: socket.getprotobyname('no-such-protocol'), lambda: socket.inet_aton('1.2.3.4.5'),
             lambda: socket.inet_ntoa(b'\x01\x02')]:
    try:
        call()
    except OSError as e:
        print(repr(e))
print(socket.inet_aton('127.1'), socket.inet_aton('0x7f.1'), socket.inet_ntoa(b'\x7f\x00\x00\x01'))
print(socket.if_nameindex()[0], all(i > 0 and n for i, n in socket.if_nameindex()))
print(socket.has_ipv6, socket.has_dualstack_ipv6())
