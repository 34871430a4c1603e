// The one place that loads the addon, and its type: the rest of lib/ sees
// only this interface (the native functions are described in native/*.cc).
import bindings = require('bindings');
import path = require('node:path');

/** An address as the native layer takes and gives it (see sys.Sockaddr). */
export interface NativeSockaddr {
  family: number;
  addr?: string | Uint8Array;
  port?: number;
  flowinfo?: number;
  scope_id?: number;
  path?: string | Uint8Array;
  protocol?: number;
  ifindex?: number;
  hatype?: number;
  pkttype?: number;
  data?: Buffer;
}

export type Bytes = ArrayBufferView | ArrayBuffer;

export interface NativeCmsg {
  level: number;
  type: number;
  data: Bytes;
}

export interface NativeAddrinfo {
  family: number;
  socktype: number;
  protocol: number;
  canonname: string | null;
  address: NativeSockaddr | null;
}

export interface NativePollfd {
  fd: number;
  events: number;
}

/**
 * Bytes received into memory of the addon's: a new Buffer of what the call
 * stored, and the kernel's return value, which MSG_TRUNC can make larger.
 */
export type Got = [data: Buffer, nbytes: number];

/** What a receive returns: the count written into a caller's buffer, or Got. */
type Received<T> = T extends number ? Got : number;

/** Status codes of a completed Promise-form call (native/async.cc). */
export const enum Status {
  Ok = 0,
  Error = 1,
  Aborted = 2,
  Closed = 3,
}

export interface Native {
  constants: Record<string, number>;
  errno: Record<string, number>;
  errorcode: Record<number, string>;
  sizeof: {
    sockaddr: number;
    sockaddr_in: number;
    sockaddr_in6: number;
    sockaddr_un: number;
    sockaddr_ll: number;
    sockaddr_storage: number;
    sun_path: number;
    int: number;
    cmsghdr: number;
    sock_extended_err: number;
  };
  strerror(errno: number): string;
  gai_strerror(code: number): string;
  CMSG_LEN(length: number): number;
  CMSG_SPACE(length: number): number;

  socket(domain: number, type: number, protocol: number): number;
  socketpair(domain: number, type: number, protocol: number): [number, number];
  bind(fd: number, address: NativeSockaddr): void;
  listen(fd: number, backlog: number): void;
  shutdown(fd: number, how: number): void;
  close(fd: number): void;
  getsockname(fd: number, addrlen: number): NativeSockaddr | null;
  getpeername(fd: number, addrlen: number): NativeSockaddr | null;
  getsockopt(fd: number, level: number, optname: number, optlen: null): number;
  getsockopt(fd: number, level: number, optname: number, optlen: number): Buffer;
  setsockopt(fd: number, level: number, optname: number, value: number | Bytes | null, optlen?: number | null): void;
  ioctl(fd: number, request: number, value?: number | string): number | string | undefined;
  getaddrinfo(host: string | null, service: string | null, family: number, socktype: number,
    protocol: number, flags: number): NativeAddrinfo[];
  inet_pton(af: number, src: string): Buffer | null;
  inet_ntop(af: number, src: Bytes): string;
  if_nametoindex(name: string): number;
  sock_extended_err(data: Bytes): {
    ee_errno: number; ee_origin: number; ee_type: number; ee_code: number; ee_pad: number; ee_info: number;
    ee_data: number; offender: NativeSockaddr | null;
  };
  if_indextoname(index: number): string;

  connectSync(fd: number, address: NativeSockaddr): void;
  accept4Sync(fd: number, flags: number, addrlen: number | null): [number, NativeSockaddr | null];
  sendSync(fd: number, data: Bytes, flags: number): number;
  sendtoSync(fd: number, data: Bytes, flags: number, address: NativeSockaddr | null): number;
  sendmsgSync(fd: number, buffers: Bytes[], control: NativeCmsg[], flags: number,
    address: NativeSockaddr | null): number;
  recvSync<T extends Bytes | number>(fd: number, buffer: T, flags: number): Received<T>;
  recvfromSync<T extends Bytes | number>(fd: number, buffer: T, flags: number, addrlen: number | null):
    [Received<T>, NativeSockaddr | null];
  recvmsgSync<T extends Bytes[] | number>(fd: number, buffers: T, controllen: number, flags: number,
    namelen: number | null): [T extends number ? Got : number, NativeSockaddr | null, NativeCmsg[], number];
  pollSync(fds: NativePollfd[], timeout: number): [number, number[]];

  /** Hands over lib/'s functions, once per environment. */
  setup(
    makeError: (errno: number, syscall: string) => Error,
    makeGaiError: (code: number, message: string) => Error,
    complete: (id: number, status: Status, value: unknown) => void,
    makeInet: (family: number, addr: string, port: number) => NativeSockaddr,
    makeInet6: (family: number, addr: string, port: number, flowinfo: number, scope_id: number) => NativeSockaddr,
    makePair: (first: unknown, second: unknown) => [unknown, unknown],
  ): void;
  cancel(id: number): boolean;
  threads(): { threads: number; idle: number; running: number };

  // Promise forms: the same arguments as the Sync form, then `ref`; they
  // return the call's id and complete through setup()'s `complete`. A
  // receive always completes with Got (see native/ops.h).
  connect(fd: number, address: NativeSockaddr, ref: boolean): number;
  accept4(fd: number, flags: number, addrlen: number | null, ref: boolean): number;
  send(fd: number, data: Bytes, flags: number, ref: boolean): number;
  sendto(fd: number, data: Bytes, flags: number, address: NativeSockaddr | null, ref: boolean): number;
  sendmsg(fd: number, buffers: Bytes[], control: NativeCmsg[], flags: number, address: NativeSockaddr | null,
    ref: boolean): number;
  recv(fd: number, size: number, flags: number, ref: boolean): number;
  recvfrom(fd: number, size: number, flags: number, addrlen: number | null, ref: boolean): number;
  recvmsg(fd: number, buffers: number | Bytes[], controllen: number, flags: number, namelen: number | null,
    ref: boolean): number;
  poll(fds: NativePollfd[], timeout: number, ref: boolean): number;
}

// module_root: the package's root (this file runs from dist/lib, whose own
// package.json only marks it as CommonJS). SOCKCALL_ADDON names another
// build of the addon to load instead, such as the sanitizer build
// (scripts/build-sanitized.cjs).
export const native = (process.env.SOCKCALL_ADDON
  ? require(path.resolve(process.env.SOCKCALL_ADDON))
  : bindings({ bindings: 'sockcall', module_root: path.join(__dirname, '..', '..') })) as Native;
