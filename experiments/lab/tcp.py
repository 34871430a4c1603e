# A cell of the lab's matrix, TCP (sockcall lab --matrix runs it, and its
# TypeScript port tcp.ts, in every cell): connect, with a timeout, to a
# destination that makes an ICMP error; SO_ERROR; the error queue; and,
# once connected, a send and the next recv.
#
#   python3 tcp.py FROM TO PORT [recverr] [hops=N] [size=N] [pmtudisc=do]
#
# Run it inside the lab's client namespace:
#   sockcall lab -- python3 experiments/lab/tcp.py 192.0.2.10 203.0.113.1 1060
import errno
import socket
import sys

IP_RECVERR = 11          # linux/in.h; CPython has no constant for it
IPV6_RECVERR = 25        # linux/in6.h
IP_MTU_DISCOVER = 10     # linux/in.h
PMTUDISC = {'do': 2}     # IP_PMTUDISC_DO
ORIGINS = {0: 'none', 1: 'local', 2: 'icmp', 3: 'icmp6'}  # SO_EE_ORIGIN_*
WAIT_MS = 300  # the time given to an answer
WAIT = WAIT_MS / 1000

source, target, port, *options = sys.argv[1:]
opts = dict(o.split('=', 1) if '=' in o else (o, '') for o in options)
family = socket.AF_INET6 if ':' in target else socket.AF_INET
level = socket.IPPROTO_IPV6 if family == socket.AF_INET6 else socket.IPPROTO_IP
address = (target, int(port))
data = b'x' * int(opts.get('size', '3'))


def failed(e):
    return f'{type(e).__name__}: {e}'


def so_error():
    value = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    print(f'SO_ERROR: {value} {errno.errorcode[value]}' if value else 'SO_ERROR: 0')


def flag_names(value, names):
    return '|'.join(n for n in names if value & getattr(socket, n)) or '0'


# The queue returns the start of the segment the error is about: the SYN's
# TCP header, with its random sequence number. No room is given for it (the
# count and MSG_TRUNC say it was there), so that two runs can be compared.
def error_queue():
    try:
        returned, ancdata, flags, _ = sock.recvmsg(0, 512, socket.MSG_ERRQUEUE)
        for cmsg_level, cmsg_type, ee in ancdata:
            ee_errno = int.from_bytes(ee[0:4], sys.byteorder)
            ee_info = int.from_bytes(ee[8:12], sys.byteorder)
            offender_family = int.from_bytes(ee[16:18], sys.byteorder)
            offender = (socket.inet_ntop(socket.AF_INET, ee[20:24]) if offender_family == socket.AF_INET
                        else socket.inet_ntop(socket.AF_INET6, ee[24:40]) if offender_family == socket.AF_INET6 else 'nobody')
            print(f'error queue: errno {ee_errno} {errno.errorcode.get(ee_errno, "")}, origin {ORIGINS.get(ee[4], ee[4])},'
                  f' type {ee[5]} code {ee[6]}, info {ee_info}, from {offender};'
                  f' {len(returned)} bytes returned, flags {flag_names(flags, ["MSG_ERRQUEUE", "MSG_TRUNC", "MSG_CTRUNC"])}')
    except OSError as e:
        print('error queue:', failed(e))


sock = socket.socket(family, socket.SOCK_STREAM)
sock.bind((source, 0))
host, local_port = sock.getsockname()[:2]
print(f'bound: {host} port {local_port}')
if 'recverr' in opts:
    sock.setsockopt(level, IPV6_RECVERR if family == socket.AF_INET6 else IP_RECVERR, 1)
if 'hops' in opts:
    sock.setsockopt(level, socket.IPV6_UNICAST_HOPS if family == socket.AF_INET6 else socket.IP_TTL, int(opts['hops']))
if 'pmtudisc' in opts:
    sock.setsockopt(level, IP_MTU_DISCOVER, PMTUDISC[opts['pmtudisc']])
sock.settimeout(WAIT)
try:
    sock.connect(address)
    print('connect: connected')
    connected = True
except OSError as e:
    print('connect:', failed(e))
    connected = False
so_error()
sock.settimeout(None)
error_queue()
if connected:
    sock.settimeout(WAIT)
    try:
        sock.sendall(data)
        print('sendall:', len(data), 'bytes')
    except OSError as e:
        print('sendall:', failed(e))
    try:
        reply = sock.recv(65535)
        print('recv:', len(reply), 'bytes')
    except OSError as e:
        print('recv:', failed(e))
    so_error()
    sock.settimeout(None)
    error_queue()
sock.close()
