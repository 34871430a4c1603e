// Which calls of a run are the program's, and their normalized lines: on
// strace text of the shapes each Node line and CPython write (no process
// is run here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskOutput, normalize, programCalls, programLines, tracerCalls } from '../cli/calls.ts';
import { parseStrace, parseTrace, splitStdoutWrites, type TracerFile } from '../cli/strace.ts';

const lines = (text: string, tracer: TracerFile[] = []) => programLines({ calls: parseStrace(text), tracer }).body;

// A multi-threaded server ended at the deadline: strace writes the pending
// calls in either of two ways, and the program's socket numbers vary.
const killedA = `
4079  socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3<socket:[8573]>
4079  listen(3<socket:[8573]>, 128)     = 0
4080  accept4(3<socket:[8573]>,  <unfinished ...>
4079  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 5<socket:[8574]>
4079  recvfrom(5<socket:[8574]>,  <unfinished ...>
4080  <... accept4 resumed> <unfinished ...>) = ?
4079  <... recvfrom resumed> <unfinished ...>) = ?
`;
const killedB = `
4088  socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3<socket:[7978]>
4088  listen(3<socket:[7978]>, 128)     = 0
4089  accept4(3<socket:[7978]>,  <unfinished ...>
4088  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 4<socket:[7979]>
4088  recvfrom(4<socket:[7979]>,  <unfinished ...>) = ?
4089  <... accept4 resumed> <unfinished ...>) = ?
`;

test('a call killed while pending stays unfinished, however strace splits its line', () => {
  for (const text of [killedA, killedB]) {
    assert.deepEqual(lines(text), [
      'socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = A',
      'listen(A, 128) = 0',
      'accept4(A <unfinished ...>',
      'socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = B',
      'recvfrom(B <unfinished ...>',
    ]);
    const pending = programCalls(parseStrace(text), []).calls.filter((c) => c.tokens.call.unfinished);
    assert.deepEqual(pending.map((c) => c.tokens.call.name), ['accept4', 'recvfrom']);
  }
});

// Node 22's libuv (1.49+) makes socketpairs for a child's stdio and sets
// their buffers; the program's calls come from the addon, which traced them.
const node22 = `
500  socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [19<socket:[100]>, 20<socket:[101]>]) = 0
500  setsockopt(19<socket:[100]>, SOL_SOCKET, SO_RCVBUF, [65536], 4) = 0
500  setsockopt(20<socket:[101]>, SOL_SOCKET, SO_SNDBUF, [65536], 4) = 0
500  close(20<socket:[101]>)           = 0
500  ioctl(19<socket:[100]>, FIONBIO, [1]) = 0
500  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 20<socket:[200]>
501  connect(20<socket:[200]>, {sa_family=AF_INET, sin_port=htons(1060), sin_addr=inet_addr("127.0.0.1")}, 16) = 0
501  sendto(20<socket:[200]>, "123", 3, 0, NULL, 0) = 3
500  close(19<socket:[100]>)           = 0
`;
const node22Tracer = [{ pid: 500, calls: parseTrace(`socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 20 <0.000010>
[pid   501] connect(20, {sa_family=AF_INET, sin_port=htons(1060), sin_addr=inet_addr("127.0.0.1")}, 16) = 0 <0.000014>
[pid   501] sendto(20, "123", 3, 0, NULL, 0) = 3 <0.000034>
`, 500) }];

test('with the addon\'s trace, the runtime\'s sockets are left out whatever it does with them', () => {
  const expected = [
    'socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = A',
    'connect(A, {sa_family=AF_INET, sin_port=htons(1060), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
    'sendto(A, "123", 3, 0, NULL, 0) = 3',
  ];
  assert.deepEqual(lines(node22, node22Tracer), expected);
  // The same lines from the tracer alone, and every tracer line was found.
  assert.deepEqual(normalize(tracerCalls(node22Tracer)).lines, expected);
  assert.deepEqual(programCalls(parseStrace(node22), node22Tracer).unmatched, []);
  // Without the tracer's word, the socketpair is taken for the program's:
  // it made it.
  assert.equal(lines(node22)[0], 'socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [A, B]) = 0');
});

test('a tracer line strace did not show is reported, not silently dropped', () => {
  const tracer = [{ pid: 500, calls: parseTrace('getsockname(20, 0x1234, [16]) = -1 EBADF (Bad file descriptor) <0.000001>\n', 500) }];
  assert.equal(programCalls(parseStrace(node22), [...node22Tracer, tracer[0]]).unmatched.length, 1);
});

