// The addon, loaded, and its type: the native module described once. Only
// errors.ts, promise.ts and constants.ts read it here, for what setup() and
// the constants need; the rest of lib/ imports native.ts, which has handed
// the addon lib/'s functions (setup()) by the time it can be used.
import bindings = require('bindings');
import path = require('node:path');

export type Bytes = ArrayBufferView | ArrayBuffer;

// Address families as the native layer takes and gives them
// (native/sockaddr.cc). Their values are the headers', and so are their
// literal types (scripts/gen-constants.cjs writes both), so that an address
// is told by its family.
type AF_UNSPEC = typeof import('./constants').AF_UNSPEC;
type AF_UNIX = typeof import('./constants').AF_UNIX;
type AF_INET = typeof import('./constants').AF_INET;
type AF_INET6 = typeof import('./constants').AF_INET6;
type AF_PACKET = typeof import('./constants').AF_PACKET;

/** struct sockaddr_in */
export interface SockaddrIn { family: AF_INET; addr: string; port: number }
/** struct sockaddr_in6; flowinfo and scope_id are 0 when left out. */
export interface SockaddrIn6 { family: AF_INET6; addr: string; port: number; flowinfo?: number; scope_id?: number }
/**
 * struct sockaddr_un. Going in, `path` is a string (a C string: its final
 * NUL is part of the address length) or bytes (exactly those bytes; a first
 * byte of 0 is Linux's abstract namespace).
 */
export interface SockaddrUn { family: AF_UNIX; path: string | Uint8Array }
/** struct sockaddr_ll (packet(7)); `protocol` is an ETH_P_* value in host order. */
export interface SockaddrLl {
  family: AF_PACKET; ifindex: number; protocol?: number; hatype?: number; pkttype?: number; addr?: Uint8Array;
}
/** AF_UNSPEC: connect(2) with it dissolves a datagram socket's association. */
export interface SockaddrUnspec { family: AF_UNSPEC }

/** An address going in. */
export type Sockaddr = SockaddrIn | SockaddrIn6 | SockaddrUn | SockaddrLl | SockaddrUnspec;

/** An address of a family sockcall does not decode: the bytes after sa_family. */
export interface SockaddrRaw { family: number; data: Buffer }
/** struct sockaddr_un as the kernel gave it: the path's bytes, as long as the length it reported. */
export interface SockaddrUnOut { family: AF_UNIX; path: Buffer }
export interface SockaddrLlOut {
  family: AF_PACKET; ifindex: number; protocol: number; hatype: number; pkttype: number; addr: Buffer;
}
/** An address coming back from the kernel. */
export type SockaddrOut = SockaddrIn | Required<SockaddrIn6> | SockaddrUnOut | SockaddrLlOut | SockaddrRaw;

export interface NativeCmsg { level: number; type: number; data: Bytes }
export interface Cmsg { level: number; type: number; data: Buffer }

export interface NativeAddrinfo {
  family: number; socktype: number; protocol: number; canonname: string | null; address: SockaddrOut | null;
}

export interface Pollfd { fd: number; events: number; revents?: number }

/**
 * Bytes received into memory of the addon's: a new Buffer of what the call
 * stored, and the kernel's return value, which MSG_TRUNC can make larger.
 */
export type Got = [data: Buffer, nbytes: number];

/** Status codes of a completed Promise-form call (native/pool.h). */
export const enum Status {
  Ok = 0,
  Error = 1,
  Aborted = 2,
  Closed = 3,
}

/** The last argument of a Promise form: bits, as native/promise.cc's Submit reads them. */
export const enum How {
  /** The pending call keeps the event loop alive. */
  Ref = 1,
  /** The readiness form: the loop waits for the fd, the call is made on the JavaScript thread. */
  Ready = 2,
}

/**
 * The calls that can block, as the addon takes them (native/io_calls.cc,
 * wait_calls.cc): their arguments, and what the call gives back when the
 * bytes are received into memory of the addon's (`size` for a buffer, as
 * the Promise form always does). The Sync form is `${name}Sync`, with the
 * same arguments; the Promise form `${name}`, with `how` after them
 * (How: whether it keeps the loop alive, and whether it is the readiness
 * form, native/ready.h),
 * returns a Promise the addon settles (through setup()'s `complete` for a
 * call lib/ follows, or one aborted or closed).
 */
