// The socket module's functions beside the socket class, as CPython's
// Modules/socketmodule.c and Lib/socket.py have them.
import { fromSockaddr, setipaddr, toSockaddr, type Address, type AddressOut } from './address';
import { arity, intArg, utf8Arg, type Int } from './args';
import { runAsync, runSync, type Steps } from './calls';
import { AddressFamily, SocketKind, type IntEnumMember } from './enums';
import { Socket, socket } from './socket';
import { bytesArg, toUint8 } from '../bytes';
import { OSError, TimeoutError, herror } from '../errors';
import { native, type Hostent } from '../native';
import type { CallOptions } from '../promise';
import { repr } from '../repr';
import { ExceptionGroup } from './builtins';

const C = native.constants;
const E = native.errno;

/** socket.error: OSError, as Python 3.3+ names it. */
export const error = OSError;
/** socket.timeout: TimeoutError, as Python 3.10+ names it. */
export const timeout = TimeoutError;
export { herror };
/** socket.has_ipv6: the build knows IPv6 (it always does on Linux). */
export const has_ipv6 = true;

/**
 * socket.getaddrinfo(host, port, family=0, type=0, proto=0, flags=0) ->
 * [family, type, proto, canonname, sockaddr][]: one getaddrinfo(3) call with
 * those hints; the port becomes the service string.
 */
export function getaddrinfo(host: string | null, port: number | string | null, family: number | IntEnumMember = 0,
  type: number | IntEnumMember = 0, proto = 0, flags = 0): [IntEnumMember, IntEnumMember, number, string, AddressOut][] {
  if (host !== null && typeof host !== 'string') throw new TypeError('getaddrinfo() argument 1 must be a string or null');
  let service: string | null;
  if (port === null || port === undefined) service = null;
  else if (typeof port === 'number' && Number.isInteger(port)) service = String(port);
  else if (typeof port === 'string') service = utf8Arg(port, 'port');
  else throw new TypeError('getaddrinfo() argument 2 must be an integer, a string or null');
  if (host !== null) utf8Arg(host, 'host');
  return native.getaddrinfo(host, service, intArg(family, 'family'), intArg(type, 'type'), intArg(proto, 'proto'),
    intArg(flags, 'flags')).map((ai) => [AddressFamily.convert(ai.family), SocketKind.convert(ai.socktype), ai.protocol,
    ai.canonname ?? '', fromSockaddr(ai.address, -1)]);
}

/** socket.inet_pton(af, ip_string) -> packed bytes. */
export function inet_pton(af: number, ip: string): Buffer {
  const packed = native.inet_pton(af, ip);
  // socket_inet_pton: inet_pton(3) returned 0, which sets no errno.
  if (packed === null) throw new OSError(undefined, 'illegal IP address string passed to inet_pton');
  return packed;
}

/** socket.inet_ntop(af, packed_ip) -> string. */
export function inet_ntop(af: number, packed: ArrayBufferView | ArrayBuffer): string {
  return native.inet_ntop(af, packed);
}

/** socket.if_nametoindex(name) */
export function if_nametoindex(name: string): number {
  return native.if_nametoindex(name);
}

/** socket.if_indextoname(index) */
export function if_indextoname(index: number): string {
  return native.if_indextoname(index);
}

/** socket.CMSG_LEN(length): cmsg(3)'s CMSG_LEN. */
export function CMSG_LEN(length: number): number {
  return native.CMSG_LEN(length);
}

/** socket.CMSG_SPACE(length): cmsg(3)'s CMSG_SPACE. */
export function CMSG_SPACE(length: number): number {
  return native.CMSG_SPACE(length);
}

function u16(x: number, name: string): number {
  if (!Number.isInteger(x) || x < 0 || x > 0xffff) throw new RangeError(`${name}: Python int too large to convert to C 16-bit unsigned integer`);
  return x;
}

function u32(x: number, name: string): number {
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`${name}: int larger than 32 bits`);
  return x;
}

// Byte order conversions, for protocol numbers such as htons(ETH_P_ALL).
// Linux runs little-endian on x86-64 and arm64 as sockcall builds them, but
// the order is read, not assumed.
const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function htons(x: number): number {
  u16(x, 'htons');
  return little ? ((x & 0xff) << 8) | (x >> 8) : x;
}
export const ntohs = (x: number): number => htons(x);

