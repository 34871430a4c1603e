// The Python-compatible socket object: socket(family, type, proto) and its
// methods, with CPython's names, arguments and results, making for each
// method the system calls CPython 3.11's Modules/socketmodule.c and
// Lib/socket.py make (each held to it by strace, experiments/twins).
//
// A method that can block has two forms: `recvfromSync()` blocks the calling
// thread, as Python does; `recvfrom()` returns a Promise and makes the same
// system calls on a thread of the addon. Each method is one generator of
// steps (calls.ts), run in either form, through sock_call_ex's policy.
import { fromSockaddr, sockaddrLength, toSockaddr, type Address, type AddressOut, type SockName } from './address';
import { inspect } from 'node:util';
import { ancArg, arity, intArg, intoArgs, iovArg, sizeArg, splitOptions, timeoutArg, type ArityStyle, type Int } from './args';
import { AddressFamily, SocketKind, type IntEnumMember } from './enums';
import { blocking, immediate, runAsync, runSync, sockCall, type Call, type Steps } from './calls';
import { bytesArg, toUint8, type Bytes } from '../bytes';
import { scatterReceived } from '../sys/received';
import { OSError, errorFromErrno, timedOut } from '../errors';
import { native, delivered, recvfromSyncResult, type Cmsg, type Got, type NativeCmsg, type SockaddrOut } from '../native';
import { isOptions, start, type CallOptions } from '../promise';
import { pyRepr, repr, str } from '../repr';
import { sendfileSteps, type FileLike } from './sendfile';
import { makefile, type FileFor, type MakefileOptions, type SocketFile, type SocketIO } from './makefile';

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

const ancdataOut = (control: Cmsg[]): Ancdata[] => control.map((c) => [c.level, c.type, c.data]);

// Python: sendto(data, address) or sendto(data, flags, address).
function sendtoArgs(rest: unknown[]): [number, Address] {
  if (rest.length === 1) return [0, rest[0] as Address];
  return [intArg(rest[0], 'flags'), rest[1] as Address];
}

// sock_finalize() (Modules/socketmodule.c): a socket nothing refers to any
// more is closed, with ResourceWarning "unclosed <socket.socket ...>".
// CPython's default warning filters ignore ResourceWarning; it is shown
// here when PYTHONWARNINGS asks for it (default, always, error: python -W),
// through process.emitWarning. A socket with a call pending is referred
// to by that call, and is not collected.
interface Held { fd: number; repr: string }

const showResourceWarnings = (): boolean =>
  /(^|,)\s*(default|always|error|module|once)(::ResourceWarning)?\s*($|,)/.test(process.env.PYTHONWARNINGS ?? '');

const unclosed = new FinalizationRegistry<Held>((held) => {
  const fd = held.fd;
  if (fd < 0) return;
  held.fd = -1;
  if (showResourceWarnings()) process.emitWarning(`unclosed ${held.repr}`, 'ResourceWarning');
  try {
    native.close(fd);
  } catch {
    // As CPython's finalizer: nothing to raise to.
  }
});

export class Socket {
  #fd: number;
  #timeout: number | null;
  #family: number;
  #type: number;
  readonly proto: number;

  /**
   * socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None).
   * Makes socket(family, type|SOCK_CLOEXEC, proto); or, given a fileno,
   * adopts it after getsockname() (which tells whether it is a socket),
   * and reads what was not given from it, as CPython's sock_initobj does:
   * the family from getsockname()'s address, the type and protocol with
   * getsockopt(SO_TYPE) and getsockopt(SO_PROTOCOL).
   */
  constructor(family?: Int, type?: Int, proto?: number, fileno?: number | null) {
    // CPython's -1 for each: "not given".
    const given = (v: Int | undefined, name: string) => {
      const n = v === undefined ? undefined : intArg(v, name);
      return n === -1 ? undefined : n;
    };
    let f = given(family, 'family');
    let t = given(type, 'type');
    let p = given(proto, 'proto');
    if (fileno === undefined || fileno === null) {
      f ??= C.AF_INET;
      t ??= C.SOCK_STREAM;
      p ??= 0;
      this.#fd = native.socket(f, t | C.SOCK_CLOEXEC, p);
    } else {
      intArg(fileno, 'fileno');
      if (fileno < 0) throw new RangeError(`negative file descriptor: ${fileno}`);
      // getsockname() with a sock_addr_t's room: EBADF and ENOTSOCK are
      // raised, any other failure leaves the family as given.
      try {
        const sa = native.getsockname(fileno, native.sizeof.sockaddr_storage);
        f ??= sa.family;
      } catch (err) {
        if (err instanceof OSError && (err.errno === E.EBADF || err.errno === E.ENOTSOCK)) throw err;
      }
      t ??= native.getsockopt(fileno, C.SOL_SOCKET, C.SO_TYPE, null);
      p ??= native.getsockopt(fileno, C.SOL_SOCKET, C.SO_PROTOCOL, null);
      f ??= C.AF_INET;
      this.#fd = fileno;
    }
    this.#family = f;
    this.#type = t & ~(C.SOCK_NONBLOCK | C.SOCK_CLOEXEC);
    this.proto = p;
    this.#held = { fd: this.#fd, repr: `<socket.socket fd=${this.#fd}, family=${f}, type=${this.#type}, proto=${p}>` };
    unclosed.register(this, this.#held, this);
    // init_sockobject(): SOCK_NONBLOCK means timeout 0; otherwise the
    // default timeout, which if set puts the socket in non-blocking mode.
    if (t & C.SOCK_NONBLOCK) {
      this.#timeout = 0;
    } else {
      this.#timeout = defaultTimeout;
      if (defaultTimeout !== null) native.ioctl(this.#fd, C.FIONBIO, 1);
    }
  }

  // CPython's count of positional arguments, and its words for a wrong one.
  #arity(name: string, given: number, min: number, max: number, style: ArityStyle, params?: string[]): void {
    arity(name, given, min, max, style, params);
  }

  /** fileno(): the fd, or -1 once closed or detached. */
  fileno(): number {
    this.#arity('fileno', arguments.length, 0, 0, 'none');
    return this.#fd;
  }

  // socket.py's _io_refs and _closed: a file made by makefile() keeps the
  // socket open; close() then only marks it, and the last file's close()
  // closes it (_decref_socketios).
  #ioRefs = 0;
  #closed = false;
  // What the finalizer closes if this socket is dropped open (unclosed below).
  #held: Held;

  // The fd is no longer this socket's to close: closed or detached.
  #release(): number {
    const fd = this.#fd;
    this.#fd = -1;
    this.#held.fd = -1;
    unclosed.unregister(this);
    return fd;
  }

