// send_fds(): sendmsg() with the fds in one SCM_RIGHTS message; recv_fds():
// recvmsg(bufsize, CMSG_LEN(maxfds * 4)), the fds read from each SCM_RIGHTS
// message, MSG_CTRUNC in the flags when more came than there was room for.
import { socket, socketpair, send_fds, send_fdsSync, recv_fds, recv_fdsSync, close,
    AF_INET, AF_UNIX, SOCK_DGRAM, MSG_CTRUNC } from 'sockcall';
import { print, list } from 'sockcall/builtins';
import { twin } from './form.ts';
const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
// The module's functions in the form asked for (form.ts).
const m = twin({ send_fds, send_fdsSync, recv_fds, recv_fdsSync });
const [a, b] = socketpair();
const u = socket(AF_INET, SOCK_DGRAM);
u.bind(['127.0.0.1', 0]);
print(await m.send_fds(a, [Buffer.from('fds'), Buffer.from('!')], [u.fileno(), a.fileno()]));
let [msg, fds, flags, addr] = await m.recv_fds(b, 100, 4);
print(msg, fds.length, flags, addr);
const v = socket(undefined, undefined, undefined, fds[0]);
print(same(v.getsockname(), u.getsockname()), v.family, v.type, v.get_inheritable());
const w = socket(undefined, undefined, undefined, fds[1]);
print(w.family, w.type);
print(await m.send_fds(a, [Buffer.from('three')], [u.fileno(), u.fileno(), v.fileno()]));
[msg, fds, flags, addr] = await m.recv_fds(b, 3, 1);
print(msg, fds.length, flags === MSG_CTRUNC, addr);
close(fds[0]);
const [c, d] = socketpair(AF_UNIX, SOCK_DGRAM);
print(await m.send_fds(c, [Buffer.from('dgram')], [u.fileno()]));
print(await m.send_fds(c, [Buffer.from('none')], []));
[msg, fds, flags, addr] = await m.recv_fds(d, 10, 2);
print(msg, fds.length, flags, addr);
const got = fds[0];
[msg, fds, flags, addr] = await m.recv_fds(d, 10, 2);
print(msg, list(fds), flags, addr);
for (const s of [a, b, c, d, u, v, w]) {
    s.close();
}
close(got);
