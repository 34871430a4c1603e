import { socket, AF_INET6, SOCK_DGRAM } from 'sockcall';
import { print, list } from './repr.ts';
const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const a = socket(AF_INET6, SOCK_DGRAM);
a.bind(['::1', 0]);
const addr = a.getsockname() as [string, number, number, number];
print(addr.length, addr[0], addr[2], addr[3]);
const b = socket(AF_INET6, SOCK_DGRAM);
b.sendtoSync(Buffer.from('hi'), addr);
let [data, peer] = a.recvfromSync(10);
print(data, same(peer, b.getsockname()));
b.sendtoSync(Buffer.from('msg'), 0, addr);
{
    const [data, anc, flags, peer] = a.recvmsgSync(100, 64);
    print(data, list(anc), flags, same(peer, b.getsockname()));
}
print(b.sendmsgSync([Buffer.from('a'), Buffer.from('bc')], [], 0, addr));
const [buf1, buf2] = [new Uint8Array(2), new Uint8Array(4)];
{
    const [n, anc, flags] = a.recvmsg_intoSync([buf1, buf2]);
    print(n, buf1, buf2.subarray(0, n - 2), list(anc), flags);
}
b.sendtoSync(Buffer.from('x'), [addr[0], addr[1], 0, 0]);
print(a.recvSync(1));
a.close();
b.close();
