// `sys`: the system calls themselves, one function each, fd numbers in and
// out, errno thrown as-is (an OSError subclass, see errors.ts).
//
// A call that can block has two forms: `recvfromSync()` makes it on the
// calling thread; `recvfrom()` makes the same system call, with the same
// arguments, once, on a thread of the addon, and returns a Promise. The
// Promise forms take a last `options` argument: { signal, ref } (promise.ts).
import { bytesArg, describe, type Bytes } from '../bytes';
import { native, delivered, recvfromSyncResult, type Cmsg, type Got, type NativeCmsg, type Pollfd, type Sockaddr, type SockaddrOut, type Timespec } from '../native';
import { start, type CallOptions } from '../promise';
import { closeRights, scatterReceived } from './received';

export type {
  Sockaddr, SockaddrIn, SockaddrIn6, SockaddrUn, SockaddrLl, SockaddrUnspec, SockaddrOut, SockaddrRaw, SockaddrUnOut,
  SockaddrLlOut, Cmsg, Pollfd,
} from '../native';
export type { CallOptions, Bytes, Timespec };

/** A control message to send (cmsg(3)). */
export type CmsgIn = NativeCmsg;

export interface Addrinfo {
  family: number; socktype: number; protocol: number; canonname: string | null; address: SockaddrOut | null;
}
export interface AddrinfoHints { family?: number; socktype?: number; protocol?: number; flags?: number }

export interface Accepted<A = SockaddrOut | null> { fd: number; address: A }
export interface Received { nbytes: number; address: SockaddrOut | null }
export interface MsgIn { iov: Bytes[]; name?: Sockaddr | null; control?: CmsgIn[] }
export interface MsgOut {
  /** The buffers to fill, in order. */
  iov: Bytes[];
  /** Room for the sender's address (msg_namelen); null passes msg_name NULL. Default 128. */
  namelen?: number | null;
  /** Room for control messages (msg_controllen). Default 0. */
  controllen?: number;
}
export interface MsgReceived { nbytes: number; address: SockaddrOut | null; control: Cmsg[]; flags: number }

/** struct timeval, for select(2); null waits forever. */
export interface Timeval { tv_sec: number; tv_usec: number }
export interface Selected { nready: number; readfds: number[]; writefds: number[]; exceptfds: number[] }

const STORAGE = native.sizeof.sockaddr_storage;

// Negative fds are refused here, before the kernel: `sys` callers mean a
// real descriptor. (The Python facade passes -1 for a closed socket on
// purpose and calls the addon itself.)
function fdArg(fd: number, name = 'fd'): number {
  if (typeof fd !== 'number' || !Number.isInteger(fd)) {
    throw new TypeError(`${name} must be an integer, got ${describe(fd)}`);
  }
  if (fd < 0 || fd > 0x7fffffff) throw new RangeError(`${name} must be a non-negative integer, got ${fd}`);
  return fd;
}

// ---- calls that never block -------------------------------------------------

export function socket(domain: number, type: number, protocol = 0): number {
  return native.socket(domain, type, protocol);
}

export function socketpair(domain: number, type: number, protocol = 0): [number, number] {
  return native.socketpair(domain, type, protocol);
}

export function bind(fd: number, address: Sockaddr): void {
  native.bind(fdArg(fd), address);
}

export function listen(fd: number, backlog: number): void {
  native.listen(fdArg(fd), backlog);
}

export function shutdown(fd: number, how: number): void {
  native.shutdown(fdArg(fd), how);
}

/** close(2). Calls pending on fd in any thread end first, with SocketClosedError. */
export function close(fd: number): void {
  native.close(fdArg(fd));
}

/** getsockname(2); the kernel always names at least the family. */
export function getsockname(fd: number, addrlen = STORAGE): SockaddrOut {
  return native.getsockname(fdArg(fd), addrlen);
}

export function getpeername(fd: number, addrlen = STORAGE): SockaddrOut {
  return native.getpeername(fdArg(fd), addrlen);
}

