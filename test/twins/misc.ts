// detach() and fileno() make no system call; setdefaulttimeout() makes new
// sockets non-blocking (FIONBIO) and accept() hands out blocking ones.
import { socket, sys, setdefaulttimeout, getdefaulttimeout, AF_INET, SOCK_DGRAM, SOCK_STREAM } from 'sockcall';
import { print } from './repr.ts';
const s = socket(AF_INET, SOCK_DGRAM);
const fd = s.detach();
print(s.fileno());
sys.close(fd);
setdefaulttimeout(2.5);
const t = socket(AF_INET, SOCK_STREAM);
print(t.gettimeout(), getdefaulttimeout());
setdefaulttimeout(null);
t.bind(['127.0.0.1', 0]);
t.listen();
const u = socket(AF_INET, SOCK_STREAM);
u.connectSync(t.getsockname() as [string, number]);
const [v] = t.acceptSync();
print(v.gettimeout());
for (const x of [t, u, v]) {
    x.close();
}