export function htonl(x: number): number {
  u32(x, 'htonl');
  return little ? (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0 : x;
}
export const ntohl = (x: number): number => htonl(x);

/** socket.inet_aton(ip_string) -> 4 bytes: inet_aton(3), which takes "127.1" and "0x7f.1" too. */
export function inet_aton(ip: string): Buffer {
  const packed = native.inet_aton(ip);
  if (packed === null) throw new OSError(undefined, 'illegal IP address string passed to inet_aton');
  return packed;
}

/** socket.inet_ntoa(packed_ip) -> 'a.b.c.d'. */
export function inet_ntoa(packed: ArrayBufferView | ArrayBuffer): string {
  const b = toUint8(bytesArg(packed, 'packed_ip'));
  if (b.length !== 4) throw new OSError(undefined, 'packed IP wrong length for inet_ntoa');
  return native.inet_ntop(C.AF_INET, b);
}

/** socket.gethostname(): gethostname(3) (uname(2)'s nodename). */
export function gethostname(): string {
  return native.gethostname();
}

/** socket.gethostbyname(name): setipaddr(name, AF_INET), as CPython makes it: getaddrinfo(3) unless numeric. */
export function gethostbyname(name: string): string {
  return setipaddr(hostname(name), C.AF_INET).addr;
}

function hostname(name: unknown): string {
  if (typeof name !== 'string') throw new TypeError(`name must be a string, got ${typeof name}`);
  return name;
}

function hostent(h: Hostent): [string, string[], string[]] {
  if (!Array.isArray(h)) throw new herror(h.herror, h.message);
  return h;
}

/** socket.gethostbyname_ex(name) -> [name, aliases, addresses]: setipaddr(name), then gethostbyname_r(3). */
export function gethostbyname_ex(name: string): [string, string[], string[]] {
  setipaddr(hostname(name), C.AF_INET);
  return hostent(native.gethostbyname_ex(name));
}

/** socket.gethostbyaddr(ip) -> [name, aliases, addresses]: setipaddr(ip), then gethostbyaddr_r(3). */
export function gethostbyaddr(ip: string): [string, string[], string[]] {
  const sa = setipaddr(hostname(ip), C.AF_UNSPEC);
  const packed = native.inet_pton(sa.family, sa.addr)!;
  return hostent(native.gethostbyaddr(sa.family, packed));
}

/**
 * socket.getfqdn(name=''), as Lib/socket.py writes it: gethostbyaddr(name)
 * (the host's own name when name is empty), and the first of its names and
 * aliases that has a dot. The host's own name may be looked up in DNS.
 */
export function getfqdn(name = ''): string {
  name = hostname(name).trim();
  if (!name || name === '0.0.0.0' || name === '::') name = gethostname();
  let entry: [string, string[], string[]];
  try {
    entry = gethostbyaddr(name);
  } catch (err) {
    if (err instanceof OSError) return name;
    throw err;
  }
  const [host, aliases] = entry;
  return [host, ...aliases].find((n) => n.includes('.')) ?? host;
}

/**
 * socket.getnameinfo(sockaddr, flags) -> [host, port]: the address made by
 * getaddrinfo(3) (AI_NUMERICHOST, so never a lookup), which must be one,
 * then getnameinfo(3).
 */
export function getnameinfo(sockaddr: Address, flags: number): [string, string] {
  if (!Array.isArray(sockaddr) || sockaddr.length < 2 || sockaddr.length > 4) {
    throw new TypeError('getnameinfo() argument 1 must be a tuple');
  }
  const [host, port, flowinfo = 0, scopeId = 0] = sockaddr as [string, number, number?, number?];
  intArg(flags, 'flags');
  if (typeof host !== 'string') throw new TypeError('getnameinfo(): host must be a string');
  intArg(port, 'port');
  if ((flowinfo as number) < 0 || (flowinfo as number) > 0xfffff) throw new RangeError('getnameinfo(): flowinfo must be 0-1048575.');
  const res = native.getaddrinfo(host, String(port), C.AF_UNSPEC, C.SOCK_DGRAM, 0, C.AI_NUMERICHOST);
  if (res.length > 1) throw new OSError(undefined, 'sockaddr resolved to multiple addresses');
  const a = res[0].address!;
  if (a.family === C.AF_INET && sockaddr.length !== 2) throw new OSError(undefined, 'IPv4 sockaddr must be 2 tuple');
  const sa = a.family === C.AF_INET6 && 'addr' in a
    ? { ...a, flowinfo: flowinfo as number, scope_id: scopeId as number } : a;
  return native.getnameinfo(sa as never, flags);
}

/** socket.getservbyname(servicename, protocolname=None) -> port. */
export function getservbyname(name: string, proto?: string | null): number {
  const port = native.getservbyname(hostname(name), proto ?? null);
  if (port === null) throw new OSError(undefined, 'service/proto not found');
  return port;
}

/** socket.getservbyport(port, protocolname=None) -> service name. */
export function getservbyport(port: number, proto?: string | null): string {
  intArg(port, 'port');
  if (port < 0 || port > 0xffff) throw new RangeError('getservbyport: port must be 0-65535.');
  const name = native.getservbyport(port, proto ?? null);
  if (name === null) throw new OSError(undefined, 'port/proto not found');
  return name;
}

/** socket.getprotobyname(name) -> protocol number. */
export function getprotobyname(name: string): number {
  const p = native.getprotobyname(hostname(name));
  if (p === null) throw new OSError(undefined, 'protocol not found');
  return p;
}

/** socket.if_nameindex() -> [index, name][] (glibc asks rtnetlink). */
export function if_nameindex(): [number, string][] {
  return native.if_nameindex();
}

/** socket.close(fd): close(2), ECONNRESET ignored as CPython's socket_close does. */
export function close(fd: number): void {
  intArg(fd, 'fd');
  try {
    native.close(fd);
  } catch (err) {
    if (!(err instanceof OSError && err.errno === E.ECONNRESET)) throw err;
  }
}

/** socket.dup(fd) -> a new fd on the same file, close-on-exec: fcntl(fd, F_DUPFD_CLOEXEC, 0). */
export function dup(fd: number): number {
  return native.fcntl(intArg(fd, 'fd'), C.F_DUPFD_CLOEXEC, 0);
}

/** socket.fromfd(fd, family, type, proto=0): a socket on dup(fd). */
export function fromfd(fd: number, family: Int, type: Int, proto = 0): Socket {
  arity('fromfd', arguments.length, 3, 4, 'c');
  return new Socket(family, type, proto, dup(fd));
}

/**
 * socket.has_dualstack_ipv6(): whether an AF_INET6 socket takes IPv4 too,
 * asked as socket.py asks it: socket(AF_INET6, SOCK_STREAM), then
 * setsockopt(IPV6_V6ONLY, 0).
 */
export function has_dualstack_ipv6(): boolean {
  let s: Socket | undefined;
  try {
    s = socket(C.AF_INET6, C.SOCK_STREAM);
    s.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0);
    return true;
  } catch (err) {
    if (err instanceof OSError) return false;
    throw err;
  } finally {
    s?.close();
  }
}