/** struct timespec, for recvmmsg(2)'s timeout. */
export interface Timespec { tv_sec: number; tv_nsec: number }

export interface BlockingCalls {
  connect: { args: [fd: number, address: Sockaddr]; done: undefined };
  accept4: { args: [fd: number, flags: number, addrlen: number | null]; done: [number, SockaddrOut | null] };
  send: { args: [fd: number, data: Bytes, flags: number]; done: number };
  sendto: { args: [fd: number, data: Bytes, flags: number, address: Sockaddr | null]; done: number };
  sendmsg: {
    args: [fd: number, buffers: Bytes[], control: NativeCmsg[], flags: number, address: Sockaddr | null]; done: number;
  };
  recv: { args: [fd: number, size: number, flags: number]; done: Got };
  recvfrom: { args: [fd: number, size: number, flags: number, addrlen: number | null]; done: [Got, SockaddrOut | null] };
  recvmsg: {
    args: [fd: number, buffers: number | Bytes[], controllen: number, flags: number, namelen: number | null];
    done: [Got, SockaddrOut | null, Cmsg[], number];
  };
  recvmmsg: {
    args: [fd: number, buffers: Bytes[][], controllens: number[], namelens: (number | null)[], flags: number,
      timeout: Timespec | null];
    done: [Got, SockaddrOut | null, Cmsg[], number][];
  };
  sendmmsg: {
    args: [fd: number, buffers: Bytes[][], controls: NativeCmsg[][], names: (Sockaddr | null)[], flags: number];
    done: number;
  };
  poll: { args: [fds: Pollfd[], timeout: number]; done: [number, number[]] };
  select: {
    args: [nfds: number, readfds: number[] | null, writefds: number[] | null, exceptfds: number[] | null,
      timeoutUs: number | null];
    done: [number, number[], number[], number[]];
  };
  sendfile: { args: [fd: number, inFd: number, offset: number | null, count: number]; done: number };
  epoll_wait: { args: [epfd: number, maxevents: number, timeout: number]; done: [events: number, fd: number][] };
}

/** gethostbyname_r(3)'s and gethostbyaddr_r(3)'s answer: [name, aliases, addresses], or h_errno. */
export type Hostent = [name: string, aliases: string[], addresses: string[]] | { herror: number; message: string };
export type BlockingName = keyof BlockingCalls;

type PromiseForms = {
  [K in Exclude<BlockingName, 'recv' | 'recvfrom'>]:
    (...args: [...BlockingCalls[K]['args'], how: number]) => Promise<BlockingCalls[K]['done']>
};

export interface Native extends PromiseForms {
  // A Promise-form receive given the caller's buffer settles with the
  // kernel's count, the bytes copied into the buffer when the call is
  // delivered (native/args.h, Target); given a size, with the bytes as Got.
  recv(fd: number, buffer: Bytes, flags: number, how: number): Promise<number>;
  recv(...args: [...BlockingCalls['recv']['args'], how: number]): Promise<Got>;
  // Into a caller's buffer: a number when the sender is IPv4 (native.ts,
  // delivered()).
  recvfrom(fd: number, buffer: Bytes, flags: number, addrlen: number | null, how: number):
    Promise<[number, SockaddrOut | null] | number>;
  recvfrom(...args: [...BlockingCalls['recvfrom']['args'], how: number]): Promise<[Got, SockaddrOut | null]>;
  constants: Record<string, number>;
  errno: Record<string, number>;
  errorcode: Record<number, string>;
  sizeof: {
    sockaddr: number; sockaddr_in: number; sockaddr_in6: number; sockaddr_un: number; sockaddr_ll: number;
    sockaddr_storage: number; sun_path: number; int: number; cmsghdr: number; sock_extended_err: number;
  };
  strerror(errno: number): string;
  gai_strerror(code: number): string;
  CMSG_LEN(length: number): number;
  CMSG_SPACE(length: number): number;

