// Calls a user writes: the right ones type-check, and each wrong one is an
// error tsc must report (@ts-expect-error fails the compile when the line
// under it has none). Never run; compiled by test/types.test.ts.
import {
  socket, sys, select, AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_ERROR,
  type Address, type SockName,
} from 'sockcall';

export async function right(): Promise<void> {
  const s = socket(AF_INET, SOCK_DGRAM);
  const buf = Buffer.from('x');
  // getsockname() is never null: it goes to connect() as it is.
  const name: SockName = s.getsockname();
  s.connectSync(name);
  await s.connect(s.getpeername());
  await s.sendto(buf, ['127.0.0.1', 9]);
  await s.sendto(buf, 0, ['127.0.0.1', 9], { signal: AbortSignal.timeout(10) });
  s.sendtoSync(buf, ['127.0.0.1', 9]);
  const [data, from] = await s.recvfrom(10, { signal: AbortSignal.timeout(10) });
  data.length.toFixed();
  const a: Address | null = from;
  void a;
  await s.recv(10, 0, { ref: false });
  s.getsockopt(SOL_SOCKET, SO_ERROR).toFixed();
  s.getsockopt(SOL_SOCKET, SO_ERROR, 4).byteLength.toFixed();
  if (s.family.value === AF_INET) s.close();
  const fd = sys.socket(AF_INET6, SOCK_STREAM);
  sys.connectSync(fd, { family: AF_INET6, addr: '::1', port: 9 });
  sys.connectSync(fd, { family: AF_INET, addr: '127.0.0.1', port: 9 });
  sys.bind(fd, { family: AF_UNIX, path: '/tmp/x.sock' });
  await sys.recvfrom(fd, Buffer.alloc(4), 0, 16, { signal: AbortSignal.timeout(1) });
  const ep = select.epoll();
  ep.register(fd);
  (await ep.poll(1, 4)).forEach(([f, events]) => f + events);
}

export async function wrong(): Promise<void> {
  const s = socket(AF_INET, SOCK_DGRAM);
  const buf = Buffer.from('x');
  // @ts-expect-error: no sendto() takes five arguments
  await s.sendto(buf, 'notanaddress', 1, 2, 3);
  // @ts-expect-error: the options are an object, not a number
  await s.recv(10, 0, 5);
  // @ts-expect-error: bufsize is a number
  s.recvSync('10');
  // @ts-expect-error: sendtoSync takes no options
  s.sendtoSync(buf, ['127.0.0.1', 9], { signal: AbortSignal.timeout(1) });
  // @ts-expect-error: an AF_INET address has its addr and port
  sys.connectSync(3, { family: AF_INET });
  // @ts-expect-error: an AF_INET address has no path
  sys.connectSync(3, { family: AF_INET, path: '/tmp/x' });
  // @ts-expect-error: an AF_UNIX address has a path, not a port
  sys.bind(3, { family: AF_UNIX, port: 9 });
  // @ts-expect-error: family is an AddressFamily member, never === a number
  if (s.family === AF_INET) s.close();
  // @ts-expect-error: a host is a string
  s.connectSync([127, 9]);
  // @ts-expect-error: a Sync form returns no Promise
  await s.connectSync(['127.0.0.1', 9]).then(() => 0);
  // @ts-expect-error: recvfrom's address may be null (an unconnected stream peer): it is not a SockName
  const n: SockName = (await s.recvfrom(10))[1];
  void n;
  // @ts-expect-error: getsockopt with a buffer length returns bytes
  s.getsockopt(SOL_SOCKET, SO_ERROR, 4).toFixed();
}
