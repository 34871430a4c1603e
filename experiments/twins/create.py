# create_connection(): getaddrinfo(host, port, 0, SOCK_STREAM), then for
# each address socket(), the timeout if one was given, bind() to the
# source address, connect(); the last error when none connects, or all of
# them in an ExceptionGroup (all_errors=True). create_server():
# SO_REUSEADDR, SO_REUSEPORT if asked, IPV6_V6ONLY on an AF_INET6 socket
# (0 for a dual-stack one), bind(), listen().
import socket
srv = socket.create_server(('127.0.0.1', 0))
print(repr(srv))
port = srv.getsockname()[1]
c = socket.create_connection(('127.0.0.1', port))
print(c.gettimeout(), c.getpeername() == srv.getsockname())
s, _ = srv.accept()
s.close()
c.close()
c = socket.create_connection(('localhost', port), timeout=2.5, source_address=('127.0.0.1', 0))
print(c.gettimeout(), c.getpeername() == srv.getsockname())
s, _ = srv.accept()
print(s.getpeername() == c.getsockname())
for x in (s, c, srv):
    x.close()
try:
    socket.create_connection(('127.0.0.1', port))
except OSError as e:
    print(repr(e))
try:
    socket.create_connection(('127.0.0.1', port), 1.5, all_errors=True)
except ExceptionGroup as eg:
    print(str(eg), eg.exceptions)
a = socket.create_server(('127.0.0.1', 0), reuse_port=True, backlog=3)
b = socket.create_server(a.getsockname(), reuse_port=True)
print(a.getsockname() == b.getsockname(), a.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT))
try:
    socket.create_server(a.getsockname())
except OSError as e:
    print(type(e).__name__, e.errno, e.strerror)
b.close()
a.close()
six = socket.create_server(('::1', 0), family=socket.AF_INET6)
print(six.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), six.family)
six.close()
print(socket.has_dualstack_ipv6())
dual = socket.create_server(('::', 0), family=socket.AF_INET6, dualstack_ipv6=True)
print(dual.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
port = dual.getsockname()[1]
for host in ('127.0.0.1', '::1'):
    c = socket.create_connection((host, port))
    s, addr = dual.accept()
    print(addr[0], c.family)
    s.close()
    c.close()
dual.close()
try:
    socket.create_server(('127.0.0.1', 0), dualstack_ipv6=True)
except ValueError as e:
    print(e)