/** getsockopt(2): an int option, or with optlen the raw bytes the kernel wrote. */
export function getsockopt(fd: number, level: number, optname: number): number;
export function getsockopt(fd: number, level: number, optname: number, optlen: number): Buffer;
export function getsockopt(fd: number, level: number, optname: number, optlen?: number): number | Buffer {
  if (optlen === undefined) return native.getsockopt(fdArg(fd), level, optname, null);
  return native.getsockopt(fdArg(fd), level, optname, optlen);
}

/** setsockopt(2): an int (4 bytes), the bytes of a buffer, or null with optlen (a NULL optval). */
export function setsockopt(fd: number, level: number, optname: number, value: number | Bytes | null,
  optlen?: number): void {
  native.setsockopt(fdArg(fd), level, optname, value, optlen ?? null);
}

/**
 * ioctl(2) with the requests sockcall names and no other: FIONBIO (value 0
 * or 1), FIONREAD (returns the count), SIOCGIFINDEX (value an interface
 * name, returns its index), SIOCGIFNAME (value an index, returns the name).
 */
export function ioctl(fd: number, request: number, value?: number | string): number | string | undefined {
  return native.ioctl(fdArg(fd), request, value);
}

export function getaddrinfo(host: string | null, service: string | null, hints: AddrinfoHints = {}): Addrinfo[] {
  const { family = 0, socktype = 0, protocol = 0, flags = 0 } = hints;
  return native.getaddrinfo(host, service, family, socktype, protocol, flags);
}

export function inet_pton(af: number, src: string): Buffer | null {
  return native.inet_pton(af, src);
}

export function inet_ntop(af: number, src: Bytes): string {
  return native.inet_ntop(af, src);
}

export function if_nametoindex(name: string): number {
  return native.if_nametoindex(name);
}

export function if_indextoname(index: number): string {
  return native.if_indextoname(index);
}

// ---- calls that can block: Sync form, then Promise form ---------------------

export function connectSync(fd: number, address: Sockaddr): void {
  native.connectSync(fdArg(fd), address);
}
export function connect(fd: number, address: Sockaddr, options?: CallOptions): Promise<void> {
  return start('connect', options, (how) => native.connect(fdArg(fd), address, how));
}

/** accept4(2); addrlen null passes NULL for the peer's address. */
export function accept4Sync(fd: number, flags?: number, addrlen?: number): Accepted<SockaddrOut>;
export function accept4Sync(fd: number, flags: number, addrlen: null): Accepted<null>;
export function accept4Sync(fd: number, flags = 0, addrlen: number | null = STORAGE): Accepted {
  const [newfd, address] = native.accept4Sync(fdArg(fd), flags, addrlen);
  return { fd: newfd, address };
}
export function accept4(fd: number, flags?: number, addrlen?: number, options?: CallOptions): Promise<Accepted<SockaddrOut>>;
export function accept4(fd: number, flags: number, addrlen: null, options?: CallOptions): Promise<Accepted<null>>;
export function accept4(fd: number, flags = 0, addrlen: number | null = STORAGE,
  options?: CallOptions): Promise<Accepted> {
  return start('accept4', options, (how) => native.accept4(fdArg(fd), flags, addrlen, how), true,
    ([newfd, address]: [number, SockaddrOut | null]) => ({ fd: newfd, address }));
}

export function sendSync(fd: number, data: Bytes, flags = 0): number {
  return native.sendSync(fdArg(fd), data, flags);
}
export function send(fd: number, data: Bytes, flags = 0, options?: CallOptions): Promise<number> {
  return start('send', options, (how) => native.send(fdArg(fd), data, flags, how));
}

/** sendto(2); address null passes NULL, 0 (what send(2) does). */
export function sendtoSync(fd: number, data: Bytes, flags: number, address: Sockaddr | null): number {
  return native.sendtoSync(fdArg(fd), data, flags, address);
}
export function sendto(fd: number, data: Bytes, flags: number, address: Sockaddr | null,
  options?: CallOptions): Promise<number> {
  return start('sendto', options, (how) => native.sendto(fdArg(fd), data, flags, address, how));
}

