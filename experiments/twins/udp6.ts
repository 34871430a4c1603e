import { socket, AF_INET6, SOCK_DGRAM } from 'sockcall';
import { print, list } from 'sockcall/builtins';
import { twin } from './form.ts';
const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const a = twin(socket(AF_INET6, SOCK_DGRAM));
a.bind(['::1', 0]);
const addr = a.getsockname() as [string, number, number, number];
print(addr.length, addr[0], addr[2], addr[3]);
const b = twin(socket(AF_INET6, SOCK_DGRAM));
await b.sendto(Buffer.from('hi'), addr);
let [data, peer] = await a.recvfrom(10);
print(data, same(peer, b.getsockname()));
await b.sendto(Buffer.from('msg'), 0, addr);
{
    const [data, anc, flags, peer] = await a.recvmsg(100, 64);
    print(data, list(anc), flags, same(peer, b.getsockname()));
}
print(await b.sendmsg([Buffer.from('a'), Buffer.from('bc')], [], 0, addr));
const [buf1, buf2] = [new Uint8Array(2), new Uint8Array(4)];
{
    const [n, anc, flags] = await a.recvmsg_into([buf1, buf2]);
    print(n, buf1, buf2.subarray(0, n - 2), list(anc), flags);
}
await b.sendto(Buffer.from('x'), [addr[0], addr[1], 0, 0]);
print(await a.recv(1));
a.close();
b.close();
