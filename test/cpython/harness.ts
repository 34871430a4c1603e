// The harness for CPython 3.11's Lib/test/test_socket.py ported to the
// facade: unittest's TestCase (setUp, tearDown, addCleanup), the
// ThreadableTest machinery that runs a test's server half and its `_test`
// client half at once, and the fixtures the socket tests are built on
// (SocketTCPTest, SocketUDPTest, SocketConnectedTest, SocketPairTest, and the
// SocketTestBase / ConnectedStreamTestMixin family the sendmsg and recvmsg
// tests use), each written as its CPython original is.
//
// CPython runs the client half in a thread; here both halves are async
// functions run at once, and every call in them that can block is the
// Promise form, which makes the same system call on a thread of the addon.
// The ordering is CPython's: the server's setUp runs before the client
// starts (or up to serverExplicitReady()), the test body only once
// clientSetUp has finished, the server's tearDown before the cleanup that
// waits for the client to be done.
//
// Every test is bounded in time twice: the body races a timer, after which
// the test's cleanups run (closing its sockets ends their pending calls) and
// the test fails; and a watchdog thread kills the process if the main
// thread itself is stuck (a Sync call blocked in the kernel, which no timer
// of this thread can interrupt), saying which test it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as socket from 'sockcall';

// ---- what is not in sockcall yet ---------------------------------------------

/**
 * `sockcall/builtins` (issue 12): repr() and Python's built-in exceptions.
 * null while the module does not exist; the tests that use it are todo.
 */
export const builtins: Builtins | null = await import('sockcall/builtins' as string)
  .then((m) => m as Builtins, () => null);

export interface Builtins {
  repr(value: unknown): string;
  RuntimeError: new (...args: unknown[]) => Error;
  EOFError: new (...args: unknown[]) => Error;
  ValueError: new (...args: unknown[]) => Error;
  KeyboardInterrupt: new (...args: unknown[]) => Error;
  ExceptionGroup: new (message: string, exceptions: Error[]) => Error & { exceptions: Error[] };
}

/** Python's repr(); throws (so a todo test fails) while sockcall/builtins is missing. */
export function repr(value: unknown): string {
  if (builtins === null) throw new TypeError("sockcall/builtins is missing: no repr()");
  return builtins.repr(value);
}

// ---- constants of test_socket.py and test.support ----------------------------

/** test_socket.MSG: a unicode string and a carriage return. */
export const MSG = Buffer.from('Michael Gilfix was here\u1234\r\n', 'utf8');
/**
 * socket_helper.HOST. Only ever used with AF_INET, where getaddrinfo()
 * answers from /etc/hosts; where CPython passes it with no family
 * (create_connection, getaddrinfo(host, port) with AF_UNSPEC) the ports use
 * HOSTv4 instead.
 */
export const HOST = 'localhost';
export const HOSTv4 = '127.0.0.1';
export const HOSTv6 = '::1';
/** support.LOOPBACK_TIMEOUT, support.LONG_TIMEOUT (seconds). */
export const LOOPBACK_TIMEOUT = 10.0;
export const LONG_TIMEOUT = 5 * 60.0;
/** support.SOCK_MAX_SIZE */
export const SOCK_MAX_SIZE = 16 * 1024 * 1024 + 1;
/** array.array("i").itemsize */
export const SIZEOF_INT = 4;

/** array.array("i", values) as bytes, in the machine's order. */
export function intArray(values: number[]): Buffer {
  return Buffer.from(new Int32Array(values).buffer);
}