/**
 * socket.send_fds(sock, buffers, fds, flags=0, address=None): sendmsg with
 * the fds as SCM_RIGHTS. CPython 3.11's ignores flags and address; so does
 * this one.
 */
export function send_fdsSync(sock: Socket, buffers: Iterable<ArrayBufferView>, fds: Iterable<number>,
  _flags = 0, _address: Address | null = null): number {
  return sock.sendmsgSync(buffers, [[C.SOL_SOCKET, C.SCM_RIGHTS, rights(fds)]]);
}
export function send_fds(sock: Socket, buffers: Iterable<ArrayBufferView>, fds: Iterable<number>,
  _flags = 0, _address: Address | null = null, options?: CallOptions): Promise<number> {
  try {
    return sock.sendmsg(buffers, [[C.SOL_SOCKET, C.SCM_RIGHTS, rights(fds)]], 0, null, options ?? {});
  } catch (err) {
    return Promise.reject(err);
  }
}

function rights(fds: Iterable<number>): Buffer {
  const list = [...fds].map((fd) => intArg(fd, 'fds[]'));
  return Buffer.from(new Int32Array(list).buffer);
}

/**
 * socket.recv_fds(sock, bufsize, maxfds, flags=0) -> [data, fds, msg_flags,
 * address]: recvmsg(bufsize, CMSG_LEN(maxfds * 4)) (3.11 ignores flags),
 * the fds read from every SCM_RIGHTS message.
 */
export function recv_fdsSync(sock: Socket, bufsize: number, maxfds: number, _flags = 0): [Buffer, number[], number, AddressOut] {
  return fdsOf(sock.recvmsgSync(bufsize, native.CMSG_LEN(intArg(maxfds, 'maxfds') * 4)));
}
export async function recv_fds(sock: Socket, bufsize: number, maxfds: number, _flags = 0,
  options?: CallOptions): Promise<[Buffer, number[], number, AddressOut]> {
  return fdsOf(await sock.recvmsg(bufsize, native.CMSG_LEN(intArg(maxfds, 'maxfds') * 4), 0, options ?? {}));
}

