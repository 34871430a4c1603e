# A cell of the lab's matrix, UDP (sockcall lab --matrix runs it, and its
# TypeScript port udp.ts, in every cell): a datagram to a destination that
# makes an ICMP error; whether the socket is woken, SO_ERROR, the error
# queue; then a second datagram and the next recvfrom.
#
#   python3 udp.py connected|unconnected FROM TO PORT [recverr] [hops=N] [size=N] [pmtudisc=do|probe]
#
# FROM is this run's own source address (the lab gives each run one), TO
# the destination. Run it inside the lab's client namespace:
#   sockcall lab -- python3 experiments/lab/udp.py connected 192.0.2.10 203.0.113.129 1060
import errno
import select
import socket
import sys

IP_RECVERR = 11          # linux/in.h; CPython has no constant for it
IPV6_RECVERR = 25        # linux/in6.h
IP_MTU_DISCOVER = 10     # linux/in.h
IPV6_MTU_DISCOVER = 23   # linux/in6.h
PMTUDISC = {'do': 2, 'probe': 3}  # IP_PMTUDISC_DO, IP_PMTUDISC_PROBE; the IPV6_PMTUDISC_ values are the same
ORIGINS = {0: 'none', 1: 'local', 2: 'icmp', 3: 'icmp6'}  # SO_EE_ORIGIN_*
WAIT_MS = 300  # the time given to an answer
WAIT = WAIT_MS / 1000

mode, source, target, port, *options = sys.argv[1:]
opts = dict(o.split('=', 1) if '=' in o else (o, '') for o in options)
family = socket.AF_INET6 if ':' in target else socket.AF_INET
level = socket.IPPROTO_IPV6 if family == socket.AF_INET6 else socket.IPPROTO_IP
address = (target, int(port))
data = b'x' * int(opts.get('size', '3'))


def failed(e):
    return f'{type(e).__name__}: {e}'


def flag_names(value, module, names):
    return '|'.join(n for n in names if value & getattr(module, n)) or '0'


sock = socket.socket(family, socket.SOCK_DGRAM)
sock.bind((source, 0))
host, local_port = sock.getsockname()[:2]
print(f'bound: {host} port {local_port}')
if 'recverr' in opts:
    sock.setsockopt(level, IPV6_RECVERR if family == socket.AF_INET6 else IP_RECVERR, 1)
if 'hops' in opts:
    sock.setsockopt(level, socket.IPV6_UNICAST_HOPS if family == socket.AF_INET6 else socket.IP_TTL, int(opts['hops']))
if 'pmtudisc' in opts:
    sock.setsockopt(level, IPV6_MTU_DISCOVER if family == socket.AF_INET6 else IP_MTU_DISCOVER, PMTUDISC[opts['pmtudisc']])
if mode == 'connected':
    sock.connect(address)


def send():
    try:
        sent = sock.send(data) if mode == 'connected' else sock.sendto(data, address)
        print('sendto:', sent)
    except OSError as e:
        print('sendto:', failed(e))


send()
poll = select.poll()
poll.register(sock, select.POLLIN)
ready = poll.poll(WAIT_MS)
print('poll:', flag_names(ready[0][1], select, ['POLLIN', 'POLLERR']) if ready else f'nothing within {WAIT_MS} ms')
so_error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
print(f'SO_ERROR: {so_error} {errno.errorcode[so_error]}' if so_error else 'SO_ERROR: 0')
try:
    returned, ancdata, flags, _ = sock.recvmsg(2048, 512, socket.MSG_ERRQUEUE)
    for cmsg_level, cmsg_type, ee in ancdata:
        ee_errno = int.from_bytes(ee[0:4], sys.byteorder)
        ee_info = int.from_bytes(ee[8:12], sys.byteorder)
        offender_family = int.from_bytes(ee[16:18], sys.byteorder)
        offender = (socket.inet_ntop(socket.AF_INET, ee[20:24]) if offender_family == socket.AF_INET
                    else socket.inet_ntop(socket.AF_INET6, ee[24:40]) if offender_family == socket.AF_INET6 else 'nobody')
        print(f'error queue: errno {ee_errno} {errno.errorcode.get(ee_errno, "")}, origin {ORIGINS.get(ee[4], ee[4])},'
              f' type {ee[5]} code {ee[6]}, info {ee_info}, from {offender};'
              f' {len(returned)} bytes returned, flags {flag_names(flags, socket, ["MSG_ERRQUEUE", "MSG_TRUNC", "MSG_CTRUNC"])}')
except OSError as e:
    print('error queue:', failed(e))
send()
sock.settimeout(WAIT)
try:
    reply, peer = sock.recvfrom(65535)
    print('recvfrom:', len(reply), 'bytes from', peer[0])
except OSError as e:
    print('recvfrom:', failed(e))
sock.close()