// CPython's getaddrinfo with AI_ADDRCONFIG: glibc asks nscd, then rtnetlink.
const glibc = `
600  socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3<socket:[300]>
600  connect(3<socket:[300]>, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)
600  close(3<socket:[300]>)            = 0
600  socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3<socket:[301]>
600  bind(3<socket:[301]>, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 0
600  getsockname(3<socket:[301]>, {sa_family=AF_NETLINK, nl_pid=600, nl_groups=00000000}, [12]) = 0
600  sendto(3<socket:[301]>, [{nlmsg_len=20, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, nlmsg_seq=1700000000, nlmsg_pid=0}, {ifa_family=AF_UNSPEC, ...}], 20, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20
600  close(3<socket:[301]>)            = 0
600  socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3<socket:[302]>
600  bind(3<socket:[302]>, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 0
600  getsockname(3<socket:[302]>, {sa_family=AF_NETLINK, nl_pid=600, nl_groups=00000000}, [12]) = 0
600  close(3<socket:[302]>)            = 0
`;

test('the C library\'s own sockets (nscd, getaddrinfo\'s rtnetlink) are not the program\'s; a netlink socket of its own is, its pid masked', () => {
  assert.deepEqual(normalize(programCalls(parseStrace(glibc), [])).lines, [
    'socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = A',
    'bind(A, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 0',
    'getsockname(A, {sa_family=AF_NETLINK, nl_pid=PID, nl_groups=00000000}, [12]) = 0',
    'close(A) = 0',
  ]);
});

// A program that polls a socket after closing it (POLLNVAL), and an fd
// number given to a file afterwards.
const closed = `
700  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 4<socket:[400]>
700  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 5<socket:[401]>
700  close(5<socket:[401]>)            = 0
700  poll([{fd=4<socket:[400]>, events=POLLIN}, {fd=5, events=POLLIN}], 2, 0) = 1 ([{fd=5, revents=POLLNVAL}])
700  close(5</usr/lib/python3.11/x.pyc>) = 0
700  poll([{fd=5, events=POLLIN}], 1, 0) = 1 ([{fd=5, revents=POLLNVAL}])
`;

test('a poll on a closed socket names it by its letter; a file given the number later is not the program\'s', () => {
  assert.deepEqual(lines(closed), [
    'socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = A',
    'socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = B',
    'close(B) = 0',
    'poll([{fd=A, events=POLLIN}, {fd=B, events=POLLIN}], 2, 0) = 1 ([{fd=B, revents=POLLNVAL}])',
  ]);
});

test('sockets inherited from the parent (stdio socketpairs) are not the program\'s', () => {
  const text = `
800  ioctl(1<socket:[900]>, TCGETS, 0x7ffd0000) = -1 ENOTTY (Inappropriate ioctl for device)
800  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 3<socket:[901]>
800  socket(0x3039 /* AF_??? */, SOCK_DGRAM|SOCK_CLOEXEC, 0) = -1 EAFNOSUPPORT (Address family not supported by protocol)
`;
  assert.deepEqual(lines(text), ['socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = A',
    'socket(0x3039 /* AF_??? */, SOCK_DGRAM|SOCK_CLOEXEC, 0) = -1 EAFNOSUPPORT (Address family not supported by protocol)']);
});

test('output: the kernel\'s ports and CPython\'s fd= are named as in the calls', () => {
  const text = `
900  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 7<socket:[500]>
900  recvfrom(7<socket:[500]>, "hi", 65535, 0, {sa_family=AF_INET, sin_port=htons(45001), sin_addr=inet_addr("127.0.0.1")}, [16]) = 2
`;
  const n = normalize(programCalls(parseStrace(text), []), { keepPorts: [] });
  assert.equal(maskOutput("<socket.socket fd=7> ('127.0.0.1', 45001) 3 bytes, port 1060\n", n),
    "<socket.socket fd=A> ('127.0.0.1', P1) 3 bytes, port 1060\n");
});