/** array.array("i").frombytes(data) for whole ints. */
export function fromIntArray(data: Uint8Array): number[] {
  const out: number[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const little = os.endianness() === 'LE';
  for (let i = 0; i + 4 <= data.byteLength; i += 4) out.push(view.getInt32(i, little));
  return out;
}

// ---- unittest's pieces -----------------------------------------------------------

export class SkipTest extends Error {
  override get name(): string { return 'SkipTest'; }
}

/** threading.Event */
export class Event {
  #set = false;
  #waiters: (() => void)[] = [];
  set(): void {
    this.#set = true;
    for (const w of this.#waiters.splice(0)) w();
  }
  is_set(): boolean {
    return this.#set;
  }
  /** wait(timeout=None) -> whether the event was set. */
  wait(timeout: number | null = null): Promise<boolean> {
    if (this.#set) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => { if (timer) clearTimeout(timer); resolve(true); };
      this.#waiters.push(done);
      if (timeout !== null) {
        timer = setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== done);
          resolve(this.#set);
        }, timeout * 1000);
      }
    });
  }
}

export const sleep = (seconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, seconds * 1000));

type Cleanup = () => unknown;

/** unittest.TestCase: setUp, tearDown and the cleanups, run LIFO after tearDown. */
export class TestCase {
  #cleanups: Cleanup[] = [];
  /** Set by the runner: the errors of the cleanups, reported after the test's own. */
  cleanupErrors: unknown[] = [];

  async setUp(): Promise<void> {}
  async tearDown(): Promise<void> {}

  addCleanup(fn: Cleanup): void {
    this.#cleanups.push(fn);
  }

  /** Closes `s` when the test is over (what CPython's addCleanup(s.close) does). */
  track<T extends { close(): unknown }>(s: T): T {
    this.addCleanup(() => s.close());
    return s;
  }

  async doCleanups(): Promise<void> {
    while (this.#cleanups.length > 0) {
      const fn = this.#cleanups.pop()!;
      try {
        await fn();
      } catch (err) {
        this.cleanupErrors.push(err);
      }
    }
  }

  skipTest(reason: string): never {
    throw new SkipTest(reason);
  }
}

export interface Options {
  /** A missing feature or a divergence: the test runs, and its failure does not fail the run. */
  todo?: string;
  /** Why the test is not run at all. */
  skip?: string;
  /** Seconds; 30 unless given. */
  timeout?: number;
}

// ---- the watchdog ------------------------------------------------------------------

const watchdogSource = `
const { parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
let current = null;
parentPort.on('message', (m) => { current = m.name === null ? null : m; });
setInterval(() => {
  if (current !== null && Date.now() > current.deadline) {
    writeSync(2, 'watchdog: ' + current.name + ' is still running ' + current.grace + ' s after its timeout, ' +
      'and the main thread cannot end it (a Sync call blocked in the kernel?); killing the process\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}, 250);
`;
let watchdog: Worker | undefined;
function arm(name: string, seconds: number): void {
  watchdog ??= new Worker(watchdogSource, { eval: true });
  watchdog.unref();
  const grace = 10;
  watchdog.postMessage({ name, deadline: Date.now() + (seconds + grace) * 1000, grace });
}
function disarm(): void {
  watchdog?.postMessage({ name: null });
}

// ---- registering a test --------------------------------------------------------------

const DEFAULT_TIMEOUT = 30;

/**
 * One ported test, named as CPython names it ('GeneralModuleTests.testSockName').
 * `make` builds the TestCase (a fixture class of this file, or TestCase);
 * the runner does setUp, the body, tearDown, and the cleanups.
 */
