# The error queue on IPv6: IPV6_RECVERR queues the ICMPv6 port unreachable
# (type 1, code 4) for an unconnected socket; recvmsg(MSG_ERRQUEUE) reads it.
import socket
IPV6_RECVERR = 25  # linux/in6.h; CPython has no constant for it
sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
sock.sendto(b'123', ('::1', 1060))
data, ancdata, flags, address = sock.recvmsg(65535, 512, socket.MSG_ERRQUEUE)
level, kind, err = ancdata[0]
print('returned:', data, 'cmsg:', level, kind, 'ee_errno:', int.from_bytes(err[:4], 'little'),
      'ee_origin:', err[4], 'ee_type:', err[5], 'ee_code:', err[6])
sock.close()
