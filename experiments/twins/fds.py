# send_fds(): sendmsg() with the fds in one SCM_RIGHTS message; recv_fds():
# recvmsg(bufsize, CMSG_LEN(maxfds * 4)), the fds read from each SCM_RIGHTS
# message, MSG_CTRUNC in the flags when more came than there was room for.
import socket
a, b = socket.socketpair()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('127.0.0.1', 0))
print(socket.send_fds(a, [b'fds', b'!'], [u.fileno(), a.fileno()]))
msg, fds, flags, addr = socket.recv_fds(b, 100, 4)
print(msg, len(fds), flags, addr)
v = socket.socket(fileno=fds[0])
print(v.getsockname() == u.getsockname(), v.family, v.type, v.get_inheritable())
w = socket.socket(fileno=fds[1])
print(w.family, w.type)
print(socket.send_fds(a, [b'three'], [u.fileno(), u.fileno(), v.fileno()]))
msg, fds, flags, addr = socket.recv_fds(b, 3, 1)
print(msg, len(fds), flags == socket.MSG_CTRUNC, addr)
socket.close(fds[0])
c, d = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
print(socket.send_fds(c, [b'dgram'], [u.fileno()]))
print(socket.send_fds(c, [b'none'], []))
msg, fds, flags, addr = socket.recv_fds(d, 10, 2)
print(msg, len(fds), flags, addr)
got = fds[0]
msg, fds, flags, addr = socket.recv_fds(d, 10, 2)
print(msg, fds, flags, addr)
for s in (a, b, c, d, u, v, w):
    s.close()
socket.close(got)
