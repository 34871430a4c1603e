# An unconnected socket hears of the ICMP only if it asks: with IP_RECVERR
# (11; CPython has no constant) the error is queued, and recvmsg with
# MSG_ERRQUEUE returns the datagram sent and a sock_extended_err.
import socket
IP_RECVERR = 11
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_IP, IP_RECVERR, 1)
sock.sendto(b'123', ('127.0.0.1', 1060))
data, ancdata, flags, address = sock.recvmsg(65535, 512, socket.MSG_ERRQUEUE)
level, kind, err = ancdata[0]
print('returned:', data, 'cmsg:', level, kind, 'ee_errno:', int.from_bytes(err[:4], 'little'),
      'ee_origin:', err[4], 'ee_type:', err[5], 'ee_code:', err[6])
sock.close()
