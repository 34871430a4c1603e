# SCM_RIGHTS over an AF_UNIX pair: sendmsg with ancillary data, recvmsg with
# room for it (CMSG_SPACE), as CPython lays the control buffer out.
import array, socket
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
x = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fds = array.array('i', [x.fileno()])
print(a.sendmsg([b'fd'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)]))
data, anc, flags, addr = b.recvmsg(10, socket.CMSG_SPACE(4))
print(data, len(anc), anc[0][0] == socket.SOL_SOCKET, anc[0][1] == socket.SCM_RIGHTS, len(anc[0][2]), flags, addr)
print(a.sendmsg([b'two', b'fds'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [x.fileno(), x.fileno()]))]))
data, anc, flags, addr = b.recvmsg(10, socket.CMSG_LEN(4))
print(data, len(anc), len(anc[0][2]), flags & socket.MSG_CTRUNC != 0)
print(socket.CMSG_LEN(4), socket.CMSG_SPACE(4))
x.close()
a.close()
b.close()
