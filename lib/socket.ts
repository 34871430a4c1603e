// The Python-compatible facade: socket(family, type, proto) and its methods,
// with CPython's names, arguments and results, making for each method the
// system calls CPython 3.11's Modules/socketmodule.c makes (measured in
// reference/python-syscalls.md).
//
// A method that can block has two forms: `recvfromSync()` blocks the calling
// thread, as Python does; `recvfrom()` returns a Promise and makes the same
// system calls on a thread of the addon. Both follow CPython's sock_call_ex():
// with a timeout set, poll() first (POLLIN to read, POLLOUT to write,
// POLLOUT|POLLERR for connect), TimeoutError('timed out') when it expires,
// and poll again after a false EAGAIN.
import { fromSockaddr, sockaddrLength, toSockaddr, type Address, type AddressOut } from './address';
import { isOptions, start, type CallOptions } from './calls';
import { OSError, errorFromErrno, timedOut } from './errors';
import { native, type Bytes, type Got, type NativeCmsg, type NativePollfd, type NativeSockaddr } from './native';
import { installTraceback } from './traceback';

const C = native.constants;
const E = native.errno;

/** Python's ancillary data item: [cmsg_level, cmsg_type, cmsg_data]. */
export type Ancdata = [level: number, type: number, data: Buffer];
export type AncdataIn = [level: number, type: number, data: Bytes];

let defaultTimeout: number | null = null;

/** socket.getdefaulttimeout() */
export function getdefaulttimeout(): number | null {
  return defaultTimeout;
}

/** socket.setdefaulttimeout(): sockets made afterwards start with this timeout (FIONBIO set). */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = timeoutArg(timeout);
}

function timeoutArg(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`timeout must be a number of seconds or null, got ${typeof value}`);
  }
  if (value < 0) throw new RangeError(`timeout must not be negative, got ${value} (Timeout value out of range)`);
  return value;
}