  // Calls that never block (native/socket_calls.cc).
  socket(domain: number, type: number, protocol: number): number;
  socketpair(domain: number, type: number, protocol: number): [number, number];
  bind(fd: number, address: Sockaddr): void;
  listen(fd: number, backlog: number): void;
  shutdown(fd: number, how: number): void;
  close(fd: number): void;
  getsockname(fd: number, addrlen: number): SockaddrOut;
  getpeername(fd: number, addrlen: number): SockaddrOut;
  getsockopt(fd: number, level: number, optname: number, optlen: null): number;
  getsockopt(fd: number, level: number, optname: number, optlen: number): Buffer;
  setsockopt(fd: number, level: number, optname: number, value: number | Bytes | null, optlen: number | null): void;
  ioctl(fd: number, request: number, value?: number | string): number | string | undefined;
  fcntl(fd: number, cmd: number, arg?: number): number;
  epoll_create1(flags: number): number;
  epoll_ctl(epfd: number, op: number, fd: number, events: number, data: number): void;

  // The C library's functions (native/lookup.cc).
  getaddrinfo(host: string | null, service: string | null, family: number, socktype: number, protocol: number,
    flags: number): NativeAddrinfo[];
  inet_pton(af: number, src: string): Buffer | null;
  inet_ntop(af: number, src: Bytes): string;
  if_nametoindex(name: string): number;
  if_indextoname(index: number): string;
  gethostname(): string;
  gethostbyname_ex(name: string): Hostent;
  gethostbyaddr(af: number, addr: Bytes): Hostent;
  getnameinfo(sockaddr: Sockaddr, flags: number): [host: string, service: string];
  getservbyname(name: string, proto: string | null): number | null;
  getservbyport(port: number, proto: string | null): string | null;
  getprotobyname(name: string): number | null;
  if_nameindex(): [index: number, name: string][];
  inet_aton(text: string): Buffer | null;
  sock_extended_err(data: Bytes): {
    ee_errno: number; ee_origin: number; ee_type: number; ee_code: number; ee_pad: number; ee_info: number;
    ee_data: number; offender: SockaddrOut | null;
  };

  // The Sync forms of the calls that can block. A receive into a caller's
  // buffer returns the kernel's count; given a size, the bytes as Got.
  connectSync(fd: number, address: Sockaddr): void;
  accept4Sync(fd: number, flags: number, addrlen: number): [number, SockaddrOut];
  accept4Sync(fd: number, flags: number, addrlen: number | null): [number, SockaddrOut | null];
  sendSync(fd: number, data: Bytes, flags: number): number;
  sendtoSync(fd: number, data: Bytes, flags: number, address: Sockaddr | null): number;
  sendmsgSync(fd: number, buffers: Bytes[], control: NativeCmsg[], flags: number, address: Sockaddr | null): number;
  recvSync(fd: number, buffer: Bytes, flags: number): number;
  recvSync(fd: number, size: number, flags: number): Got;
  /** The address, or undefined for an IPv4 one; the rest is left in setup()'s Float64Array (native.ts, recvfromSyncResult). */
  recvfromSync(fd: number, buffer: Bytes, flags: number, addrlen: number | null): SockaddrOut | null | undefined;
  recvfromSync(fd: number, size: number, flags: number, addrlen: number | null): [Got, SockaddrOut | null];
  recvmsgSync(fd: number, buffers: Bytes[], controllen: number, flags: number, namelen: number | null):
    [number, SockaddrOut | null, Cmsg[], number];
  recvmsgSync(fd: number, size: number, controllen: number, flags: number, namelen: number | null):
    [Got, SockaddrOut | null, Cmsg[], number];
  recvmmsgSync(...args: BlockingCalls['recvmmsg']['args']): [number, SockaddrOut | null, Cmsg[], number][];
  sendmmsgSync(...args: BlockingCalls['sendmmsg']['args']): number;
  pollSync(fds: Pollfd[], timeout: number): [number, number[]];
  selectSync(...args: BlockingCalls['select']['args']): BlockingCalls['select']['done'];
  sendfileSync(...args: BlockingCalls['sendfile']['args']): number;
  epoll_waitSync(...args: BlockingCalls['epoll_wait']['args']): BlockingCalls['epoll_wait']['done'];

