// `sys`: the system calls themselves, one function each, fd numbers in and
// out, errno thrown as-is (an OSError subclass, see errors.ts).
//
// A call that can block has two forms: `recvfromSync()` makes it on the
// calling thread; `recvfrom()` makes the same system call, with the same
// arguments, once, on a thread of the addon, and returns a Promise. The
// Promise forms take a last `options` argument: { signal, ref } (calls.ts).
import { start, copyInto, type CallOptions } from './calls';
import { native, type Bytes, type Got, type NativeSockaddr } from './native';

export type { CallOptions, Bytes };

/** struct sockaddr_in */
export interface SockaddrIn { family: number; addr: string; port: number }
/** struct sockaddr_in6 */
export interface SockaddrIn6 { family: number; addr: string; port: number; flowinfo?: number; scope_id?: number }
/**
 * struct sockaddr_un. Going in, `path` is a string (a C string: its final
 * NUL is part of the address length) or bytes (exactly those bytes; a first
 * byte of 0 is Linux's abstract namespace). Coming back it is the bytes the
 * kernel gave, as long as the length it reported.
 */
export interface SockaddrUn { family: number; path: string | Uint8Array }
/** struct sockaddr_ll (packet(7)); `protocol` is an ETH_P_* value in host order. */
export interface SockaddrLl {
  family: number; ifindex: number; protocol?: number; hatype?: number; pkttype?: number; addr?: Uint8Array;
}
/** AF_UNSPEC: connect(2) with it dissolves a datagram socket's association. */
export interface SockaddrUnspec { family: number }
/** What the kernel gave for a family sockcall does not decode: the bytes after sa_family. */
export interface SockaddrRaw { family: number; data: Buffer }

export type Sockaddr = SockaddrIn | SockaddrIn6 | SockaddrUn | SockaddrLl | SockaddrUnspec;
/** An address as the kernel returns it. */
export type SockaddrOut = (SockaddrIn & { family: number }) | Required<SockaddrIn6> |
  { family: number; path: Buffer } | Required<SockaddrLl> | SockaddrRaw;

/** A control message (cmsg(3)). */
export interface Cmsg { level: number; type: number; data: Buffer }
export interface CmsgIn { level: number; type: number; data: Bytes }

export interface Pollfd { fd: number; events: number; revents?: number }

export interface Addrinfo {
  family: number; socktype: number; protocol: number; canonname: string | null; address: SockaddrOut | null;
}
export interface AddrinfoHints { family?: number; socktype?: number; protocol?: number; flags?: number }

export interface Accepted { fd: number; address: SockaddrOut | null }
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