export function cpython<T extends TestCase>(name: string, options: Options, make: () => T,
  body: (self: T) => unknown): void {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  test(name, { todo: options.todo, skip: options.skip, timeout: (timeout + 5) * 1000 }, async (t) => {
    const self = make();
    arm(name, timeout);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name} timed out after ${timeout} s`)), timeout * 1000);
    });
    const run = runTest(self, body);
    try {
      await Promise.race([run, expired]);
    } catch (err) {
      if (err instanceof SkipTest) {
        t.skip(err.message);
        return;
      }
      // On a timeout the fixture's sockets are closed and the test's
      // cleanups run, which ends the calls still pending on them.
      // (A client half still waiting on something else is given up on:
      // done is set, so that the cleanup waiting for it returns.)
      if (!(await settled(run, 0))) {
        closeAll(self);
        if (self instanceof ThreadableTest) self.done.set();
        await self.doCleanups();
      }
      throw err;
    } finally {
      clearTimeout(timer);
      disarm();
    }
    if (self.cleanupErrors.length > 0) throw self.cleanupErrors[0];
  });
}

async function settled(p: Promise<unknown>, seconds: number): Promise<boolean> {
  let done = false;
  p.then(() => { done = true; }, () => { done = true; });
  await sleep(seconds);
  return done;
}

async function runTest<T extends TestCase>(self: T, body: (self: T) => unknown): Promise<void> {
  if (self instanceof ThreadableTest) return runThreadable(self, body as never);
  let failure: unknown;
  try {
    await self.setUp();
    try {
      await body(self);
    } finally {
      await self.tearDown();
    }
  } catch (err) {
    failure = err;
  }
  await self.doCleanups();
  if (failure !== undefined) throw failure;
}

// ---- ThreadableTest ------------------------------------------------------------------

/** The client half of a threaded test (CPython's `_testFoo`). */
export type Client<T> = (self: T) => unknown;

/**
 * ThreadableTest: `cpython(name, opts, make, server, client)` with a fixture
 * that extends this runs `server` (testFoo) and `client` (_testFoo) at once.
 */
export class ThreadableTest extends TestCase {
  server_ready = new Event();
  client_ready = new Event();
  done = new Event();
  queue: unknown[] = [];
  server_crashed = false;
  /** Set by threaded(); the client half. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  client: Client<any> = () => {};

  serverExplicitReady(): void {
    this.server_ready.set();
  }

  async clientSetUp(): Promise<void> {}

  async clientTearDown(): Promise<void> {
    this.done.set();
  }
}

/** Registers a threaded test: the server half and the client half. */
export function threaded<T extends ThreadableTest>(name: string, options: Options, make: () => T,
  server: (self: T) => unknown, client: Client<T>): void {
  cpython(name, options, () => {
    const self = make();
    self.client = client;
    return self;
  }, server);
}

async function clientRun(self: ThreadableTest): Promise<void> {
  await self.server_ready.wait();
  try {
    try {
      await self.clientSetUp();
    } finally {
      self.client_ready.set();
    }
  } catch (err) {
    self.queue.push(err);
    await clientTearDownQuietly(self);
    return;
  }
  if (self.server_crashed) {
    await clientTearDownQuietly(self);
    return;
  }
  try {
    await self.client(self);
  } catch (err) {
    self.queue.push(err);
  } finally {
    await clientTearDownQuietly(self);
  }
}

async function clientTearDownQuietly(self: ThreadableTest): Promise<void> {
  try {
    await self.clientTearDown();
  } catch (err) {
    self.queue.push(err);
  } finally {
    self.done.set();
  }
}

// ThreadableTest._setUp, then unittest's order: the test, tearDown, the
// cleanups (done.wait, then the client's exception re-raised). One thing is
// added: when one half fails, the sockets of the fixture are closed, so that
// the other half, waiting on them, ends at once rather than at the timeout
// (a client that cannot connect would otherwise leave the server in
// accept() for good, in CPython as here).
async function runThreadable<T extends ThreadableTest>(self: T, server: (self: T) => unknown): Promise<void> {
  self.addCleanup(() => {
    if (self.queue.length > 0) throw self.queue[0];
  });
  let serverDone = false;
  let endedByClient = false;
  const client = clientRun(self).then(() => {
    if (!serverDone && self.queue.length > 0) {
      endedByClient = true;
      closeAll(self);
    }
  });
  let failure: unknown;
  try {
    try {
      await self.setUp();
    } catch (err) {
      self.server_crashed = true;
      throw err;
    } finally {
      self.server_ready.set();
    }
    await self.client_ready.wait();
    self.addCleanup(() => self.done.wait());
    try {
      await server(self);
    } finally {
      await self.tearDown();
    }
  } catch (err) {
    failure = err;
  }
  serverDone = true;
  if (failure !== undefined) closeAll(self);
  await self.doCleanups();
  await client;
  if (failure === undefined) return;
  // The client's failure is the cause when it ended the server half.
  if (endedByClient) throw self.queue[0];
  if (self.queue.length > 0 && self.queue[0] !== failure && failure instanceof Error) {
    failure.message += `\n(and the client half failed: ${String(self.queue[0])})`;
  }
  throw failure;
}

/** Closes every socket (and file object) the fixture holds; errors are ignored. */
function closeAll(self: TestCase): void {
  for (const value of Object.values(self)) {
    if (value instanceof socket.Socket ||
        (typeof value === 'object' && value !== null && typeof value.close === 'function' &&
         typeof value.fileno === 'function')) {
      try {
        // A file's close() is its Promise form: its rejection is ignored too.
        const closing: unknown = value.close();
        if (closing instanceof Promise) closing.catch(() => {});
      } catch {
        // already closed, or a half-made object
      }
    }
  }
}

// ---- the fixtures of test_socket.py ------------------------------------------------------

type Socket = socket.Socket;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ctor<T> = new (...args: any[]) => T;

// SocketTCPTest and SocketUDPTest, for a plain TestCase or a ThreadableTest.
function SocketTCP<B extends Ctor<TestCase>>(Base: B) {
  return class SocketTCPTest extends Base {
    serv!: Socket;
    port!: number;
    override async setUp(): Promise<void> {
      this.serv = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
      this.port = bind_port(this.serv);
      this.serv.listen();
    }
    override async tearDown(): Promise<void> {
      this.serv.close();
    }
  };
}

function SocketUDP<B extends Ctor<TestCase>>(Base: B, proto = 0) {
  return class SocketUDPTest extends Base {
    serv!: Socket;
    port!: number;
    override async setUp(): Promise<void> {
      this.serv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, proto);
      this.port = bind_port(this.serv);
    }
    override async tearDown(): Promise<void> {
      this.serv.close();
    }
  };
}

/** SocketTCPTest: a listening TCP socket on HOST, self.serv, bound to self.port. */
export class SocketTCPTest extends SocketTCP(TestCase) {}
/** SocketUDPTest: a UDP socket self.serv bound on HOST to self.port. */
export class SocketUDPTest extends SocketUDP(TestCase) {}
/** SocketUDPLITETest */
export class SocketUDPLITETest extends SocketUDP(TestCase, socket.IPPROTO_UDPLITE) {}

/** SocketTCPTest with ThreadableTest and no client socket (NetworkConnectionAttributesTest's base). */
export class ThreadedSocketTCPTest extends SocketTCP(ThreadableTest) {}

/** ThreadedTCPSocketTest: SocketTCPTest, and a TCP socket self.cli for the client half. */
export class ThreadedTCPSocketTest extends SocketTCP(ThreadableTest) {
  cli!: Socket;
  override async clientSetUp(): Promise<void> {
    this.cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  }
  override async clientTearDown(): Promise<void> {
    this.cli.close();
    await super.clientTearDown();
  }
}

/** ThreadedUDPSocketTest (and ThreadedUDPLITESocketTest with IPPROTO_UDPLITE). */
export class ThreadedUDPSocketTest extends SocketUDP(ThreadableTest) {
  cli!: Socket;
  proto = 0;
  override async clientSetUp(): Promise<void> {
    this.cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, this.proto);
  }
  override async clientTearDown(): Promise<void> {
    this.cli.close();
    await super.clientTearDown();
  }
}
export class ThreadedUDPLITESocketTest extends ThreadedUDPSocketTest {
  override proto = socket.IPPROTO_UDPLITE;
  override async setUp(): Promise<void> {
    this.serv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDPLITE);
    this.port = bind_port(this.serv);
  }
}

/**
 * SocketConnectedTest: self.cli_conn is the server's end of a TCP
 * connection, accepted in setUp; self.serv_conn (self.cli) the client's.
 */
export class SocketConnectedTest extends ThreadedTCPSocketTest {
  cli_conn!: Socket;
  serv_conn!: Socket;
  override async setUp(): Promise<void> {
    await super.setUp();
    // Indicate explicitly we're ready for the client thread to proceed and
    // then perform the blocking call to accept.
    this.serverExplicitReady();
    const [conn] = await this.serv.accept();
    this.cli_conn = conn;
  }
  override async tearDown(): Promise<void> {
    this.cli_conn.close();
    await super.tearDown();
  }
  override async clientSetUp(): Promise<void> {
    await super.clientSetUp();
    await this.cli.connect([HOST, this.port]);
    this.serv_conn = this.cli;
  }
  override async clientTearDown(): Promise<void> {
    this.serv_conn.close();
    await super.clientTearDown();
  }
}

/** SocketPairTest: self.serv and self.cli from socketpair(). */
export class SocketPairTest extends ThreadableTest {
  serv!: Socket;
  cli!: Socket;
  override async setUp(): Promise<void> {
    [this.serv, this.cli] = socket.socketpair();
  }
  override async tearDown(): Promise<void> {
    this.serv.close();
  }
  override async clientTearDown(): Promise<void> {
    this.cli.close();
    await super.clientTearDown();
  }
}

/**
 * What SocketTestBase's subclasses supply: newSocket() and bindSock(), and
 * for InetTestBase the port, for UnixSocketTestBase the private directory.
 * TCPTestBase, UDPTestBase, UDPLITETestBase, UDP6TestBase, UDPLITE6TestBase
 * and UnixStreamBase are the kinds below.
 */
export interface Kind {
  name: string;
  newSocket(): Socket;
  bindSock(self: SocketTestBase, sock: Socket): void;
  /** InetTestBase.setUp sets self.port; UnixSocketTestBase.setUp makes the directory first. */
  before?(self: SocketTestBase): void;
  after?(self: SocketTestBase): void;
}

function inet(name: string, family: number, type: number, proto: number, host: string): Kind {
  return {
    name,
    newSocket: () => socket.socket(family, type, proto),
    bindSock: (_self, sock) => { bind_port(sock, host); },
    after: (self) => { self.port = (self.serv_addr as [string, number])[1]; },
  };
}

export const TCPTestBase = inet('TCP', socket.AF_INET, socket.SOCK_STREAM, 0, HOST);
export const UDPTestBase = inet('UDP', socket.AF_INET, socket.SOCK_DGRAM, 0, HOST);
export const UDPLITETestBase = inet('UDPLITE', socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDPLITE, HOST);
export const UDP6TestBase = inet('UDP6', socket.AF_INET6, socket.SOCK_DGRAM, 0, HOSTv6);
export const UDPLITE6TestBase = inet('UDPLITE6', socket.AF_INET6, socket.SOCK_DGRAM, socket.IPPROTO_UDPLITE, HOSTv6);
export const UnixStreamBase: Kind = {
  name: 'UnixStream',
  newSocket: () => socket.socket(socket.AF_UNIX, socket.SOCK_STREAM),
  // Created in a private directory, so that other users cannot send
  // anything to a socket that receives descriptors.
  before: (self) => { self.dir_path = mkdtemp(self); },
  bindSock: (self, sock) => {
    const p = mktemp(self.dir_path!);
    sock.bind(p);
    self.addCleanup(() => fs.rmSync(p, { force: true }));
  },
};

/**
 * SocketTestBase with ThreadedSocketTestMixin: self.serv bound to
 * self.serv_addr in setUp, self.cli bound to self.cli_addr in clientSetUp.
 */
export class SocketTestBase extends ThreadableTest {
  serv!: Socket;
  serv_addr!: socket.AddressOut;
  cli!: Socket;
  cli_addr!: socket.AddressOut;
  port?: number;
  dir_path?: string;
  constructor(readonly kind: Kind) {
    super();
  }
  newSocket(): Socket {
    return this.kind.newSocket();
  }
  override async setUp(): Promise<void> {
    this.kind.before?.(this);
    this.serv = this.newSocket();
    this.bindServer();
    this.kind.after?.(this);
  }
  bindServer(): void {
    this.kind.bindSock(this, this.serv);
    this.serv_addr = this.serv.getsockname();
  }
  override async tearDown(): Promise<void> {
    this.serv.close();
  }
  override async clientSetUp(): Promise<void> {
    this.cli = this.newClientSocket();
    this.bindClient();
  }
  newClientSocket(): Socket {
    return this.newSocket();
  }
  bindClient(): void {
    this.kind.bindSock(this, this.cli);
    this.cli_addr = this.cli.getsockname();
  }
  override async clientTearDown(): Promise<void> {
    this.cli.close();
    await super.clientTearDown();
  }
}

/**
 * ConnectedStreamTestMixin (with SocketListeningTestMixin): the server
 * listens and accepts self.cli_conn; the client connects self.cli, which is
 * self.serv_conn.
 */
export class ConnectedStreamTestMixin extends SocketTestBase {
  cli_conn!: Socket;
  serv_conn!: Socket | null;
  override async setUp(): Promise<void> {
    await super.setUp();
    this.serv.listen();
    this.serverExplicitReady();
    const [conn] = await this.serv.accept();
    this.cli_conn = conn;
  }
  override async tearDown(): Promise<void> {
    this.cli_conn.close();
    await super.tearDown();
  }
  override async clientSetUp(): Promise<void> {
    await super.clientSetUp();
    await this.cli.connect(this.serv_addr as socket.Address);
    this.serv_conn = this.cli;
  }
  override async clientTearDown(): Promise<void> {
    this.serv_conn?.close();
    this.serv_conn = null;
    await super.clientTearDown();
  }
}

// ---- socket_helper ----------------------------------------------------------------------

/** socket_helper.bind_port(): bind to (host, 0), refusing SO_REUSEADDR on TCP; the port. */
export function bind_port(sock: socket.Socket, host = HOST): number {
  if (sock.family.value === socket.AF_INET && sock.type.value === socket.SOCK_STREAM) {
    if (sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) === 1) {
      throw new Error('tests should never set the SO_REUSEADDR socket option on TCP/IP sockets!');
    }
    if (sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) === 1) {
      throw new Error('tests should never set the SO_REUSEPORT socket option on TCP/IP sockets!');
    }
  }
  sock.bind([host, 0]);
  return (sock.getsockname() as [string, number])[1];
}

/** socket_helper.find_unused_port() */
export function find_unused_port(family = socket.AF_INET, socktype = socket.SOCK_STREAM): number {
  const tempsock = socket.socket(family, socktype);
  try {
    return bind_port(tempsock);
  } finally {
    tempsock.close();
  }
}

/** The test_socket helper: setdefaulttimeout for the length of `fn`. */
export async function socket_setdefaulttimeout<R>(timeout: number | null, fn: () => R): Promise<Awaited<R>> {
  const old = socket.getdefaulttimeout();
  try {
    socket.setdefaulttimeout(timeout);
    return await fn();
  } finally {
    socket.setdefaulttimeout(old);
  }
}

/** `with sock:` — closes the socket when `fn` is done. */
export async function withSocket<S extends { close(): unknown }, R>(sock: S, fn: (s: S) => R): Promise<Awaited<R>> {
  try {
    return await fn(sock);
  } finally {
    sock.close();
  }
}

// ---- os and tempfile, as Node has them ------------------------------------------------------

/** tempfile.mkdtemp(), removed by a cleanup of `self`. */
export function mkdtemp(self: TestCase): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockcall-cpython-'));
  self.addCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let tempCount = 0;
/** tempfile.mktemp(dir=...): a name that does not exist yet. */
export function mktemp(dir: string): string {
  return path.join(dir, `tmp${process.pid}-${++tempCount}`);
}

/** os_helper.make_bad_fd(): a descriptor number that was just closed. */
export function make_bad_fd(): number {
  const file = path.join(os.tmpdir(), `sockcall-cpython-badfd-${process.pid}`);
  const fd = fs.openSync(file, 'w');
  fs.closeSync(fd);
  fs.rmSync(file, { force: true });
  return fd;
}

/**
 * What fcntl(F_GETFL) & O_NONBLOCK and fcntl(F_GETFD) & FD_CLOEXEC say of a
 * descriptor, read from /proc/self/fdinfo (Node has no fcntl; the kernel
 * shows close-on-exec there as O_CLOEXEC).
 */
export function fdFlags(fd: number): { nonblock: boolean; cloexec: boolean } {
  const text = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  const m = /^flags:\s*([0-7]+)$/m.exec(text);
  if (m === null) throw new Error(`no flags in /proc/self/fdinfo/${fd}`);
  const flags = parseInt(m[1], 8);
  const O_CLOEXEC = 0o2000000; // x86-64 and arm64 Linux
  return { nonblock: (flags & fs.constants.O_NONBLOCK) !== 0, cloexec: (flags & O_CLOEXEC) !== 0 };
}

/** Whether /etc/hosts names `address`, so that a lookup of it is answered without leaving the machine. */
export function hostsFileHas(address: string): boolean {
  try {
    return fs.readFileSync('/etc/hosts', 'utf8').split('\n')
      .some((line) => line.replace(/#.*/, '').trim().split(/\s+/)[0] === address);
  } catch {
    return false;
  }
}

/** Whether /etc/hosts gives an address for the host name `name` (a lookup of it stays on the machine). */
export function hostsFileNames(name: string): boolean {
  try {
    return fs.readFileSync('/etc/hosts', 'utf8').split('\n')
      .some((line) => line.replace(/#.*/, '').trim().split(/\s+/).slice(1).includes(name));
  } catch {
    return false;
  }
}

// ---- assertions ---------------------------------------------------------------------------

type ErrorClass = abstract new (...args: never[]) => Error;

/** assertRaises(exc_or_tuple, fn): the error, checked to be one of the classes. */
export function assertRaises(classes: ErrorClass | ErrorClass[], fn: () => unknown, msg?: string): Error {
  const list = Array.isArray(classes) ? classes : [classes];
  try {
    const r = fn();
    if (r instanceof Promise) r.catch(() => {});
  } catch (err) {
    if (list.some((c) => err instanceof c)) return err as Error;
    throw new assert.AssertionError({
      message: `${msg ? msg + ': ' : ''}expected ${list.map((c) => c.name).join(' or ')}, got ${describe(err)}`,
    });
  }
  throw new assert.AssertionError({ message: `${msg ? msg + ': ' : ''}${list.map((c) => c.name).join(' or ')} not raised` });
}

/** The same for a Promise form: awaits it and checks what it rejected with. */
export async function assertRejects(classes: ErrorClass | ErrorClass[], fn: () => unknown, msg?: string): Promise<Error> {
  const list = Array.isArray(classes) ? classes : [classes];
  try {
    await fn();
  } catch (err) {
    if (list.some((c) => err instanceof c)) return err as Error;
    throw new assert.AssertionError({
      message: `${msg ? msg + ': ' : ''}expected ${list.map((c) => c.name).join(' or ')}, got ${describe(err)}`,
    });
  }
  throw new assert.AssertionError({ message: `${msg ? msg + ': ' : ''}${list.map((c) => c.name).join(' or ')} not raised` });
}

/**
 * Python's attribute access: the module's (or object's) `name`, or an
 * error like AttributeError when there is none, where JavaScript would
 * quietly give undefined.
 */
export function attr<T = unknown>(obj: object, name: string): T {
  const value = (obj as Record<string, unknown>)[name];
  if (value === undefined) throw new TypeError(`'${(obj as { name?: string }).name ?? 'sockcall'}' has no attribute '${name}'`);
  return value as T;
}

/**
 * assertEqual(a, b) for values Python compares as ints: a family or type
 * is an IntEnum member there, equal to the int. Whether sockcall gives a
 * number or an enum member, Number() of it is the value.
 */
export function assertIntEqual(a: unknown, b: unknown, message?: string): void {
  assert.equal(Number(a), Number(b), message);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export { assert };