function msgIov(msg: { iov: Bytes[] }): Bytes[] {
  if (typeof msg !== 'object' || msg === null) throw new TypeError('msg must be an object such as { iov: [buffer] }');
  if (!Array.isArray(msg.iov)) throw new TypeError('msg.iov (the buffers) must be an array of buffers');
  return msg.iov;
}

/** sendmsg(2): iov, optional msg_name, control messages laid out with CMSG_SPACE. */
export function sendmsgSync(fd: number, msg: MsgIn, flags = 0): number {
  return native.sendmsgSync(fdArg(fd), msgIov(msg), msg.control ?? [], flags, msg.name ?? null);
}
export function sendmsg(fd: number, msg: MsgIn, flags = 0, options?: CallOptions): Promise<number> {
  return start('sendmsg', options,
    (how) => native.sendmsg(fdArg(fd), msgIov(msg), msg.control ?? [], flags, msg.name ?? null, how));
}

export function recvSync(fd: number, buffer: Bytes, flags = 0): number {
  return native.recvSync(fdArg(fd), bytesArg(buffer, 'buffer'), flags);
}
export function recv(fd: number, buffer: Bytes, flags = 0, options?: CallOptions): Promise<number> {
  return start('recv', options, (how) => native.recv(fdArg(fd), bytesArg(buffer, 'buffer'), flags, how));
}

/** recvfrom(2); addrlen is the room given for the sender's address, null for NULL, NULL. */
export function recvfromSync(fd: number, buffer: Bytes, flags = 0, addrlen: number | null = STORAGE): Received {
  const [nbytes, address] = recvfromSyncResult(native.recvfromSync(fdArg(fd), bytesArg(buffer, 'buffer'), flags, addrlen));
  return { nbytes, address };
}
export function recvfrom(fd: number, buffer: Bytes, flags = 0, addrlen: number | null = STORAGE,
  options?: CallOptions): Promise<Received> {
  return start('recvfrom', options,
    (how) => native.recvfrom(fdArg(fd), bytesArg(buffer, 'buffer'), flags, addrlen, how), true,
    (r: [number, SockaddrOut | null] | number) => {
      const [nbytes, address] = delivered(r);
      return { nbytes, address };
    });
}

export function recvmsgSync(fd: number, msg: MsgOut, flags = 0): MsgReceived {
  const [nbytes, address, control, msgFlags] = native.recvmsgSync(fdArg(fd), msgIov(msg),
    msg.controllen ?? 0, flags, msg.namelen === undefined ? STORAGE : msg.namelen);
  return { nbytes, address, control, flags: msgFlags };
}
export async function recvmsg(fd: number, msg: MsgOut, flags = 0, options?: CallOptions): Promise<MsgReceived> {
  const iov = msgIov(msg);
  const [[data, nbytes], address, control, msgFlags] = await start<[Got, SockaddrOut | null, Cmsg[], number]>(
    'recvmsg', options, (how) => native.recvmsg(fdArg(fd), iov, msg.controllen ?? 0, flags,
      msg.namelen === undefined ? STORAGE : msg.namelen, how));
  scatterReceived(iov, data, control, 'recvmsg');
  return { nbytes, address, control, flags: msgFlags };
}

/**
 * recvmmsg(2): up to msgs.length messages in one call, each into its own
 * buffers (as recvmsg's), one result per message received. The timeout is
 * checked only after a datagram arrives (recvmmsg(2), BUGS): with none
 * waiting the call blocks, unless flags has MSG_DONTWAIT, or
 * MSG_WAITFORONE once one came. No Python counterpart: sys only.
 */