function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function out(a: NativeSockaddr | null): SockaddrOut | null {
  return a as SockaddrOut | null;
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

export function getsockname(fd: number, addrlen = STORAGE): SockaddrOut | null {
  return out(native.getsockname(fdArg(fd), addrlen));
}

export function getpeername(fd: number, addrlen = STORAGE): SockaddrOut | null {
  return out(native.getpeername(fdArg(fd), addrlen));
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
  return native.getaddrinfo(host, service, family, socktype, protocol, flags) as Addrinfo[];
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
  return start('connect', options, (ref) => native.connect(fdArg(fd), address, ref));
}

/** accept4(2); addrlen null passes NULL for the peer's address. */
export function accept4Sync(fd: number, flags = 0, addrlen: number | null = STORAGE): Accepted {
  const [newfd, address] = native.accept4Sync(fdArg(fd), flags, addrlen);
  return { fd: newfd, address: out(address) };
}
export async function accept4(fd: number, flags = 0, addrlen: number | null = STORAGE,
  options?: CallOptions): Promise<Accepted> {
  const [newfd, address] = await start<[number, NativeSockaddr | null]>('accept4', options,
    (ref) => native.accept4(fdArg(fd), flags, addrlen, ref));
  return { fd: newfd, address: out(address) };
}

export function sendSync(fd: number, data: Bytes, flags = 0): number {
  return native.sendSync(fdArg(fd), data, flags);
}
export function send(fd: number, data: Bytes, flags = 0, options?: CallOptions): Promise<number> {
  return start('send', options, (ref) => native.send(fdArg(fd), data, flags, ref));
}

/** sendto(2); address null passes NULL, 0 (what send(2) does). */
export function sendtoSync(fd: number, data: Bytes, flags: number, address: Sockaddr | null): number {
  return native.sendtoSync(fdArg(fd), data, flags, address);
}
export function sendto(fd: number, data: Bytes, flags: number, address: Sockaddr | null,
  options?: CallOptions): Promise<number> {
  return start('sendto', options, (ref) => native.sendto(fdArg(fd), data, flags, address, ref));
}

/** sendmsg(2): iov, optional msg_name, control messages laid out with CMSG_SPACE. */
export function sendmsgSync(fd: number, msg: MsgIn, flags = 0): number {
  return native.sendmsgSync(fdArg(fd), msgIov(msg), msg.control ?? [], flags, msg.name ?? null);
}
export function sendmsg(fd: number, msg: MsgIn, flags = 0, options?: CallOptions): Promise<number> {
  return start('sendmsg', options,
    (ref) => native.sendmsg(fdArg(fd), msgIov(msg), msg.control ?? [], flags, msg.name ?? null, ref));
}

function msgIov(msg: { iov: Bytes[] }): Bytes[] {
  if (typeof msg !== 'object' || msg === null) throw new TypeError('msg must be an object such as { iov: [buffer] }');
  if (!Array.isArray(msg.iov)) throw new TypeError('msg.iov (the buffers) must be an array of buffers');
  return msg.iov;
}

// The addon also takes a size where a buffer goes (the facade's recv(n));
// sys callers give a buffer, always.
function bytesArg(b: Bytes, name: string): Bytes {
  byteLength(b, name);
  return b;
}

export function recvSync(fd: number, buffer: Bytes, flags = 0): number {
  return native.recvSync(fdArg(fd), bytesArg(buffer, 'buffer'), flags);
}
export async function recv(fd: number, buffer: Bytes, flags = 0, options?: CallOptions): Promise<number> {
  const [data, nbytes] = await start<Got>('recv', options,
    (ref) => native.recv(fdArg(fd), byteLength(buffer, 'buffer'), flags, ref));
  copyInto(buffer, data, 'recv');
  return nbytes;
}

/** recvfrom(2); addrlen is the room given for the sender's address, null for NULL, NULL. */
export function recvfromSync(fd: number, buffer: Bytes, flags = 0, addrlen: number | null = STORAGE): Received {
  const [nbytes, address] = native.recvfromSync(fdArg(fd), bytesArg(buffer, 'buffer'), flags, addrlen);
  return { nbytes, address: out(address) };
}
export async function recvfrom(fd: number, buffer: Bytes, flags = 0, addrlen: number | null = STORAGE,
  options?: CallOptions): Promise<Received> {
  const [[data, nbytes], address] = await start<[Got, NativeSockaddr | null]>('recvfrom', options,
    (ref) => native.recvfrom(fdArg(fd), byteLength(buffer, 'buffer'), flags, addrlen, ref));
  copyInto(buffer, data, 'recvfrom');
  return { nbytes, address: out(address) };
}

export function recvmsgSync(fd: number, msg: MsgOut, flags = 0): MsgReceived {
  const [nbytes, address, control, msgFlags] = native.recvmsgSync(fdArg(fd), msgIov(msg),
    msg.controllen ?? 0, flags, msg.namelen === undefined ? STORAGE : msg.namelen);
  return { nbytes, address: out(address), control: control as Cmsg[], flags: msgFlags };
}
export async function recvmsg(fd: number, msg: MsgOut, flags = 0, options?: CallOptions): Promise<MsgReceived> {
  const iov = msgIov(msg);
  const [[data, nbytes], address, control, msgFlags] = await start<[Got, NativeSockaddr | null, Cmsg[], number]>(
    'recvmsg', options, (ref) => native.recvmsg(fdArg(fd), iov, msg.controllen ?? 0, flags,
      msg.namelen === undefined ? STORAGE : msg.namelen, ref));
  scatter(iov, data);
  return { nbytes, address: out(address), control, flags: msgFlags };
}

function scatter(iov: Bytes[], data: Buffer): void {
  let at = 0;
  for (const b of iov) {
    if (at >= data.length) break;
    const n = Math.min(byteLength(b, 'iov[]'), data.length - at);
    copyInto(b, data.subarray(at, at + n), 'recvmsg');
    at += n;
  }
}

function byteLength(b: Bytes, name: string): number {
  if (ArrayBuffer.isView(b) || b instanceof ArrayBuffer) return b.byteLength;
  throw new TypeError(`${name} must be a Buffer, TypedArray, DataView or ArrayBuffer, got ${describe(b)}`);
}

/** poll(2): sets each entry's revents and returns the number ready (0 on timeout). */
export function pollSync(fds: Pollfd[], timeout: number): number {
  const [n, revents] = native.pollSync(fds, timeout);
  revents.forEach((r, i) => { fds[i].revents = r; });
  return n;
}
export async function poll(fds: Pollfd[], timeout: number, options?: CallOptions): Promise<number> {
  const [n, revents] = await start<[number, number[]]>('poll', options, (ref) => native.poll(fds, timeout, ref));
  revents.forEach((r, i) => { fds[i].revents = r; });
  return n;
}
