// detach() and fileno() make no system call; setdefaulttimeout() makes new
// sockets non-blocking (FIONBIO) and accept() hands out blocking ones.
import { socket, sys, setdefaulttimeout, getdefaulttimeout, AF_INET, SOCK_DGRAM, SOCK_STREAM } from 'sockcall';
import { print } from 'sockcall/builtins';
import { twin } from './form.ts';
const s = socket(AF_INET, SOCK_DGRAM);
const fd = s.detach();
print(s.fileno());
sys.close(fd);
setdefaulttimeout(2.5);
const t = twin(socket(AF_INET, SOCK_STREAM));
print(t.gettimeout(), getdefaulttimeout());
setdefaulttimeout(null);
t.bind(['127.0.0.1', 0]);
t.listen();
const u = twin(socket(AF_INET, SOCK_STREAM));
await u.connect(t.getsockname() as [string, number]);
const [v] = await t.accept();
print(v.gettimeout());
for (const x of [t, u, v]) {
    x.close();
}