// A number the kernel gave to a second socket once the first was closed:
// each print's fd= is the socket that had the number when it was written.
// Node 22's runtime closes fds of its own mid-run, so a port's numbers are
// reused where Python's are not; the last socket at a number names neither.
test('output: a reused number is named after the socket that had it when the line was written', () => {
  const text = `
900  1700000000.000100 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 7<socket:[500]> <0.000010>
900  1700000000.000200 write(1<socket:[42]>, "<socket.socket fd=7>\\n", 21) = 21 <0.000010>
900  1700000000.000300 write(9<anon_inode:[eventfd]>, "\\1\\0\\0\\0\\0\\0\\0\\0", 8) = 8 <0.000010>
900  1700000000.000400 close(7<socket:[500]>) = 0 <0.000010>
900  1700000000.000500 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 7<socket:[501]> <0.000010>
900  1700000000.000600 write(1<socket:[42]>, "<socket.socket fd=7> \\u00e9t\\u00e9\\n", 27) = 27 <0.000010>
900  1700000000.000700 write(1<pipe:[77]>, "a shim's own", 12) = 12 <0.000010>
900  1700000000.000800 close(7<socket:[501]>) = 0 <0.000010>
`;
  // The harness read 48 bytes: its socketpair's (42) writes, not the shim's 12 on pipe 77.
  const { calls, writes } = splitStdoutWrites(parseStrace(text), 48, ['write', 'writev']);
  assert.deepEqual(writes, [{ time: 1700000000.0002, bytes: 21 }, { time: 1700000000.0006, bytes: 27 }]);
  assert.deepEqual(calls.map((c) => c.name), ['socket', 'close', 'socket', 'close']);
  const n = normalize(programCalls(calls, []));
  // The bytes of each write, not the characters: é is two.
  const out = '<socket.socket fd=7>\n<socket.socket fd=7> \u00e9t\u00e9\n';
  assert.equal(Buffer.byteLength(out), 48);
  assert.equal(maskOutput(out, n, writes), '<socket.socket fd=A>\n<socket.socket fd=B> \u00e9t\u00e9\n');
  // Bytes that add up on no pipe (a run killed mid-write): no times.
  assert.deepEqual(splitStdoutWrites(parseStrace(text), 47, ['write', 'writev']).writes, []);
  // Without the writes' times (all of stdout at exit), the last socket at 7.
  assert.equal(maskOutput(out, n), '<socket.socket fd=B>\n<socket.socket fd=B> \u00e9t\u00e9\n');
});

test('sendfile(2)\'s in_fd is a file: FILE1 in strace\'s lines and the tracer\'s, whatever its number', () => {
  const text = (fd: number) => `
900  socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 5<socket:[500]>
900  sendfile(5<socket:[500]>, ${fd}</tmp/x.bin>, [0] => [10], 10) = 10
900  sendfile(5<socket:[500]>, ${fd}</tmp/x.bin>, [10], 10) = 0
`;
  const expected = ['socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = A',
    'sendfile(A, FILE1, [0] => [10], 10) = 10', 'sendfile(A, FILE1, [10], 10) = 0'];
  assert.deepEqual(lines(text(6)), expected);
  const tracer = [{ pid: 900, calls: parseTrace('socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 5\n' +
    'sendfile(5, 29, [0] => [10], 10) = 10\nsendfile(5, 29, [10], 10) = 0\n', 900) }];
  assert.deepEqual(lines(text(29), tracer), expected);
  assert.deepEqual(normalize(tracerCalls(tracer)).lines, expected);
});

test('select(2): the fds in its sets and its ready sets named, nfds as MAXFD+1, what it left of its timeout masked', () => {
  const text = `
900  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 3<socket:[500]>
900  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 4<socket:[501]>
900  pselect6(5, [3<socket:[500]> 4<socket:[501]>], [3<socket:[500]>], NULL, {tv_sec=2, tv_nsec=0}, NULL) = 2 (in [4], out [3], left {tv_sec=1, tv_nsec=999998297})
900  close(4<socket:[501]>) = 0
900  pselect6(5, [3<socket:[500]> 4], NULL, NULL, {tv_sec=0, tv_nsec=0}, NULL) = -1 EBADF (Bad file descriptor)
`;
  const expected = [
    'socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = A',
    'socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = B',
    'pselect6(MAXFD+1, [A B], [A], NULL, {tv_sec=2, tv_nsec=0}, NULL) = 2 (in [B], out [A], left {...})',
    'close(B) = 0',
    'pselect6(MAXFD+1, [A B], NULL, NULL, {tv_sec=0, tv_nsec=0}, NULL) = -1 EBADF (Bad file descriptor)',
  ];
  assert.deepEqual(lines(text), expected);
  const tracer = [{ pid: 900, calls: parseTrace(`socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 20
socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 21
pselect6(22, [20 21], [20], NULL, {tv_sec=2, tv_nsec=0}, NULL) = 2 (in [21], out [20], left {tv_sec=1, tv_nsec=999997306})
close(21) = 0
pselect6(22, [20 21], NULL, NULL, {tv_sec=0, tv_nsec=0}, NULL) = -1 EBADF (Bad file descriptor)
`, 900) }];
  assert.deepEqual(normalize(tracerCalls(tracer)).lines, expected);
});