export function recvmmsgSync(fd: number, msgs: MsgOut[], flags = 0, timeout: Timespec | null = null): MsgReceived[] {
  const m = mmsgArgs(msgs);
  return native.recvmmsgSync(fdArg(fd), m.iovs, m.controllens, m.namelens, flags, timeout)
    .map(([nbytes, address, control, msgFlags]) => ({ nbytes, address, control, flags: msgFlags }));
}
export async function recvmmsg(fd: number, msgs: MsgOut[], flags = 0, timeout: Timespec | null = null,
  options?: CallOptions): Promise<MsgReceived[]> {
  const m = mmsgArgs(msgs);
  const got = await start<[Got, SockaddrOut | null, Cmsg[], number][]>('recvmmsg', options,
    (how) => native.recvmmsg(fdArg(fd), m.iovs, m.controllens, m.namelens, flags, timeout, how));
  // Every message's bytes go to its buffers; once one cannot take them, the
  // fds of that message and of every later one are closed (received.ts).
  let failed: unknown;
  const out = got.map(([[data, nbytes], address, control, msgFlags], i) => {
    if (failed !== undefined) {
      closeRights(control);
    } else {
      try {
        scatterReceived(m.iovs[i], data, control, 'recvmmsg');
      } catch (err) {
        failed = err;
      }
    }
    return { nbytes, address, control, flags: msgFlags };
  });
  if (failed !== undefined) throw failed;
  return out;
}

function mmsgArgs(msgs: MsgOut[]): { iovs: Bytes[][]; controllens: number[]; namelens: (number | null)[] } {
  if (!Array.isArray(msgs)) throw new TypeError('msgs must be an array of { iov, namelen?, controllen? }');
  const iovs: Bytes[][] = [];
  const controllens: number[] = [];
  const namelens: (number | null)[] = [];
  msgs.forEach((msg, i) => {
    if (typeof msg !== 'object' || msg === null) throw new TypeError(`msgs[${i}] must be an object { iov, namelen?, controllen? }`);
    const { iov, namelen, controllen } = msg;
    if (!Array.isArray(iov)) throw new TypeError(`msgs[${i}].iov (the buffers) must be an array of buffers`);
    iovs.push(iov);
    controllens.push(controllen ?? 0);
    namelens.push(namelen === undefined ? STORAGE : namelen);
  });
  return { iovs, controllens, namelens };
}

/** sendmmsg(2): msgs in one call; the number of messages sent. No Python counterpart: sys only. */
export function sendmmsgSync(fd: number, msgs: MsgIn[], flags = 0): number {
  const m = sendmmsgArgs(msgs);
  return native.sendmmsgSync(fdArg(fd), m.iovs, m.controls, m.names, flags);
}
export function sendmmsg(fd: number, msgs: MsgIn[], flags = 0, options?: CallOptions): Promise<number> {
  return start('sendmmsg', options, (how) => {
    const m = sendmmsgArgs(msgs);
    return native.sendmmsg(fdArg(fd), m.iovs, m.controls, m.names, flags, how);
  });
}

function sendmmsgArgs(msgs: MsgIn[]): { iovs: Bytes[][]; controls: CmsgIn[][]; names: (Sockaddr | null)[] } {
  if (!Array.isArray(msgs)) throw new TypeError('msgs must be an array of { iov, name?, control? }');
  const iovs: Bytes[][] = [];
  const controls: CmsgIn[][] = [];
  const names: (Sockaddr | null)[] = [];
  msgs.forEach((msg, i) => {
    if (typeof msg !== 'object' || msg === null) throw new TypeError(`msgs[${i}] must be an object { iov, name?, control? }`);
    const { iov, name, control } = msg;
    if (!Array.isArray(iov)) throw new TypeError(`msgs[${i}].iov (the buffers) must be an array of buffers`);
    iovs.push(iov);
    controls.push(control ?? []);
    names.push(name ?? null);
  });
  return { iovs, controls, names };
}

/** poll(2): sets each entry's revents and returns the number ready (0 on timeout). */
export function pollSync(fds: Pollfd[], timeout: number): number {
  const [n, revents] = native.pollSync(fds, timeout);
  revents.forEach((r, i) => { fds[i].revents = r; });
  return n;
}
export function poll(fds: Pollfd[], timeout: number, options?: CallOptions): Promise<number> {
  return start('poll', options, (how) => native.poll(fds, timeout, how), true, ([n, revents]: [number, number[]]) => {
    revents.forEach((r, i) => { fds[i].revents = r; });
    return n;
  });
}