function intArg(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${typeof value === 'number' ? value : typeof value}`);
  }
  return value;
}

function bytesArg(value: unknown, name: string): Bytes {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  throw new TypeError(`${name} must be a bytes-like object (Buffer, TypedArray, DataView or ArrayBuffer), ` +
    `got ${value === null ? 'null' : typeof value}`);
}

function byteLength(b: Bytes): number {
  return b.byteLength;
}

/** Splits `[...pythonArgs, options?]` into Python's arguments and the options. */
function splitOptions(args: unknown[]): [unknown[], CallOptions | undefined] {
  if (args.length > 0 && isOptions(args[args.length - 1])) {
    return [args.slice(0, -1), args[args.length - 1] as CallOptions];
  }
  return [args, undefined];
}

function isEagain(err: unknown): boolean {
  return err instanceof OSError && (err.errno === E.EAGAIN || err.errno === E.EWOULDBLOCK);
}

// CPython rounds the time left up to whole milliseconds for poll()
// (_PyTime_AsMilliseconds with _PyTime_ROUND_CEILING).
function msLeft(deadline: number): number {
  return Math.ceil(deadline - performance.now());
}

/**
 * A call that can block, in both forms: made on this thread, or on one of
 * the addon's (the Promise form, which takes the options).
 */
interface Call<T> {
  sync(): T;
  async(options: CallOptions | undefined): Promise<T>;
}

/** A method's sequence of calls: yields each Call, receives its result (or its error thrown in). */
type Steps<T> = Generator<Call<unknown>, T, unknown>;

function runSync<T>(steps: Steps<T>): T {
  let r = steps.next();
  while (!r.done) {
    let value: unknown;
    try {
      value = r.value.sync();
    } catch (err) {
      r = steps.throw(err);
      continue;
    }
    r = steps.next(value);
  }
  return r.value;
}

async function runAsync<T>(steps: Steps<T>, options: CallOptions | undefined): Promise<T> {
  let r = steps.next();
  while (!r.done) {
    let value: unknown;
    try {
      value = await r.value.async(options);
    } catch (err) {
      r = steps.throw(err);
      continue;
    }
    r = steps.next(value);
  }
  return r.value;
}

export class Socket {
  #fd: number;
  #timeout: number | null;
  /** The address family, as given to socket(). */
  readonly family: number;
  /** The socket type, without SOCK_NONBLOCK and SOCK_CLOEXEC (as CPython reports it). */
  readonly type: number;
  readonly proto: number;

  /**
   * socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None).
   * Makes socket(family, type|SOCK_CLOEXEC, proto), or, given a fileno,
   * adopts it after getsockname() as CPython does to check it is a socket.
   */
  constructor(family: number = C.AF_INET, type: number = C.SOCK_STREAM, proto = 0, fileno?: number | null) {
    installTraceback();
    intArg(family, 'family');
    intArg(type, 'type');
    intArg(proto, 'proto');
    if (fileno === undefined || fileno === null) {
      this.#fd = native.socket(family, type | C.SOCK_CLOEXEC, proto);
    } else {
      intArg(fileno, 'fileno');
      if (fileno < 0) throw new RangeError(`negative file descriptor: ${fileno}`);
      // CPython's sock_initobj: getsockname() with a sock_addr_t's room tells
      // whether fileno is a socket (EBADF/ENOTSOCK are raised, anything
      // else is ignored).
      try {
        native.getsockname(fileno, native.sizeof.sockaddr_storage);
      } catch (err) {
        if (err instanceof OSError && (err.errno === E.EBADF || err.errno === E.ENOTSOCK)) throw err;
      }
      this.#fd = fileno;
    }
    this.family = family;
    this.type = type & ~(C.SOCK_NONBLOCK | C.SOCK_CLOEXEC);
    this.proto = proto;
    // init_sockobject(): SOCK_NONBLOCK means timeout 0; otherwise the
    // default timeout, which if set puts the socket in non-blocking mode.
    if (type & C.SOCK_NONBLOCK) {
      this.#timeout = 0;
    } else {
      this.#timeout = defaultTimeout;
      if (defaultTimeout !== null) native.ioctl(this.#fd, C.FIONBIO, 1);
    }
  }

  /** fileno(): the fd, or -1 once closed or detached. */
  fileno(): number {
    return this.#fd;
  }

  /** close(): close(fd) once; later calls make no system call. Pending calls end first. */
  close(): void {
    const fd = this.#fd;
    if (fd === -1) return;
    this.#fd = -1;
    try {
      native.close(fd);
    } catch (err) {
      // CPython ignores ECONNRESET from close() (bpo-30319).
      if (!(err instanceof OSError && err.errno === E.ECONNRESET)) throw err;
    }
  }

  /** detach(): gives up the fd without closing it; no system call. */
  detach(): number {
    const fd = this.#fd;
    this.#fd = -1;
    return fd;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  // ---- options and state ----------------------------------------------------

  /** settimeout(): null blocks (FIONBIO 0), a number of seconds or 0 sets FIONBIO 1. */
  settimeout(value: number | null): void {
    this.#timeout = timeoutArg(value);
    native.ioctl(this.#fd, C.FIONBIO, this.#timeout === null ? 0 : 1);
  }

  gettimeout(): number | null {
    return this.#timeout;
  }

  /** setblocking(true) is settimeout(null); setblocking(false) is settimeout(0). */
  setblocking(flag: boolean): void {
    if (typeof flag !== 'boolean' && typeof flag !== 'number') throw new TypeError(`flag must be a boolean, got ${typeof flag}`);
    this.#timeout = flag ? null : 0;
    native.ioctl(this.#fd, C.FIONBIO, flag ? 0 : 1);
  }

  getblocking(): boolean {
    return this.#timeout !== 0;
  }

  getsockopt(level: number, optname: number): number;
  getsockopt(level: number, optname: number, buflen: number): Buffer;
  getsockopt(level: number, optname: number, buflen?: number): number | Buffer {
    intArg(level, 'level');
    intArg(optname, 'optname');
    if (buflen === undefined) return native.getsockopt(this.#fd, level, optname, null);
    intArg(buflen, 'buflen');
    if (buflen <= 0 || buflen > 1024) throw new RangeError(`getsockopt buflen out of range: ${buflen} (1-1024)`);
    return native.getsockopt(this.#fd, level, optname, buflen);
  }

  /** setsockopt(level, optname, int | bytes) or setsockopt(level, optname, null, optlen). */
  setsockopt(level: number, optname: number, value: number | Bytes | null, optlen?: number): void {
    intArg(level, 'level');
    intArg(optname, 'optname');
    if (value === null) {
      if (optlen === undefined) throw new TypeError('optlen is required when value is null');
      intArg(optlen, 'optlen');
      native.setsockopt(this.#fd, level, optname, null, optlen);
    } else if (typeof value === 'number') {
      native.setsockopt(this.#fd, level, optname, value, null);
    } else {
      native.setsockopt(this.#fd, level, optname, bytesArg(value, 'value'), null);
    }
  }

  bind(address: Address): void {
    native.bind(this.#fd, toSockaddr(this.family, address, 'bind', this.#fd));
  }

  /** listen(backlog): backlog defaults to min(SOMAXCONN, 128); a negative one is 0. */
  listen(backlog?: number): void {
    let n = backlog === undefined ? Math.min(C.SOMAXCONN, 128) : intArg(backlog, 'backlog');
    if (n < 0) n = 0;
    native.listen(this.#fd, n);
  }

  shutdown(how: number): void {
    native.shutdown(this.#fd, intArg(how, 'how'));
  }

  getsockname(): AddressOut {
    return fromSockaddr(native.getsockname(this.#fd, sockaddrLength(this.family)), this.#fd);
  }

  getpeername(): AddressOut {
    return fromSockaddr(native.getpeername(this.#fd, sockaddrLength(this.family)), this.#fd);
  }

  // ---- CPython's sock_call_ex(), written once for both forms ---------------
  //
  // The sequence of system calls a method makes (with a timeout: poll, the
  // call, poll again after a false EAGAIN; connect's wait for the connection;
  // sendall's loop) is a generator that yields each call that can block as a
  // Call with a Sync and a Promise form; runSync and runAsync run it in one
  // form or the other, so the two forms cannot drift apart.

  #events(writing: boolean, connect = false): number {
    return (writing ? C.POLLOUT : C.POLLIN) | (connect ? C.POLLERR : 0);
  }

  #poll(events: number, ms: number): Call<number> {
    const fds: NativePollfd[] = [{ fd: this.#fd, events }];
    return {
      sync: () => native.pollSync(fds, ms)[0],
      async: (o) => start<[number, number[]]>('poll', o, (ref) => native.poll(fds, ms, ref)).then(([n]) => n),
    };
  }

  *#sockCall<T>(writing: boolean, call: Call<T>, timeout: number | null = this.#timeout): Steps<T> {
    if (timeout === null || timeout <= 0) return (yield call) as T;
    const deadline = performance.now() + timeout * 1000;
    for (;;) {
      const ms = msLeft(deadline);
      if (ms < 0) throw timedOut();
      if ((yield this.#poll(this.#events(writing), ms)) === 0) throw timedOut();
      try {
        return (yield call) as T;
      } catch (err) {
        if (!isEagain(err)) throw err;
      }
    }
  }

  // Without a timeout a method is its one call: made directly, without the
  // generator, on the path every blocking socket takes.
  #sync<T>(writing: boolean, call: Call<T>): T {
    const t = this.#timeout;
    return t === null || t <= 0 ? call.sync() : runSync(this.#sockCall(writing, call));
  }

  #promise<T>(writing: boolean, call: Call<T>, options: CallOptions | undefined): Promise<T> {
    const t = this.#timeout;
    return t === null || t <= 0 ? call.async(options) : runAsync(this.#sockCall(writing, call), options);
  }

  // Runs a Promise form: Python's arguments, then the options object; a
  // bad argument rejects the Promise rather than throwing.
  #async<T>(args: unknown[], fn: (rest: unknown[], options: CallOptions | undefined) => Promise<T>): Promise<T> {
    try {
      const [rest, options] = splitOptions(args);
      return fn(rest, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // ---- connect and accept --------------------------------------------------

  // internal_connect(): connect(); when it answers EINPROGRESS under a
  // timeout (or EINTR on a socket that is not non-blocking), the connection
  // goes on in the kernel: poll(POLLOUT|POLLERR) for it, then read its
  // outcome with getsockopt(SO_ERROR) (EISCONN there counts as success).
  // connect_ex() returns the errno instead of raising it.
  *#connect(address: Address, raise: boolean): Steps<number> {
    const sa = toSockaddr(this.family, address, 'connect', this.#fd);
    try {
      yield { sync: () => native.connectSync(this.#fd, sa),
        async: (o) => start<void>('connect', o, (ref) => native.connect(this.#fd, sa, ref)) } satisfies Call<void>;
      return 0;
    } catch (e) {
      if (!(e instanceof OSError) || e.errno === undefined) throw e;
      const wait = e.errno === E.EINTR ? this.#timeout !== 0
        : this.#timeout !== null && this.#timeout > 0 && e.errno === E.EINPROGRESS;
      if (!wait) {
        if (raise) throw e;
        return e.errno;
      }
    }
    const timeout = this.#timeout;
    const deadline = timeout === null ? Infinity : performance.now() + timeout * 1000;
    for (;;) {
      const ms = deadline === Infinity ? -1 : msLeft(deadline);
      if (deadline !== Infinity && ms < 0) return this.#connectFailed(timedOut(), raise);
      if ((yield this.#poll(this.#events(true, true), ms)) === 0) return this.#connectFailed(timedOut(), raise);
      const soError = native.getsockopt(this.#fd, C.SOL_SOCKET, C.SO_ERROR, null);
      if (soError === 0 || soError === E.EISCONN) return 0;
      if ((soError === E.EAGAIN || soError === E.EWOULDBLOCK) && timeout !== null && timeout > 0) continue;
      return this.#connectFailed(errorFromErrno(soError, 'connect'), raise);
    }
  }

  #connectFailed(err: OSError, raise: boolean): number {
    // connect_ex() returns the errno, and raises only what has none.
    if (raise || err.errno === undefined) throw err;
    return err.errno;
  }

  connectSync(address: Address): void {
    runSync(this.#connect(address, true));
  }

  connect(address: Address, options?: CallOptions): Promise<void> {
    return runAsync(this.#connect(address, true), options).then(() => undefined);
  }

  /** connect_ex(): connect(), returning the errno instead of raising it (0 on success). */
  connect_exSync(address: Address): number {
    return runSync(this.#connect(address, false));
  }

  connect_ex(address: Address, options?: CallOptions): Promise<number> {
    return runAsync(this.#connect(address, false), options);
  }

  // socket.py's accept(): accept4(SOCK_CLOEXEC), then socket(fileno=fd),
  // which checks the fd with getsockname(); a listening socket with a
  // timeout hands out blocking sockets (bpo-7995).
  #accept(): Call<[number, NativeSockaddr | null]> {
    const len = sockaddrLength(this.family);
    return {
      sync: () => native.accept4Sync(this.#fd, C.SOCK_CLOEXEC, len),
      async: (o) => start('accept4', o, (ref) => native.accept4(this.#fd, C.SOCK_CLOEXEC, len, ref)),
    };
  }

  #accepted([fd, address]: [number, NativeSockaddr | null]): [Socket, AddressOut] {
    const sock = new Socket(this.family, this.type, this.proto, fd);
    if (defaultTimeout === null && this.#timeout) sock.setblocking(true);
    return [sock, fromSockaddr(address, this.#fd)];
  }

  acceptSync(): [Socket, AddressOut] {
    return this.#accepted(this.#sync(false, this.#accept()));
  }

  async accept(options?: CallOptions): Promise<[Socket, AddressOut]> {
    return this.#accepted(await this.#promise(false, this.#accept(), options));
  }

  // ---- sending ---------------------------------------------------------------

  #send(data: Bytes, flags: number): Call<number> {
    return {
      sync: () => native.sendSync(this.#fd, data, flags),
      async: (o) => start('send', o, (ref) => native.send(this.#fd, data, flags, ref)),
    };
  }

  /** send(data, flags=0): send(2), which the kernel sees as sendto(fd, data, len, flags, NULL, 0). */
  sendSync(data: Bytes, flags = 0): number {
    bytesArg(data, 'data');
    intArg(flags, 'flags');
    return this.#sync(true, this.#send(data, flags));
  }

  send(data: Bytes, ...rest: [flags?: number, options?: CallOptions] | [options?: CallOptions]): Promise<number> {
    return this.#async(rest, ([flags = 0], options) => {
      bytesArg(data, 'data');
      intArg(flags, 'flags');
      return this.#promise(true, this.#send(data, flags as number), options);
    });
  }

  // sendall(): send() until every byte is gone; a timeout bounds the whole,
  // each send() getting what is left of it.
  *#sendall(data: Bytes, flags: number): Steps<void> {
    bytesArg(data, 'data');
    intArg(flags, 'flags');
    const view = toUint8(data);
    const timeout = this.#timeout;
    const deadline = timeout !== null && timeout > 0 ? performance.now() + timeout * 1000 : 0;
    let at = 0;
    do {
      let left: number | null = null;
      if (deadline) {
        left = (deadline - performance.now()) / 1000;
        if (left <= 0) throw timedOut();
      }
      at += yield* this.#sockCall(true, this.#send(view.subarray(at), flags), left);
    } while (at < view.length);
  }

  /** sendall(data, flags=0) */
  sendallSync(data: Bytes, flags = 0): void {
    runSync(this.#sendall(data, flags));
  }

  sendall(data: Bytes, ...rest: [flags?: number, options?: CallOptions] | [options?: CallOptions]): Promise<void> {
    return this.#async(rest, ([flags = 0], options) => runAsync(this.#sendall(data, flags as number), options));
  }

  #sendto(data: Bytes, flags: number, sa: NativeSockaddr): Call<number> {
    return {
      sync: () => native.sendtoSync(this.#fd, data, flags, sa),
      async: (o) => start('sendto', o, (ref) => native.sendto(this.#fd, data, flags, sa, ref)),
    };
  }

  /** sendto(data, address) or sendto(data, flags, address). */
  sendtoSync(data: Bytes, flagsOrAddress: number | Address, address?: Address): number {
    const [flags, addr] = sendtoArgs(flagsOrAddress, address, arguments.length);
    bytesArg(data, 'data');
    return this.#sync(true, this.#sendto(data, flags, toSockaddr(this.family, addr, 'sendto', this.#fd)));
  }

  sendto(data: Bytes, ...args: unknown[]): Promise<number> {
    return this.#async(args, (rest, options) => {
      const [flags, addr] = sendtoArgs(rest[0] as number | Address, rest[1] as Address | undefined, rest.length + 1);
      bytesArg(data, 'data');
      return this.#promise(true, this.#sendto(data, flags, toSockaddr(this.family, addr, 'sendto', this.#fd)), options);
    });
  }

  #sendmsg(buffers: Iterable<Bytes>, ancdata: Iterable<AncdataIn>, flags: number, address: Address | null | undefined):
    Call<number> {
    if (buffers === null || typeof (buffers as Iterable<Bytes>)[Symbol.iterator] !== 'function') {
      throw new TypeError('buffers must be an iterable of bytes-like objects');
    }
    const iov = [...buffers].map((b, i) => bytesArg(b, `buffers[${i}]`));
    if (ancdata === null || typeof (ancdata as Iterable<AncdataIn>)[Symbol.iterator] !== 'function') {
      throw new TypeError('ancdata must be an iterable of [level, type, data]');
    }
    const control = [...ancdata].map((item, i): NativeCmsg => {
      if (!Array.isArray(item) || item.length !== 3) {
        throw new TypeError(`ancdata[${i}] must be an array [level, type, data]`);
      }
      return { level: intArg(item[0], `ancdata[${i}][0]`), type: intArg(item[1], `ancdata[${i}][1]`),
        data: bytesArg(item[2], `ancdata[${i}][2]`) };
    });
    intArg(flags, 'flags');
    const sa = address === null || address === undefined ? null : toSockaddr(this.family, address, 'sendmsg', this.#fd);
    return {
      sync: () => native.sendmsgSync(this.#fd, iov, control, flags, sa),
      async: (o) => start('sendmsg', o, (ref) => native.sendmsg(this.#fd, iov, control, flags, sa, ref)),
    };
  }

  /** sendmsg(buffers, ancdata=[], flags=0, address=None). */
  sendmsgSync(buffers: Iterable<Bytes>, ancdata: Iterable<AncdataIn> = [], flags = 0, address?: Address | null): number {
    return this.#sync(true, this.#sendmsg(buffers, ancdata, flags, address));
  }

  sendmsg(buffers: Iterable<Bytes>, ...args: unknown[]): Promise<number> {
    return this.#async(args, ([ancdata = [], flags = 0, address = null], options) =>
      this.#promise(true, this.#sendmsg(buffers, ancdata as Iterable<AncdataIn>, flags as number,
        address as Address | null), options));
  }

  // ---- receiving ------------------------------------------------------------

  // recv(2) for a size: the kernel sees recvfrom(fd, buf, n, flags, NULL,
  // NULL). With MSG_TRUNC it may report more than bufsize; the bytes returned
  // are those stored.
  #recv(bufsize: number, flags: number): Call<Got> {
    sizeArg(bufsize, 'recv');
    intArg(flags, 'flags');
    return {
      sync: () => native.recvSync(this.#fd, bufsize, flags),
      async: (o) => start('recv', o, (ref) => native.recv(this.#fd, bufsize, flags, ref)),
    };
  }

  /** recv(bufsize, flags=0) */
  recvSync(bufsize: number, flags = 0): Buffer {
    return this.#sync(false, this.#recv(bufsize, flags))[0];
  }

  recv(bufsize: number, ...rest: [flags?: number, options?: CallOptions] | [options?: CallOptions]): Promise<Buffer> {
    return this.#async(rest, ([flags = 0], options) =>
      this.#promise(false, this.#recv(bufsize, flags as number), options).then(([data]) => data));
  }

  #recvfrom(bufsize: number, flags: number): Call<[Got, NativeSockaddr | null]> {
    sizeArg(bufsize, 'recvfrom');
    intArg(flags, 'flags');
    const len = sockaddrLength(this.family);
    return {
      sync: () => native.recvfromSync(this.#fd, bufsize, flags, len),
      async: (o) => start('recvfrom', o, (ref) => native.recvfrom(this.#fd, bufsize, flags, len, ref)),
    };
  }

  /** recvfrom(bufsize, flags=0) -> [data, address]; the address room is the family's sockaddr size. */
  recvfromSync(bufsize: number, flags = 0): [Buffer, AddressOut] {
    const [[data], address] = this.#sync(false, this.#recvfrom(bufsize, flags));
    return [data, fromSockaddr(address, this.#fd)];
  }

  recvfrom(bufsize: number, ...rest: [flags?: number, options?: CallOptions] | [options?: CallOptions]):
    Promise<[Buffer, AddressOut]> {
    return this.#async(rest, ([flags = 0], options) =>
      this.#promise(false, this.#recvfrom(bufsize, flags as number), options)
        .then(([[data], address]) => [data, fromSockaddr(address, this.#fd)]));
  }

  // The _into forms: the Sync one has the kernel write in place; the Promise
  // one receives into memory of the addon's and copies the bytes stored.
  #recvInto(buffer: Bytes, nbytes: number, flags: number, caller: string): Call<number> {
    const target = intoArgs(buffer, nbytes, flags, caller);
    return {
      sync: () => native.recvSync(this.#fd, target, flags),
      async: (o) => start<Got>('recv', o, (ref) => native.recv(this.#fd, target.byteLength, flags, ref))
        .then(([data, got]) => { copyInto(target, data); return got; }),
    };
  }

  /** recv_into(buffer, nbytes=0, flags=0): nbytes 0 means the whole buffer. */
  recv_intoSync(buffer: Bytes, nbytes = 0, flags = 0): number {
    return this.#sync(false, this.#recvInto(buffer, nbytes, flags, 'recv_into'));
  }

  recv_into(buffer: Bytes, ...rest: [nbytes?: number, flags?: number, options?: CallOptions] |
    [nbytes?: number, options?: CallOptions] | [options?: CallOptions]): Promise<number> {
    return this.#async(rest, ([nbytes = 0, flags = 0], options) =>
      this.#promise(false, this.#recvInto(buffer, nbytes as number, flags as number, 'recv_into'), options));
  }

  #recvfromInto(buffer: Bytes, nbytes: number, flags: number): Call<[number, NativeSockaddr | null]> {
    const target = intoArgs(buffer, nbytes, flags, 'recvfrom_into');
    const len = sockaddrLength(this.family);
    return {
      sync: () => native.recvfromSync(this.#fd, target, flags, len),
      async: (o) => start<[Got, NativeSockaddr | null]>('recvfrom', o,
        (ref) => native.recvfrom(this.#fd, target.byteLength, flags, len, ref))
        .then(([[data, got], address]) => { copyInto(target, data); return [got, address]; }),
    };
  }

  /** recvfrom_into(buffer, nbytes=0, flags=0) -> [nbytes, address]. */
  recvfrom_intoSync(buffer: Bytes, nbytes = 0, flags = 0): [number, AddressOut] {
    const [n, address] = this.#sync(false, this.#recvfromInto(buffer, nbytes, flags));
    return [n, fromSockaddr(address, this.#fd)];
  }

  recvfrom_into(buffer: Bytes, ...rest: [nbytes?: number, flags?: number, options?: CallOptions] |
    [nbytes?: number, options?: CallOptions] | [options?: CallOptions]): Promise<[number, AddressOut]> {
    return this.#async(rest, ([nbytes = 0, flags = 0], options) =>
      this.#promise(false, this.#recvfromInto(buffer, nbytes as number, flags as number), options)
        .then(([n, address]) => [n, fromSockaddr(address, this.#fd)]));
  }

  #recvmsg(bufsize: number, ancbufsize: number, flags: number): Call<[Got, NativeSockaddr | null, NativeCmsg[], number]> {
    sizeArg(bufsize, 'recvmsg');
    ancArg(ancbufsize);
    intArg(flags, 'flags');
    const len = sockaddrLength(this.family);
    return {
      sync: () => native.recvmsgSync(this.#fd, bufsize, ancbufsize, flags, len),
      async: (o) => start('recvmsg', o, (ref) => native.recvmsg(this.#fd, bufsize, ancbufsize, flags, len, ref)),
    };
  }

  #recvmsgOut([[data], address, control, msgFlags]: [Got, NativeSockaddr | null, NativeCmsg[], number]):
    [Buffer, Ancdata[], number, AddressOut] {
    return [data, ancdataOut(control), msgFlags, fromSockaddr(address, this.#fd)];
  }

  /** recvmsg(bufsize, ancbufsize=0, flags=0) -> [data, ancdata, msg_flags, address]. */
  recvmsgSync(bufsize: number, ancbufsize = 0, flags = 0): [Buffer, Ancdata[], number, AddressOut] {
    return this.#recvmsgOut(this.#sync(false, this.#recvmsg(bufsize, ancbufsize, flags)));
  }

  recvmsg(bufsize: number, ...rest: unknown[]): Promise<[Buffer, Ancdata[], number, AddressOut]> {
    return this.#async(rest, ([ancbufsize = 0, flags = 0], options) =>
      this.#promise(false, this.#recvmsg(bufsize, ancbufsize as number, flags as number), options)
        .then((r) => this.#recvmsgOut(r)));
  }

  #recvmsgInto(buffers: Iterable<Bytes>, ancbufsize: number, flags: number):
    Call<[number, NativeSockaddr | null, NativeCmsg[], number]> {
    const iov = iovArg(buffers);
    ancArg(ancbufsize);
    intArg(flags, 'flags');
    const len = sockaddrLength(this.family);
    return {
      sync: () => native.recvmsgSync(this.#fd, iov, ancbufsize, flags, len),
      async: (o) => start<[Got, NativeSockaddr | null, NativeCmsg[], number]>('recvmsg', o,
        (ref) => native.recvmsg(this.#fd, iov, ancbufsize, flags, len, ref))
        .then(([[data, got], address, control, msgFlags]) => {
          // The bytes stored, spread over the buffers in order, as the kernel
          // would have written them.
          let at = 0;
          for (const b of iov) {
            if (at >= data.length) break;
            const n = Math.min(byteLength(b), data.length - at);
            copyInto(toUint8(b), data.subarray(at, at + n));
            at += n;
          }
          return [got, address, control, msgFlags];
        }),
    };
  }

  /** recvmsg_into(buffers, ancbufsize=0, flags=0) -> [nbytes, ancdata, msg_flags, address]. */
  recvmsg_intoSync(buffers: Iterable<Bytes>, ancbufsize = 0, flags = 0): [number, Ancdata[], number, AddressOut] {
    const [n, address, control, msgFlags] = this.#sync(false, this.#recvmsgInto(buffers, ancbufsize, flags));
    return [n, ancdataOut(control), msgFlags, fromSockaddr(address, this.#fd)];
  }

  recvmsg_into(buffers: Iterable<Bytes>, ...rest: unknown[]): Promise<[number, Ancdata[], number, AddressOut]> {
    return this.#async(rest, ([ancbufsize = 0, flags = 0], options) =>
      this.#promise(false, this.#recvmsgInto(buffers, ancbufsize as number, flags as number), options)
        .then(([n, address, control, msgFlags]) => [n, ancdataOut(control), msgFlags, fromSockaddr(address, this.#fd)]));
  }
}

function sendtoArgs(flagsOrAddress: unknown, address: unknown, count: number): [number, Address] {
  // Python: sendto(data, address) or sendto(data, flags, address).
  if (count <= 2 || address === undefined) return [0, flagsOrAddress as Address];
  return [intArg(flagsOrAddress, 'flags'), address as Address];
}

function sizeArg(n: unknown, caller: string): void {
  intArg(n, 'bufsize');
  if ((n as number) < 0) throw new RangeError(`bufsize must not be negative, got ${n} (negative buffersize in ${caller})`);
}

function ancArg(n: unknown): void {
  intArg(n, 'ancbufsize');
  if ((n as number) < 0) throw new RangeError(`ancbufsize must not be negative, got ${n}`);
}

function iovArg(buffers: Iterable<Bytes>): Bytes[] {
  if (buffers === null || typeof buffers !== 'object' || typeof buffers[Symbol.iterator] !== 'function') {
    throw new TypeError('buffers must be an iterable of buffers');
  }
  return [...buffers].map((b, i) => bytesArg(b, `buffers[${i}]`));
}

function toUint8(b: Bytes): Uint8Array {
  return ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
}

// recv_into/recvfrom_into: nbytes 0 is the buffer's size; more is refused
// ("buffer too small for requested bytes"), as CPython does.
function intoArgs(buffer: Bytes, nbytes: number, flags: number, caller: string): Uint8Array {
  bytesArg(buffer, 'buffer');
  intArg(nbytes, 'nbytes');
  intArg(flags, 'flags');
  if (nbytes < 0) throw new RangeError(`nbytes must not be negative, got ${nbytes} (negative buffersize in ${caller})`);
  const view = toUint8(buffer);
  if (nbytes > view.length) {
    throw new RangeError(`nbytes ${nbytes} is more than the buffer's ${view.length} bytes (` +
      (caller === 'recv_into' ? 'buffer too small for requested bytes)' : 'nbytes is greater than the length of the buffer)'));
  }
  return nbytes === 0 ? view : view.subarray(0, nbytes);
}

function copyInto(target: Uint8Array, data: Buffer): void {
  if (data.length > target.length) {
    throw new TypeError(`the buffer shrank or was detached while the call was pending; ${data.length} bytes were dropped`);
  }
  target.set(data);
}

function ancdataOut(control: NativeCmsg[]): Ancdata[] {
  return control.map((c) => [c.level, c.type, c.data as Buffer]);
}

/** socket.socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None) */
export function socket(family?: number, type?: number, proto?: number, fileno?: number | null): Socket {
  return new Socket(family, type, proto, fileno);
}

/**
 * socket.socketpair(family=AF_UNIX, type=SOCK_STREAM, proto=0):
 * socketpair(2) with SOCK_CLOEXEC, each end then adopted by socket(fileno=)
 * as socket.py does (so each gets its getsockname() check).
 */
export function socketpair(family: number = C.AF_UNIX, type: number = C.SOCK_STREAM, proto = 0): [Socket, Socket] {
  const [a, b] = native.socketpair(intArg(family, 'family'), intArg(type, 'type') | C.SOCK_CLOEXEC,
    intArg(proto, 'proto'));
  return [new Socket(family, type, proto, a), new Socket(family, type, proto, b)];
}
