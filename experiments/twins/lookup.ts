// The lookups that stay on this machine: /etc/hosts has 127.0.0.1
// localhost, /etc/services and /etc/protocols the rest; glibc's own sockets
// (nscd's, if_nameindex's rtnetlink) are not the program's. The only
// sockets of the program's are has_dualstack_ipv6()'s. No name here is one
// a name server could be asked for; getfqdn() is given one, since without
// one it looks up this host's own name, which may go to DNS.
import { gethostname, gethostbyname, gethostbyname_ex, gethostbyaddr, getfqdn, getnameinfo, getservbyname,
    getservbyport, getprotobyname, inet_aton, inet_ntoa, if_nameindex, has_ipv6, has_dualstack_ipv6, OSError,
    NI_NUMERICHOST, NI_NUMERICSERV } from 'sockcall';
import { print, list, repr } from 'sockcall/builtins';
// Python's lists in the results: [name, aliases, addresses].
const hostent = ([name, aliases, addrs]: [string, string[], string[]]) => [name, list(aliases), list(addrs)];
print(gethostname() !== '');
print(gethostbyname('localhost'), gethostbyname('127.0.0.1'));
print(hostent(gethostbyname_ex('localhost')));
print(hostent(gethostbyaddr('127.0.0.1')));
print(getfqdn('localhost'), getfqdn('127.0.0.1'));
print(getnameinfo(['127.0.0.1', 80], NI_NUMERICHOST | NI_NUMERICSERV));
print(getnameinfo(['127.0.0.1', 80], NI_NUMERICHOST));
print(getnameinfo(['127.0.0.1', 80], 0));
print(getservbyname('http', 'tcp'), getservbyname('domain'), getservbyport(80), getservbyport(53, 'udp'));
print(getprotobyname('udp'), getprotobyname('tcp'));
for (const call of [() => getservbyname('no-such-service', 'tcp'), () => getservbyport(1, 'udp'),
                    () => getprotobyname('no-such-protocol'), () => inet_aton('1.2.3.4.5'),
                    () => inet_ntoa(Buffer.from([1, 2]))]) {
    try {
        call();
    } catch (e) {
        if (!(e instanceof OSError)) throw e;
        print(repr(e));
    }
}
print(inet_aton('127.1'), inet_aton('0x7f.1'), inet_ntoa(Buffer.from([127, 0, 0, 1])));
print(if_nameindex()[0], if_nameindex().every(([i, n]) => i > 0 && n !== ''));
print(has_ipv6, has_dualstack_ipv6());
