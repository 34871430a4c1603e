// poll.ts with the Promise form of poll.
import { select, socket, AF_INET, SOCK_DGRAM, POLLIN, POLLOUT } from 'sockcall';
import { print } from './repr.ts';
const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const a = socket(AF_INET, SOCK_DGRAM);
a.bind(['127.0.0.1', 0]);
const b = socket(AF_INET, SOCK_DGRAM);
const p = select.poll();
p.register(a, POLLIN);
p.register(b.fileno());
print(same(await p.poll(0), [[b.fileno(), POLLOUT]]));
b.sendtoSync(Buffer.from('x'), a.getsockname() as [string, number]);
p.modify(b, POLLIN);
print(same(await p.poll(1000), [[a.fileno(), POLLIN]]));
p.unregister(b);
print((await p.poll(null)).length);
a.close();
b.close();
