// SCM_RIGHTS over an AF_UNIX pair: sendmsg with ancillary data, recvmsg with
// room for it (CMSG_SPACE), as CPython lays the control buffer out.
import { socket, socketpair, AF_UNIX, AF_INET, SOCK_DGRAM, SOL_SOCKET, SCM_RIGHTS, MSG_CTRUNC, CMSG_LEN, CMSG_SPACE } from 'sockcall';
import { print } from 'sockcall/builtins';
import { twin } from './form.ts';
const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM).map(twin);
const x = socket(AF_INET, SOCK_DGRAM);
const fds = Buffer.from(new Int32Array([x.fileno()]).buffer);
print(await a.sendmsg([Buffer.from('fd')], [[SOL_SOCKET, SCM_RIGHTS, fds]]));
{
    const [data, anc, flags, addr] = await b.recvmsg(10, CMSG_SPACE(4));
    print(data, anc.length, anc[0][0] === SOL_SOCKET, anc[0][1] === SCM_RIGHTS, anc[0][2].length, flags, addr);
}
print(await a.sendmsg([Buffer.from('two'), Buffer.from('fds')],
    [[SOL_SOCKET, SCM_RIGHTS, Buffer.from(new Int32Array([x.fileno(), x.fileno()]).buffer)]]));
{
    const [data, anc, flags] = await b.recvmsg(10, CMSG_LEN(4));
    print(data, anc.length, anc[0][2].length, (flags & MSG_CTRUNC) !== 0);
}
print(CMSG_LEN(4), CMSG_SPACE(4));
x.close();
a.close();
b.close();