  /** For makefile()'s files (socket.py's _io_refs += 1): one more file keeps the fd open. */
  _increfSocketios(): void {
    this.#ioRefs++;
  }

  /** A file of makefile()'s is closed: the socket closes if close() was called and no file is left. */
  _decrefSocketios(): void {
    if (this.#ioRefs > 0) this.#ioRefs--;
    if (this.#closed) this.close();
  }

  /**
   * makefile(mode='r', buffering=None, {encoding, errors, newline}): a file
   * object over the socket, as socket.py's: SocketIO, buffered by
   * BufferedReader ('rb'), BufferedWriter ('wb') or BufferedRWPair ('rwb'),
   * and for a mode without 'b' a TextIOWrapper; buffering 0 gives the
   * SocketIO itself. Its methods have both forms (readlineSync() and
   * readline()) and ask the socket for what CPython's io asks it for
   * (recv_into(8192) for a readline()). The fd stays open after close()
   * until the file is closed too.
   */
  makefile<M extends string = 'r'>(mode: M, buffering: 0, options?: MakefileOptions): SocketIO;
  makefile<M extends string = 'r'>(mode?: M, buffering?: number | null, options?: MakefileOptions): FileFor<M>;
  makefile<M extends string = 'r'>(mode: M, options: MakefileOptions): FileFor<M>;
  makefile(...args: unknown[]): SocketFile {
    return makefile(this, args);
  }

  /** @internal recv_into(buffer)'s steps, for SocketIO.readinto (socket.py calls sock.recv_into). */
  *_recvIntoSteps(buffer: Uint8Array): Steps<number> {
    const call = this.#recvInto(buffer, 0, 0);
    if (buffer.byteLength === 0) return 0;
    return yield* this.#sockCall(false, call);
  }

  /** @internal send(data)'s steps, for SocketIO.write. */
  *_sendSteps(data: Uint8Array): Steps<number> {
    return yield* this.#sockCall(true, this.#send(data, 0));
  }

  /**
   * close(): close(fd) once; later calls make no system call. Pending calls
   * end first. While a file made by makefile() is open, the fd stays open
   * until the last one is closed, as socket.py does.
   */
  close(): void {
    this.#arity('close', arguments.length, 0, 0, 'py');
    this.#closed = true;
    if (this.#ioRefs > 0) return;
    if (this.#fd === -1) return;
    const fd = this.#release();
    try {
      native.close(fd);
    } catch (err) {
      // CPython ignores ECONNRESET from close() (bpo-30319).
      if (!(err instanceof OSError && err.errno === E.ECONNRESET)) throw err;
    }
  }

  /** detach(): gives up the fd without closing it; no system call. */
  detach(): number {
    this.#arity('detach', arguments.length, 0, 0, 'py');
    this.#closed = true;
    return this.#release();
  }

  /**
   * The address family, as given to socket() or read from the fd: a member
   * of AddressFamily, as CPython's family property gives it. Compare its
   * value (`s.family.value === AF_INET`): JavaScript's === cannot be made to
   * hold between an object and a number, and TypeScript refuses to try.
   */
  get family(): IntEnumMember {
    return AddressFamily.convert(this.#family);
  }

  /** The socket type without SOCK_NONBLOCK and SOCK_CLOEXEC, a member of SocketKind, as CPython gives it. */
  get type(): IntEnumMember {
    return SocketKind.convert(this.#type);
  }

  /** The timeout, as gettimeout() gives it (socket.timeout, a read-only property). */
  get timeout(): number | null {
    return this.#timeout;
  }

  /**
   * dup(): a new socket on the same file: fcntl(fd, F_DUPFD_CLOEXEC, 0),
   * adopted as socket.py does (getsockname()), then given this one's
   * timeout (an ioctl FIONBIO).
   */
  dup(): Socket {
    this.#arity('dup', arguments.length, 0, 0, 'py');
    const fd = native.fcntl(this.#fd, C.F_DUPFD_CLOEXEC, 0);
    const sock = new Socket(this.#family, this.#type, this.proto, fd);
    sock.settimeout(this.gettimeout());
    return sock;
  }

  /** get_inheritable(): whether the fd is left open across exec (fcntl F_GETFD, no FD_CLOEXEC). */
  get_inheritable(): boolean {
    this.#arity('get_inheritable', arguments.length, 0, 0, 'py');
    return (native.fcntl(this.#fd, C.F_GETFD) & C.FD_CLOEXEC) === 0;
  }

  /** set_inheritable(flag): ioctl FIONCLEX or FIOCLEX, as CPython's _Py_set_inheritable makes it. */
  set_inheritable(inheritable: boolean): void {
    this.#arity('set_inheritable', arguments.length, 1, 1, 'py', ['inheritable']);
    native.ioctl(this.#fd, inheritable ? C.FIONCLEX : C.FIOCLEX);
  }

  // socket.py's __repr__: getsockname() and getpeername() of an open
  // socket, each left out when it fails or names nothing, and written with
  // str(), not repr() (Lib/socket.py: `s += ", laddr=%s" % str(laddr)`), so
  // that an AF_UNIX path has no quotes: laddr=/tmp/x.sock, but
  // laddr=b'\x00name' for an abstract one (str() of bytes is its repr).
  [pyRepr](): string {
    const closed = this.#closed;
    let out = `<socket.socket${closed ? ' [closed]' : ''} fd=${this.#fd}, family=${this.#family}, type=${this.#type}, proto=${this.proto}`;
    if (!closed) {
      for (const [key, name] of [['laddr', 'getsockname'], ['raddr', 'getpeername']] as const) {
        try {
          const a = this[name]();
          if (a !== null && a !== '' && !(a instanceof Uint8Array && a.length === 0)) out += `, ${key}=${str(a)}`;
        } catch (err) {
          if (!(err instanceof OSError)) throw err;
        }
      }
    }
    return out + '>';
  }

  /** CPython's repr of the socket (it asks the kernel for both addresses, as Python does). */
  toString(): string {
    return this[pyRepr]();
  }

  [inspect.custom](): string {
    return this[pyRepr]();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  // ---- options and state ----------------------------------------------------

  /** settimeout(): null blocks (FIONBIO 0), a number of seconds or 0 sets FIONBIO 1. */
  settimeout(value: number | null): void {
    this.#arity('settimeout', arguments.length, 1, 1, 'one');
    this.#timeout = timeoutArg(value);
    native.ioctl(this.#fd, C.FIONBIO, this.#timeout === null ? 0 : 1);
  }

  gettimeout(): number | null {
    this.#arity('gettimeout', arguments.length, 0, 0, 'none');
    return this.#timeout;
  }

  /** setblocking(true) is settimeout(null); setblocking(false) is settimeout(0). */
  setblocking(flag: boolean): void {
    this.#arity('setblocking', arguments.length, 1, 1, 'one');
    if (typeof flag !== 'boolean' && typeof flag !== 'number') throw new TypeError(`flag must be a boolean, got ${typeof flag}`);
    this.#timeout = flag ? null : 0;
    native.ioctl(this.#fd, C.FIONBIO, flag ? 0 : 1);
  }

  getblocking(): boolean {
    this.#arity('getblocking', arguments.length, 0, 0, 'none');
    return this.#timeout !== 0;
  }

  getsockopt(level: number, optname: number): number;
  getsockopt(level: number, optname: number, buflen: number): Buffer;
  getsockopt(level: number, optname: number, buflen?: number): number | Buffer {
    this.#arity('getsockopt', arguments.length, 2, 3, 'c');
    intArg(level, 'level');
    intArg(optname, 'optname');
    if (buflen === undefined) return native.getsockopt(this.#fd, level, optname, null);
    intArg(buflen, 'buflen');
    if (buflen <= 0 || buflen > 1024) throw new RangeError(`getsockopt buflen out of range: ${buflen} (1-1024)`);
    return native.getsockopt(this.#fd, level, optname, buflen);
  }

  /** setsockopt(level, optname, int | bytes) or setsockopt(level, optname, null, optlen). */
  setsockopt(level: number, optname: number, value: number | Bytes | null, optlen?: number): void {
    // CPython's message names 3 even when 4 were allowed (setsockopt(l, o, None, n)).
    if (arguments.length < 3 || arguments.length > 4) throw new TypeError(`setsockopt() takes exactly 3 arguments (${arguments.length} given)`);
    intArg(level, 'level');
    intArg(optname, 'optname');
    if (value === null) {
      if (optlen === undefined) throw new TypeError('optlen is required when value is null');
      native.setsockopt(this.#fd, level, optname, null, intArg(optlen, 'optlen'));
    } else if (typeof value === 'number') {
      native.setsockopt(this.#fd, level, optname, value, null);
    } else {
      native.setsockopt(this.#fd, level, optname, bytesArg(value, 'value'), null);
    }
  }

  bind(address: Address): void {
    this.#arity('bind', arguments.length, 1, 1, 'one');
    native.bind(this.#fd, toSockaddr(this.#family, address, 'bind', this.#fd));
  }

  /** listen(backlog): backlog defaults to min(SOMAXCONN, 128); a negative one is 0. */
  listen(backlog?: number): void {
    this.#arity('listen', arguments.length, 0, 1, 'c');
    let n = backlog === undefined ? Math.min(C.SOMAXCONN, 128) : intArg(backlog, 'backlog');
    if (n < 0) n = 0;
    native.listen(this.#fd, n);
  }

  shutdown(how: number): void {
    this.#arity('shutdown', arguments.length, 1, 1, 'one');
    native.shutdown(this.#fd, intArg(how, 'how'));
  }

  getsockname(): SockName {
    this.#arity('getsockname', arguments.length, 0, 0, 'none');
    return fromSockaddr(native.getsockname(this.#fd, sockaddrLength(this.#family)), this.#fd);
  }

  getpeername(): SockName {
    this.#arity('getpeername', arguments.length, 0, 0, 'none');
    return fromSockaddr(native.getpeername(this.#fd, sockaddrLength(this.#family)), this.#fd);
  }

  // ---- the two forms --------------------------------------------------------

  // sock_call(): the call, under the socket's timeout.
  #sockCall<T>(writing: boolean, call: Call<T>, timeout: number | null = this.#timeout): Steps<T> {
    return sockCall({ fd: this.#fd, sockTimeout: this.#timeout, writing, timeout }, call);
  }

  // Without a timeout a method is its one call: made directly, without the
  // generator, on the path every blocking socket takes.
  #sync<T>(writing: boolean, call: Call<T>): T {
    const t = this.#timeout;
    return t === null || t <= 0 ? call.sync() : runSync(this.#sockCall(writing, call));
  }

  #promise<T>(writing: boolean, call: Call<T>, options: CallOptions | undefined): Promise<T> {
    const t = this.#timeout;
    // A non-blocking socket's call is made at once in every form: the
    // readiness form would wait for what Python does not (EAGAIN at once).
    if (t === 0) return call.async(options, false);
    return t === null || t < 0 ? call.async(options) : runAsync(this.#sockCall(writing, call), options);
  }

  // A Promise form's body: Python's arguments, then the options object; a
  // bad argument rejects the Promise rather than throwing.
  #withOptions<T>(args: unknown[], fn: (rest: unknown[], options: CallOptions | undefined) => Promise<T>): Promise<T> {
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
  // goes on in the kernel: sock_call_ex(connect=1) polls for it
  // (POLLOUT|POLLERR) and reads its outcome with getsockopt(SO_ERROR)
  // (sock_connect_impl: EISCONN counts as success). connect_ex() returns
  // the errno instead of raising it, a timeout as EWOULDBLOCK
  // (SOCK_TIMEOUT_ERR).
  *#connect(address: Address, raise: boolean): Steps<number> {
    const sa = toSockaddr(this.#family, address, 'connect', this.#fd);
    try {
      yield blocking('connect', this.#fd, sa);
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
    const soError = immediate(() => {
      const err = native.getsockopt(this.#fd, C.SOL_SOCKET, C.SO_ERROR, null);
      if (err !== 0 && err !== E.EISCONN) throw errorFromErrno(err, 'connect');
    });
    try {
      yield* sockCall({ fd: this.#fd, sockTimeout: this.#timeout, writing: true, timeout: this.#timeout, connect: true },
        soError);
      return 0;
    } catch (e) {
      if (raise || !(e instanceof OSError)) throw e;
      return e.errno ?? E.EWOULDBLOCK;
    }
  }

  /** connect()'s steps, for create_connection() (lib/python/module.ts). */
  _connectSteps(address: Address): Steps<number> {
    return this.#connect(address, true);
  }

  connectSync(address: Address): void {
    this.#arity('connect', arguments.length, 1, 1, 'one');
    runSync(this.#connect(address, true));
  }

  connect(address: Address, options?: CallOptions): Promise<void> {
    if (arguments.length === 0 || (arguments.length === 2 && !isOptionsArg(options))) {
      return reject(() => this.#arity('connect', arguments.length, 1, 1, 'one'));
    }
    return runAsync(this.#connect(address, true), options).then(() => undefined);
  }

  /** connect_ex(): connect(), returning the errno instead of raising it (0 on success). */
  connect_exSync(address: Address): number {
    this.#arity('connect_ex', arguments.length, 1, 1, 'one');
    return runSync(this.#connect(address, false));
  }

  connect_ex(address: Address, options?: CallOptions): Promise<number> {
    if (arguments.length === 0 || (arguments.length === 2 && !isOptionsArg(options))) {
      return reject(() => this.#arity('connect_ex', arguments.length, 1, 1, 'one'));
    }
    return runAsync(this.#connect(address, false), options);
  }

  // socket.py's accept(): accept4(SOCK_CLOEXEC), then socket(fileno=fd),
  // which checks the fd with getsockname(); a listening socket with a
  // timeout hands out blocking sockets (bpo-7995).
  #accepted([fd, address]: [number, SockaddrOut | null]): [Socket, AddressOut] {
    const sock = new Socket(this.#family, this.#type, this.proto, fd);
    if (defaultTimeout === null && this.#timeout) sock.setblocking(true);
    return [sock, fromSockaddr(address, this.#fd)];
  }

  acceptSync(): [Socket, AddressOut] {
    this.#arity('accept', arguments.length, 0, 0, 'py');
    return this.#accepted(this.#sync(false, blocking('accept4', this.#fd, C.SOCK_CLOEXEC, sockaddrLength(this.#family))));
  }

  async accept(options?: CallOptions): Promise<[Socket, AddressOut]> {
    if (arguments.length > 1 || (arguments.length === 1 && !isOptionsArg(options))) this.#arity('accept', arguments.length, 0, 0, 'py');
    const call = blocking('accept4', this.#fd, C.SOCK_CLOEXEC, sockaddrLength(this.#family));
    return this.#accepted(await this.#promise(false, call, options));
  }

  // ---- sending ---------------------------------------------------------------

  #send(data: unknown, flags: unknown): Call<number> {
    return blocking('send', this.#fd, bytesArg(data, 'data'), intArg(flags, 'flags'));
  }

  /** send(data, flags=0): send(2), which the kernel sees as sendto(fd, data, len, flags, NULL, 0). */
  sendSync(data: Bytes, flags = 0): number {
    this.#arity('send', arguments.length, 1, 2, 'c');
    return this.#sync(true, this.#send(data, flags));
  }

  send(data: Bytes, flags?: number, options?: CallOptions): Promise<number>;
  send(data: Bytes, options?: CallOptions): Promise<number>;
  send(data: Bytes, ...rest: unknown[]): Promise<number> {
    return this.#withOptions(rest, (args, options) => {
      this.#arity('send', arguments.length === 0 ? 0 : 1 + args.length, 1, 2, 'c');
      return this.#promise(true, this.#send(data, args[0] ?? 0), options);
    });
  }

  // sendall(): send() until every byte is gone; a timeout bounds the whole,
  // each send() getting what is left of it.
  *#sendall(data: unknown, flags: unknown): Steps<void> {
    const view = toUint8(bytesArg(data, 'data'));
    intArg(flags, 'flags');
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
    this.#arity('sendall', arguments.length, 1, 2, 'c');
    runSync(this.#sendall(data, flags));
  }

  sendall(data: Bytes, flags?: number, options?: CallOptions): Promise<void>;
  sendall(data: Bytes, options?: CallOptions): Promise<void>;
  sendall(data: Bytes, ...rest: unknown[]): Promise<void> {
    return this.#withOptions(rest, (args, options) => {
      this.#arity('sendall', arguments.length === 0 ? 0 : 1 + args.length, 1, 2, 'c');
      return runAsync(this.#sendall(data, args[0] ?? 0), options);
    });
  }

  #sendto(data: unknown, rest: unknown[]): Call<number> {
    const [flags, address] = sendtoArgs(rest);
    bytesArg(data, 'data');
    return blocking('sendto', this.#fd, data as Bytes, flags, toSockaddr(this.#family, address, 'sendto', this.#fd));
  }

  /** sendto(data, address) or sendto(data, flags, address). */
  sendtoSync(data: Bytes, address: Address): number;
  sendtoSync(data: Bytes, flags: number, address: Address): number;
  sendtoSync(data: Bytes, ...rest: unknown[]): number {
    this.#arity('sendto', arguments.length, 2, 3, 'c');
    return this.#sync(true, this.#sendto(data, rest));
  }

  sendto(data: Bytes, address: Address, options?: CallOptions): Promise<number>;
  sendto(data: Bytes, flags: number, address: Address, options?: CallOptions): Promise<number>;
  sendto(data: Bytes, ...args: unknown[]): Promise<number> {
    return this.#withOptions(args, (rest, options) => {
      this.#arity('sendto', arguments.length === 0 ? 0 : 1 + rest.length, 2, 3, 'c');
      return this.#promise(true, this.#sendto(data, rest), options);
    });
  }

  #sendmsg(buffers: unknown, ancdata: unknown, flags: unknown, address: unknown): Call<number> {
    const iov = iovArg(buffers);
    if (ancdata === null || typeof (ancdata as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError('ancdata must be an iterable of [level, type, data]');
    }
    const control = [...(ancdata as Iterable<unknown>)].map((item, i): NativeCmsg => {
      if (!Array.isArray(item) || item.length !== 3) {
        throw new TypeError(`ancdata[${i}] must be an array [level, type, data]`);
      }
      return { level: intArg(item[0], `ancdata[${i}][0]`), type: intArg(item[1], `ancdata[${i}][1]`),
        data: bytesArg(item[2], `ancdata[${i}][2]`) };
    });
    intArg(flags, 'flags');
    const sa = address === null || address === undefined
      ? null : toSockaddr(this.#family, address as Address, 'sendmsg', this.#fd);
    return blocking('sendmsg', this.#fd, iov, control, flags as number, sa);
  }

  /** sendmsg(buffers, ancdata=[], flags=0, address=None). */
  sendmsgSync(buffers: Iterable<Bytes>, ancdata: Iterable<AncdataIn> = [], flags = 0, address?: Address | null): number {
    this.#arity('sendmsg', arguments.length, 1, 4, 'c');
    return this.#sync(true, this.#sendmsg(buffers, ancdata, flags, address));
  }

  sendmsg(buffers: Iterable<Bytes>, ancdata?: Iterable<AncdataIn>, flags?: number, address?: Address | null,
    options?: CallOptions): Promise<number>;
  sendmsg(buffers: Iterable<Bytes>, options?: CallOptions): Promise<number>;
  sendmsg(buffers: Iterable<Bytes>, ...args: unknown[]): Promise<number> {
    return this.#withOptions(args, (rest, options) => {
      this.#arity('sendmsg', arguments.length === 0 ? 0 : 1 + rest.length, 1, 4, 'c');
      const [ancdata = [], flags = 0, address = null] = rest;
      return this.#promise(true, this.#sendmsg(buffers, ancdata, flags, address), options);
    });
  }

  /**
   * sendfile(file, offset=0, count=None): socket.py's, os.sendfile(2)
   * until count or end of file (a poll(POLLOUT) first under a timeout),
   * falling back to send() of what it reads when sendfile(2) refuses the
   * file. `file` is an fd or an object with fileno() (and read(), seek(),
   * which socket.py also uses when the file has them).
   */
  sendfileSync(file: FileLike, offset = 0, count: number | null = null): number {
    this.#arity('sendfile', arguments.length, 1, 3, 'py', ['file']);
    return runSync(this.#sendfile(file, offset, count));
  }

  sendfile(file: FileLike, offset?: number, count?: number | null, options?: CallOptions): Promise<number>;
  sendfile(file: FileLike, options?: CallOptions): Promise<number>;
  sendfile(file: FileLike, ...rest: unknown[]): Promise<number> {
    return this.#withOptions(rest, (args, options) => {
      this.#arity('sendfile', arguments.length === 0 ? 0 : 1 + args.length, 1, 3, 'py', ['file']);
      return runAsync(this.#sendfile(file, args[0] ?? 0, args[1] ?? null), options);
    });
  }

  #sendfile(file: unknown, offset: unknown, count: unknown): Steps<number> {
    return sendfileSteps({ fd: this.#fd, type: this.#type, timeout: this.#timeout,
      send: (data) => this.#sockCall(true, this.#send(data, 0)) }, file, offset, count);
  }

  // ---- receiving ------------------------------------------------------------

  // recv(2) for a size: the kernel sees recvfrom(fd, buf, n, flags, NULL,
  // NULL). With MSG_TRUNC it may report more than bufsize; the bytes returned
  // are those stored.
  #recv(bufsize: unknown, flags: unknown): Call<Got> {
    return blocking('recv', this.#fd, sizeArg(bufsize, 'recv'), intArg(flags, 'flags'));
  }

  /** recv(bufsize, flags=0); recv(0) makes no system call (sock_recv_guts: "If 0 bytes were requested, do nothing"). */
  recvSync(bufsize: number, flags = 0): Buffer {
    this.#arity('recv', arguments.length, 1, 2, 'c');
    const call = this.#recv(bufsize, flags);
    if (bufsize === 0) return Buffer.alloc(0);
    return this.#sync(false, call)[0];
  }

  recv(bufsize: number, flags?: number, options?: CallOptions): Promise<Buffer>;
  recv(bufsize: number, options?: CallOptions): Promise<Buffer>;
  recv(bufsize: number, ...rest: unknown[]): Promise<Buffer> {
    return this.#withOptions(rest, (args, options) => {
      this.#arity('recv', arguments.length === 0 ? 0 : 1 + args.length, 1, 2, 'c');
      const call = this.#recv(bufsize, args[0] ?? 0);
      if (bufsize === 0) return Promise.resolve(Buffer.alloc(0));
      return this.#promise(false, call, options).then(([data]) => data);
    });
  }

  #recvfrom(bufsize: unknown, flags: unknown): Call<[Got, SockaddrOut | null]> {
    return blocking('recvfrom', this.#fd, sizeArg(bufsize, 'recvfrom'), intArg(flags, 'flags'), sockaddrLength(this.#family));
  }

  /** recvfrom(bufsize, flags=0) -> [data, address]; the address room is the family's sockaddr size. */
  recvfromSync(bufsize: number, flags = 0): [Buffer, AddressOut] {
    this.#arity('recvfrom', arguments.length, 1, 2, 'c');
    const [[data], address] = this.#sync(false, this.#recvfrom(bufsize, flags));
    return [data, fromSockaddr(address, this.#fd)];
  }

  recvfrom(bufsize: number, flags?: number, options?: CallOptions): Promise<[Buffer, AddressOut]>;
  recvfrom(bufsize: number, options?: CallOptions): Promise<[Buffer, AddressOut]>;
  recvfrom(bufsize: number, ...rest: unknown[]): Promise<[Buffer, AddressOut]> {
    return this.#withOptions(rest, (args, options) => {
      this.#arity('recvfrom', arguments.length === 0 ? 0 : 1 + args.length, 1, 2, 'c');
      return this.#promise(false, this.#recvfrom(bufsize, args[0] ?? 0), options)
        .then(([[data], address]) => [data, fromSockaddr(address, this.#fd)]);
    });
  }

  // The _into forms: the Sync one has the kernel write in place; the Promise
  // one receives into memory of the addon's, which copies the bytes stored
  // into the buffer once the call is delivered (native/args.h, Target).
  #recvInto(buffer: unknown, nbytes: unknown, flags: unknown): Call<number> {
    const target = intoArgs(buffer, nbytes, flags, 'recv_into');
    const f = flags as number;
    return {
      sync: () => native.recvSync(this.#fd, target, f),
      async: (o, r) => start('recv_into', o, (how) => native.recv(this.#fd, target, f, how), r),
    };
  }

  /** recv_into(buffer, nbytes=0, flags=0): nbytes 0 means the whole buffer; an empty one makes no system call. */
  recv_intoSync(buffer: Bytes, nbytes = 0, flags = 0): number {
    this.#arity('recv_into', arguments.length, 1, 3, 'c', ['buffer']);
    const call = this.#recvInto(buffer, nbytes, flags);
    if (toUint8(buffer).byteLength === 0) return 0;
    return this.#sync(false, call);
  }

  recv_into(buffer: Bytes, nbytes?: number, flags?: number, options?: CallOptions): Promise<number>;
  recv_into(buffer: Bytes, nbytes?: number, options?: CallOptions): Promise<number>;
  recv_into(buffer: Bytes, options?: CallOptions): Promise<number>;
  recv_into(buffer: Bytes, ...rest: unknown[]): Promise<number> {
    return this.#withOptions(rest, (args, options) => {
      this.#arity('recv_into', arguments.length === 0 ? 0 : 1 + args.length, 1, 3, 'c', ['buffer']);
      const call = this.#recvInto(buffer, args[0] ?? 0, args[1] ?? 0);
      if (toUint8(buffer).byteLength === 0) return Promise.resolve(0);
      return this.#promise(false, call, options);
    });
  }

  #recvfromInto(buffer: unknown, nbytes: unknown, flags: unknown): Call<[number, SockaddrOut | null]> {
    const target = intoArgs(buffer, nbytes, flags, 'recvfrom_into');
    const f = flags as number;
    const len = sockaddrLength(this.#family);
    return {
      sync: () => recvfromSyncResult(native.recvfromSync(this.#fd, target, f, len)),
      async: (o, r) => start('recvfrom_into', o, (how) => native.recvfrom(this.#fd, target, f, len, how), r ?? true, delivered),
    };
  }

  /** recvfrom_into(buffer, nbytes=0, flags=0) -> [nbytes, address]. */
  recvfrom_intoSync(buffer: Bytes, nbytes = 0, flags = 0): [number, AddressOut] {
    this.#arity('recvfrom_into', arguments.length, 1, 3, 'c', ['buffer']);
    const [n, address] = this.#sync(false, this.#recvfromInto(buffer, nbytes, flags));
    return [n, fromSockaddr(address, this.#fd)];
  }

  recvfrom_into(buffer: Bytes, nbytes?: number, flags?: number, options?: CallOptions): Promise<[number, AddressOut]>;
  recvfrom_into(buffer: Bytes, nbytes?: number, options?: CallOptions): Promise<[number, AddressOut]>;
  recvfrom_into(buffer: Bytes, options?: CallOptions): Promise<[number, AddressOut]>;
  recvfrom_into(buffer: Bytes, ...rest: unknown[]): Promise<[number, AddressOut]> {
    return this.#withOptions(rest, (args, options) => {
      this.#arity('recvfrom_into', arguments.length === 0 ? 0 : 1 + args.length, 1, 3, 'c', ['buffer']);
      return this.#promise(false, this.#recvfromInto(buffer, args[0] ?? 0, args[1] ?? 0), options)
        .then(([n, address]) => [n, fromSockaddr(address, this.#fd)]);
    });
  }

  #recvmsg(bufsize: unknown, ancbufsize: unknown, flags: unknown): Call<[Got, SockaddrOut | null, Cmsg[], number]> {
    return blocking('recvmsg', this.#fd, sizeArg(bufsize, 'recvmsg'), ancArg(ancbufsize), intArg(flags, 'flags'),
      sockaddrLength(this.#family));
  }

  #recvmsgOut([[data], address, control, msgFlags]: [Got, SockaddrOut | null, Cmsg[], number]):
    [Buffer, Ancdata[], number, AddressOut] {
    return [data, ancdataOut(control), msgFlags, fromSockaddr(address, this.#fd)];
  }

  /** recvmsg(bufsize, ancbufsize=0, flags=0) -> [data, ancdata, msg_flags, address]. */
  recvmsgSync(bufsize: number, ancbufsize = 0, flags = 0): [Buffer, Ancdata[], number, AddressOut] {
    this.#arity('recvmsg', arguments.length, 1, 3, 'c');
    return this.#recvmsgOut(this.#sync(false, this.#recvmsg(bufsize, ancbufsize, flags)));
  }

  recvmsg(bufsize: number, ancbufsize?: number, flags?: number, options?: CallOptions):
    Promise<[Buffer, Ancdata[], number, AddressOut]>;
  recvmsg(bufsize: number, ancbufsize?: number, options?: CallOptions): Promise<[Buffer, Ancdata[], number, AddressOut]>;
  recvmsg(bufsize: number, options?: CallOptions): Promise<[Buffer, Ancdata[], number, AddressOut]>;
  recvmsg(bufsize: number, ...rest: unknown[]): Promise<[Buffer, Ancdata[], number, AddressOut]> {
    return this.#withOptions(rest, (args, options) => {
      this.#arity('recvmsg', arguments.length === 0 ? 0 : 1 + args.length, 1, 3, 'c');
      return this.#promise(false, this.#recvmsg(bufsize, args[0] ?? 0, args[1] ?? 0), options).then((r) => this.#recvmsgOut(r));
    });
  }

  #recvmsgInto(buffers: unknown, ancbufsize: unknown, flags: unknown): Call<[number, SockaddrOut | null, Cmsg[], number]> {
    const iov = iovArg(buffers);
    const anc = ancArg(ancbufsize);
    const f = intArg(flags, 'flags');
    const len = sockaddrLength(this.#family);
    const received = blocking('recvmsg', this.#fd, iov, anc, f, len);
    return {
      sync: () => native.recvmsgSync(this.#fd, iov, anc, f, len),
      async: (o, r) => received.async(o, r).then(([[data, got], address, control, msgFlags]) => {
        scatterReceived(iov, data, control, 'recvmsg_into');
        return [got, address, control, msgFlags];
      }),
    };
  }

  /** recvmsg_into(buffers, ancbufsize=0, flags=0) -> [nbytes, ancdata, msg_flags, address]. */
  recvmsg_intoSync(buffers: Iterable<Bytes>, ancbufsize = 0, flags = 0): [number, Ancdata[], number, AddressOut] {
    this.#arity('recvmsg_into', arguments.length, 1, 3, 'c');
    const [n, address, control, msgFlags] = this.#sync(false, this.#recvmsgInto(buffers, ancbufsize, flags));
    return [n, ancdataOut(control), msgFlags, fromSockaddr(address, this.#fd)];
  }

  recvmsg_into(buffers: Iterable<Bytes>, ancbufsize?: number, flags?: number, options?: CallOptions):
    Promise<[number, Ancdata[], number, AddressOut]>;
  recvmsg_into(buffers: Iterable<Bytes>, ancbufsize?: number, options?: CallOptions):
    Promise<[number, Ancdata[], number, AddressOut]>;
  recvmsg_into(buffers: Iterable<Bytes>, options?: CallOptions): Promise<[number, Ancdata[], number, AddressOut]>;
  recvmsg_into(buffers: Iterable<Bytes>, ...rest: unknown[]): Promise<[number, Ancdata[], number, AddressOut]> {
    return this.#withOptions(rest, (args, options) => {
      this.#arity('recvmsg_into', arguments.length === 0 ? 0 : 1 + args.length, 1, 3, 'c');
      return this.#promise(false, this.#recvmsgInto(buffers, args[0] ?? 0, args[1] ?? 0), options)
        .then(([n, address, control, msgFlags]) => [n, ancdataOut(control), msgFlags, fromSockaddr(address, this.#fd)]);
    });
  }
}

const isOptionsArg = (v: unknown) => v === undefined || isOptions(v);

function reject<T>(check: () => void): Promise<T> {
  try {
    check();
  } catch (err) {
    return Promise.reject(err);
  }
  return Promise.reject(new TypeError('unreachable'));
}

/** socket.SocketType: the class of every socket (_socket.socket in CPython). */
export const SocketType = Socket;

/** socket.socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None) */
export function socket(family?: Int, type?: Int, proto?: number, fileno?: number | null): Socket {
  return new Socket(family, type, proto, fileno);
}

/**
 * socket.socketpair(family=AF_UNIX, type=SOCK_STREAM, proto=0):
 * socketpair(2) with SOCK_CLOEXEC, each end then adopted by socket(fileno=)
 * as socket.py does (so each gets its getsockname() check).
 */
export function socketpair(family: Int = C.AF_UNIX, type: Int = C.SOCK_STREAM, proto = 0): [Socket, Socket] {
  const [a, b] = native.socketpair(intArg(family, 'family'), intArg(type, 'type') | C.SOCK_CLOEXEC, intArg(proto, 'proto'));
  return [new Socket(family, type, proto, a), new Socket(family, type, proto, b)];
}