function fdsOf([msg, ancdata, flags, addr]: [Buffer, [number, number, Buffer][], number, AddressOut]):
  [Buffer, number[], number, AddressOut] {
  const fds: number[] = [];
  for (const [level, type, data] of ancdata) {
    if (level !== C.SOL_SOCKET || type !== C.SCM_RIGHTS) continue;
    for (let i = 0; i + 4 <= data.length; i += 4) fds.push(data.readInt32LE(i));
  }
  return [msg, fds, flags, addr];
}

export interface CreateConnectionOptions { all_errors?: boolean }

/**
 * socket.create_connection(address, timeout=<default>, source_address=None,
 * *, all_errors=False), as Lib/socket.py writes it: each address
 * getaddrinfo(host, port, 0, SOCK_STREAM) gives, in order: socket(), the
 * timeout if one was given (null is settimeout(None)), bind() to the source
 * address, connect(); the first that connects is returned, the others
 * closed; when none does, the last error, or all of them as an
 * ExceptionGroup.
 */
function* createConnection(address: unknown, timeout: number | null | undefined, source: Address | null | undefined,
  options: CreateConnectionOptions): Steps<Socket> {
  if (!Array.isArray(address) || address.length !== 2) throw new TypeError('address must be a pair [host, port]');
  const [host, port] = address as [string, number];
  const errors: OSError[] = [];
  for (const [af, socktype, proto, , sa] of getaddrinfo(host, port, 0, C.SOCK_STREAM)) {
    let sock: Socket | undefined;
    try {
      sock = new Socket(af, socktype, proto);
      if (timeout !== undefined) sock.settimeout(timeout);
      if (source) sock.bind(source);
      yield* sock._connectSteps(sa as Address);
      errors.length = 0;
      return sock;
    } catch (err) {
      if (!(err instanceof OSError)) throw err;
      if (!options.all_errors) errors.length = 0;
      errors.push(err);
      sock?.close();
    }
  }
  if (errors.length === 0) throw new OSError(undefined, 'getaddrinfo returns an empty list');
  if (!options.all_errors) throw errors[0];
  throw new ExceptionGroup('create_connection failed', errors);
}

export function create_connectionSync(address: Address, timeout?: number | null, source_address?: Address | null,
  options: CreateConnectionOptions = {}): Socket {
  return runSync(createConnection(address, timeout, source_address, options));
}

export function create_connection(address: Address, timeout?: number | null, source_address?: Address | null,
  options: CreateConnectionOptions & CallOptions = {}): Promise<Socket> {
  const { all_errors, ...call } = options;
  return runAsync(createConnection(address, timeout, source_address, { all_errors }), call);
}

export interface CreateServerOptions { family?: Int; backlog?: number | null; reuse_port?: boolean; dualstack_ipv6?: boolean }

/**
 * socket.create_server(address, *, family=AF_INET, backlog=None,
 * reuse_port=False, dualstack_ipv6=False), as Lib/socket.py writes it:
 * SO_REUSEADDR, SO_REUSEPORT if asked, IPV6_V6ONLY off for a dual-stack
 * socket (on for any other AF_INET6 one), bind() (its error naming the
 * address), listen().
 */
export function create_server(address: Address, options: CreateServerOptions = {}): Socket {
  const { backlog = null, reuse_port = false, dualstack_ipv6 = false } = options;
  const family = intArg(options.family ?? C.AF_INET, 'family');
  if (dualstack_ipv6) {
    if (!has_dualstack_ipv6()) throw new RangeError('dualstack_ipv6 not supported on this platform');
    if (family !== C.AF_INET6) throw new RangeError('dualstack_ipv6 requires AF_INET6 family');
  }
  const sock = socket(family, C.SOCK_STREAM);
  try {
    try {
      sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEADDR, 1);
    } catch (err) {
      if (!(err instanceof OSError)) throw err;  // bind() will say what the platform refuses
    }
    if (reuse_port) sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
    if (family === C.AF_INET6) sock.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, dualstack_ipv6 ? 0 : 1);
    try {
      sock.bind(address);
    } catch (err) {
      if (!(err instanceof OSError) || err.errno === undefined) throw err;
      throw new (err.constructor as typeof OSError)(err.errno,
        `${err.strerror} (while attempting to bind on address ${repr(address)})`, 'bind');
    }
    if (backlog === null) sock.listen();
    else sock.listen(backlog);
    return sock;
  } catch (err) {
    sock.close();
    throw err;
  }
}