  /** Hands over lib/'s functions, once per environment (lib/native.ts). */
  setup(
    makeError: (errno: number, syscall: string) => Error,
    makeGaiError: (code: number, message: string) => Error,
    complete: (id: number, status: Status, value: unknown, syscall: string) => unknown,
    makeInet: (family: AF_INET, addr: string, port: number) => SockaddrIn,
    makeInet6: (family: AF_INET6, addr: string, port: number, flowinfo: number, scope_id: number) => Required<SockaddrIn6>,
    makePair: (first: unknown, second: unknown) => [unknown, unknown],
    makePairInet: (first: unknown, addr: number, port: number) => [unknown, SockaddrIn],
  ): Float64Array;
  cancel(id: number): boolean;
  /** The id of the call just submitted, from then on followed by complete() (a call with a signal); null if refused. */
  lastId(): number | null;
  /** Aborts the calls of one AbortSignal together; how many were still running. */
  cancelMany(ids: number[]): number;
  /** The pool's threads now, and how many it may have (budget), bound by which limit. */
  threads(): { threads: number; idle: number; running: number; budget: number; bound: string; signals: number };
}

// Which build of the addon is loaded: the first of these that loads.
//   1. SOCKCALL_ADDON, when set: that file and nothing else (the sanitizer
//      build, scripts/build-sanitized.cjs; an arm64 build under qemu).
//   2. The local build, build/Release/sockcall.node (found by `bindings`):
//      in a checkout, the developer's build of the code being edited, which
//      must win over a prebuild made earlier by `npm pack`; in an installed
//      package, the install script's build, made only where no prebuild
//      loads (scripts/install.cjs).
//   3. The prebuild for this platform and arch, prebuilds/linux-x64/ or
//      prebuilds/linux-arm64/ (scripts/prebuild.cjs, glibc 2.34 or later):
//      an installed package with no build of its own (installed with
//      --ignore-scripts, or whose install script found the prebuild loads).
// A local build that exists but does not load (built for another machine)
// is passed over for the prebuild. When none loads, one error says what was
// tried and how to build the addon.
// The package's root is two levels up: this file runs from dist/lib, whose
// own package.json only marks it as CommonJS.
const root = path.join(__dirname, '..', '..');
const target = `${process.platform}-${process.arch}`;
const prebuild = path.join(root, 'prebuilds', target, 'sockcall.node');

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0];
}

function load(): { addon: Native; file: string } {
  if (process.env.SOCKCALL_ADDON) {
    const file = path.resolve(process.env.SOCKCALL_ADDON);
    return { addon: require(file) as Native, file };
  }
  const tried: string[] = [];
  try {
    const addon = bindings({ bindings: 'sockcall', module_root: root }) as Native;
    return { addon, file: (addon as { path?: string }).path ?? path.join(root, 'build', 'Release', 'sockcall.node') };
  } catch (err) {
    // bindings marks "found nowhere" with the list of paths it looked at.
    tried.push((err as { tries?: unknown }).tries
      ? 'build/Release/sockcall.node: not built'
      : `the local build: ${firstLine(err)}`);
  }
  try {
    return { addon: require(prebuild) as Native, file: prebuild };
  } catch (err) {
    tried.push((err as { code?: string }).code === 'MODULE_NOT_FOUND'
      ? `prebuilds/${target}/sockcall.node: absent (sockcall ships prebuilds for linux-x64 and linux-arm64 with glibc)`
      : `prebuilds/${target}/sockcall.node: ${firstLine(err)}`);
  }
  const error = new Error(
    `sockcall: no build of its native addon loads on ${target} (Node ${process.version}):\n` +
    tried.map((t) => `  tried ${t}\n`).join('') +
    '  Build it from source with `npm rebuild sockcall`, which needs python3, make and g++ ' +
    '(Debian/Ubuntu: apt-get install python3 make g++). For installs to build it, approve sockcall\'s install script ' +
    '(npm 11: `npm install-scripts approve sockcall`).');
  (error as Error & { code: string }).code = 'SOCKCALL_NO_ADDON';
  throw error;
}

const loaded = load();
/** The file the addon was loaded from. */
export const addonPath: string = loaded.file;
export const binding = loaded.addon;