test('epoll: the fds in epoll_wait\'s events and in CPython\'s half-set data named; an epoll asked to watch a closed socket is the program\'s', () => {
  const text = `
900  epoll_create1(EPOLL_CLOEXEC) = 3<anon_inode:[eventpoll]>
900  close(3<anon_inode:[eventpoll]>) = 0
900  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 3<socket:[500]>
900  epoll_create1(EPOLL_CLOEXEC) = 5<anon_inode:[eventpoll]>
900  epoll_ctl(5<anon_inode:[eventpoll]>, EPOLL_CTL_ADD, 3<socket:[500]>, {events=EPOLLIN, data={u32=3, u64=3}}) = 0
900  epoll_wait(5<anon_inode:[eventpoll]>, [{events=EPOLLOUT, data={u32=3, u64=3}}], 1023, 0) = 1
900  epoll_ctl(5<anon_inode:[eventpoll]>, EPOLL_CTL_ADD, 3<socket:[500]>, {events=EPOLLIN, data={u32=3, u64=139908559667203}}) = -1 EEXIST (File exists)
900  close(5<anon_inode:[eventpoll]>) = 0
900  close(3<socket:[500]>) = 0
900  epoll_create1(EPOLL_CLOEXEC) = 5<anon_inode:[eventpoll]>
900  epoll_ctl(5<anon_inode:[eventpoll]>, EPOLL_CTL_ADD, 3, {events=EPOLLIN, data={u32=3, u64=139908559667203}}) = -1 EBADF (Bad file descriptor)
`;
  assert.deepEqual(lines(text), [
    'socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = A',
    'epoll_create1(EPOLL_CLOEXEC) = B',
    'epoll_ctl(B, EPOLL_CTL_ADD, A, {events=EPOLLIN, data={u32=A, u64=A}}) = 0',
    'epoll_wait(B, [{events=EPOLLOUT, data={u32=A, u64=A}}], 1023, 0) = 1',
    'epoll_ctl(B, EPOLL_CTL_ADD, A, {events=EPOLLIN, data={u32=A, u64=A}}) = -1 EEXIST (File exists)',
    'close(B) = 0',
    'close(A) = 0',
    'epoll_create1(EPOLL_CLOEXEC) = C',
    'epoll_ctl(C, EPOLL_CTL_ADD, A, {events=EPOLLIN, data={u32=A, u64=A}}) = -1 EBADF (Bad file descriptor)',
  ]);
});

test('a call strace split inside an argument it prints on entry and on exit (sendfile\'s offset) is joined as one line', () => {
  const text = `
900  socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 5<socket:[500]>
901  sendfile(5<socket:[500]>, 6</tmp/x.bin>, [0] <unfinished ...>
900  close(7</tmp/y>) = 0
901  <... sendfile resumed> => [10240], 10240) = 10240
`;
  assert.deepEqual(lines(text), ['socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = A',
    'sendfile(A, FILE1, [0] => [10240], 10240) = 10240']);
});

test('a runtime\'s epoll (libuv\'s loop: a pipe and an eventfd first) is not the program\'s, even when it adds the program\'s socket', () => {
  const text = `
900  epoll_create1(EPOLL_CLOEXEC) = 13<anon_inode:[eventpoll]>
900  epoll_ctl(13<anon_inode:[eventpoll]>, EPOLL_CTL_ADD, 14<pipe:[600]>, {events=EPOLLIN, data={u32=14, u64=14}}) = 0
900  epoll_ctl(13<anon_inode:[eventpoll]>, EPOLL_CTL_ADD, 16<anon_inode:[eventfd]>, {events=EPOLLIN, data={u32=16, u64=16}}) = 0
900  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 17<socket:[500]>
900  connect(17<socket:[500]>, {sa_family=AF_INET, sin_port=htons(1060), sin_addr=inet_addr("127.0.0.1")}, 16) = 0
900  epoll_ctl(13<anon_inode:[eventpoll]>, EPOLL_CTL_ADD, 17<socket:[500]>, {events=EPOLLIN, data={u32=17, u64=17}}) = 0
900  epoll_pwait(13<anon_inode:[eventpoll]>, [{events=EPOLLERR, data={u32=17, u64=17}}], 1024, 0, NULL, 8) = 1
900  recvmsg(17<socket:[500]>, {msg_namelen=128}, 0) = -1 ECONNREFUSED (Connection refused)
`;
  assert.deepEqual(lines(text).map((l) => l.split('(')[0]), ['socket', 'connect', 'recvmsg']);
});
