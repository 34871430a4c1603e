# Name lookups that fail without leaving the machine: glibc refuses 'a..b'
# (EAI_NONAME) and '::1' for AF_INET (EAI_ADDRFAMILY) without a query.
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for host in ['a..b', '::1']:
    try:
        s.connect((host, 1060))
    except socket.gaierror as e:
        print(repr(e), e.errno, isinstance(e, OSError))
infos = socket.getaddrinfo('127.0.0.1', 80, socket.AF_INET, socket.SOCK_DGRAM)
print(infos)
print([(int(f), int(t), p, c, a) for f, t, p, c, a in infos])
print(infos[0][0] == socket.AF_INET, infos[0][0].name, str(infos[0][1]))
s.close()
