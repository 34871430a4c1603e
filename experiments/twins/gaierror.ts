// Name lookups that fail without leaving the machine: glibc refuses 'a..b'
// (EAI_NONAME) and '::1' for AF_INET (EAI_ADDRFAMILY) without a query.
import { socket, getaddrinfo, gaierror, OSError, AF_INET, SOCK_DGRAM } from 'sockcall';
import { print, repr, list, str } from 'sockcall/builtins';
import { twin } from './form.ts';
const s = twin(socket(AF_INET, SOCK_DGRAM));
for (const host of ['a..b', '::1']) {
    try {
        await s.connect([host, 1060]);
    } catch (e) {
        if (!(e instanceof gaierror)) throw e;
        print(repr(e), e.errno, e instanceof OSError);
    }
}
const infos = getaddrinfo('127.0.0.1', 80, AF_INET, SOCK_DGRAM);
print(list(infos));
print(list(infos.map(([f, t, p, c, a]) => [Number(f), Number(t), p, c, a])));
print(infos[0][0].valueOf() === AF_INET, infos[0][0].name, str(infos[0][1]));
s.close();