function timevalUs(t: Timeval | null): number | null {
  if (t === null || t === undefined) return null;
  if (typeof t !== 'object') throw new TypeError('timeout must be a struct timeval { tv_sec, tv_usec } or null');
  for (const k of ['tv_sec', 'tv_usec'] as const) {
    if (!Number.isInteger(t[k]) || t[k] < 0) throw new RangeError(`timeout.${k} must be a non-negative integer, got ${describe(t[k])}`);
  }
  return t.tv_sec * 1_000_000 + t.tv_usec;
}

/**
 * select(2): the fds of each set below nfds that are ready (null passes a
 * NULL set). The kernel sees pselect6(2), as glibc makes select() on Linux.
 */
export function selectSync(nfds: number, readfds: number[] | null, writefds: number[] | null,
  exceptfds: number[] | null, timeout: Timeval | null): Selected {
  const [nready, r, w, x] = native.selectSync(nfds, readfds, writefds, exceptfds, timevalUs(timeout));
  return { nready, readfds: r, writefds: w, exceptfds: x };
}
export async function select(nfds: number, readfds: number[] | null, writefds: number[] | null,
  exceptfds: number[] | null, timeout: Timeval | null, options?: CallOptions): Promise<Selected> {
  const us = timevalUs(timeout);
  const [nready, r, w, x] = await start<[number, number[], number[], number[]]>('select', options,
    (how) => native.select(nfds, readfds, writefds, exceptfds, us, how));
  return { nready, readfds: r, writefds: w, exceptfds: x };
}

/**
 * fcntl(2), for the two commands CPython's socket module asks for:
 * F_DUPFD_CLOEXEC (its dup()), with the lowest number to take, and F_GETFD
 * (get_inheritable()). Any other command is a RangeError.
 */
export function fcntl(fd: number, cmd: number, arg = 0): number {
  return native.fcntl(fdArg(fd), cmd, arg);
}

/** epoll_create1(2): flags 0 or EPOLL_CLOEXEC; the epoll fd. */
export function epoll_create1(flags: number): number {
  return native.epoll_create1(flags);
}
/** epoll_ctl(2): event.data is a 32-bit number (CPython stores the fd there). */
export function epoll_ctl(epfd: number, op: number, fd: number, event: { events: number; data: number }): void {
  if (typeof event !== 'object' || event === null) throw new TypeError('event must be { events, data }');
  native.epoll_ctl(fdArg(epfd), op, fdArg(fd), event.events, event.data);
}
/** epoll_wait(2): up to maxevents [events, data] pairs; timeout in milliseconds, -1 forever. */
export function epoll_waitSync(epfd: number, maxevents: number, timeout: number): { events: number; data: number }[] {
  return native.epoll_waitSync(fdArg(epfd), maxevents, timeout).map(([events, data]) => ({ events, data }));
}
export function epoll_wait(epfd: number, maxevents: number, timeout: number,
  options?: CallOptions): Promise<{ events: number; data: number }[]> {
  return start('epoll_wait', options, (how) => native.epoll_wait(fdArg(epfd), maxevents, timeout, how), true,
    (got: [number, number][]) => got.map(([events, data]) => ({ events, data })));
}

/**
 * sendfile(2): count bytes of in_fd to the socket fd, from offset (in_fd's
 * own position left alone) or, with offset null, from in_fd's position.
 */
export function sendfileSync(fd: number, inFd: number, offset: number | null, count: number): number {
  return native.sendfileSync(fdArg(fd), fdArg(inFd), offset, count);
}
export function sendfile(fd: number, inFd: number, offset: number | null, count: number, options?: CallOptions): Promise<number> {
  return start('sendfile', options, (how) => native.sendfile(fdArg(fd), fdArg(inFd), offset, count, how));
}

/**
 * The addon's threads, on which the Promise forms run: how many there are,
 * idle and running calls, and the budget, the most the process may have
 * (README, Reliability), with the limit that bounds it.
 */
export function threads(): { threads: number; idle: number; running: number; budget: number; bound: string; signals: number } {
  return native.threads();
}
