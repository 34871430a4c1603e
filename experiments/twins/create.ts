// create_connection(): getaddrinfo(host, port, 0, SOCK_STREAM), then for
// each address socket(), the timeout if one was given, bind() to the
// source address, connect(); the last error when none connects, or all of
// them in an ExceptionGroup (all_errors=True). create_server():
// SO_REUSEADDR, SO_REUSEPORT if asked, IPV6_V6ONLY on an AF_INET6 socket
// (0 for a dual-stack one), bind(), listen().
import { create_connection, create_connectionSync, create_server, has_dualstack_ipv6, OSError,
    AF_INET6, SOL_SOCKET, SO_REUSEPORT, IPPROTO_IPV6, IPV6_V6ONLY } from 'sockcall';
import type { Address } from 'sockcall';
import { print, repr, ExceptionGroup } from 'sockcall/builtins';
import { twin } from './form.ts';
const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
// The module's create_connection in the form asked for (form.ts).
const connect = twin({ create_connection, create_connectionSync });
const srv = twin(create_server(['127.0.0.1', 0]));
print(repr(srv));
let port = (srv.getsockname() as [string, number])[1];
let c = await connect.create_connection(['127.0.0.1', port]);
print(c.gettimeout(), same(c.getpeername(), srv.getsockname()));
let [s] = await srv.accept();
s.close();
c.close();
c = await connect.create_connection(['localhost', port], 2.5, ['127.0.0.1', 0]);
print(c.gettimeout(), same(c.getpeername(), srv.getsockname()));
[s] = await srv.accept();
print(same(s.getpeername(), c.getsockname()));
for (const x of [s, c, srv]) {
    x.close();
}
try {
    await connect.create_connection(['127.0.0.1', port]);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(repr(e));
}
try {
    await connect.create_connection(['127.0.0.1', port], 1.5, undefined, { all_errors: true });
} catch (e) {
    if (!(e instanceof ExceptionGroup)) throw e;
    print(String(e.message), e.exceptions);
}
const a = create_server(['127.0.0.1', 0], { reuse_port: true, backlog: 3 });
const b = create_server(a.getsockname() as Address, { reuse_port: true });
print(same(a.getsockname(), b.getsockname()), a.getsockopt(SOL_SOCKET, SO_REUSEPORT));
try {
    create_server(a.getsockname() as Address);
} catch (e) {
    if (!(e instanceof OSError)) throw e;
    print(e.name, e.errno, e.strerror);
}
b.close();
a.close();
const six = create_server(['::1', 0], { family: AF_INET6 });
print(six.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), six.family);
six.close();
print(has_dualstack_ipv6());
const dual = twin(create_server(['::', 0], { family: AF_INET6, dualstack_ipv6: true }));
print(dual.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY));
port = (dual.getsockname() as [string, number])[1];
for (const host of ['127.0.0.1', '::1']) {
    const c = await connect.create_connection([host, port]);
    const [s, addr] = await dual.accept();
    print((addr as [string])[0], c.family);
    s.close();
    c.close();
}
dual.close();
try {
    create_server(['127.0.0.1', 0], { dualstack_ipv6: true });
} catch (e) {
    if (!(e instanceof RangeError)) throw e;  // CPython's ValueError (README)
    print(e.message);
}
