// CPython 3.11 Lib/test/test_socket.py: the timeout and non-blocking
// classes (NetworkConnectionNoServer, NonBlockingTCPTests, TCPTimeoutTest,
// UDPTimeoutTest, UDPLITETimeoutTest, NonblockConstantTest,
// InterruptedRecvTimeoutTest, InterruptedSendTimeoutTest), and the
// loopback tests of Lib/test/test_timeout.py (CreationTestCase,
// TCPTimeoutTestCase, UDPTimeoutTestCase), ported to the facade.
import * as socket from 'sockcall';
import { select } from 'sockcall';
import {
  cpython, threaded, TestCase, assert, assertRaises, assertRejects, assertIntEqual, MSG, HOST, HOSTv4, LONG_TIMEOUT,
  Event, SocketTCPTest, SocketUDPTest, SocketUDPLITETest, ThreadedTCPSocketTest, bind_port, find_unused_port,
  socket_setdefaulttimeout, withSocket, fdFlags, builtins,
} from './harness.ts';

const monotonic = (): number => performance.now() / 1000;

// ---- NetworkConnectionNoServer ---------------------------------------------------------------

/** socket_helper.get_socket_conn_refused_errs() (IPv6 is enabled here). */
const connRefusedErrs = [socket.errno.ECONNREFUSED, socket.errno.ENETUNREACH, socket.errno.EADDRNOTAVAIL,
  socket.errno.EHOSTUNREACH];

cpython('NetworkConnectionNoServer.test_connect', {}, () => new TestCase(), async (self) => {
  const port = find_unused_port();
  const cli = self.track(socket.socket(socket.AF_INET, socket.SOCK_STREAM));
  const cm = assertRaises(socket.OSError, () => cli.connectSync([HOST, port]));
  assert.equal((cm as socket.OSError).errno, socket.errno.ECONNREFUSED);
  // The Promise form, the same way.
  const cli2 = self.track(socket.socket(socket.AF_INET, socket.SOCK_STREAM));
  const cm2 = await assertRejects(socket.OSError, () => cli2.connect([HOST, port]));
  assert.equal((cm2 as socket.OSError).errno, socket.errno.ECONNREFUSED);
});

cpython('NetworkConnectionNoServer.test_create_connection', {},
  () => new TestCase(), async () => {
    // Issue #9792: errors raised by create_connection() should have a proper
    // errno attribute. (CPython's host is 'localhost', looked up with no
    // family; the numeric loopback address is used so that nothing is
    // looked up.)
    const port = find_unused_port();
    const cm = await assertRejects(socket.OSError, () => socket.create_connection([HOSTv4, port]));
    assert.ok(connRefusedErrs.includes((cm as socket.OSError).errno!));
    const cm2 = assertRaises(socket.OSError, () => socket.create_connectionSync([HOSTv4, port]));
    assert.ok(connRefusedErrs.includes((cm2 as socket.OSError).errno!));
  });

cpython('NetworkConnectionNoServer.test_create_connection_all_errors', {
}, () => new TestCase(), async () => {
  const port = find_unused_port();
  let eg: (Error & { exceptions: Error[] }) | undefined;
  try {
    await socket.create_connection([HOSTv4, port], undefined, undefined, { all_errors: true });
  } catch (e) {
    eg = e as Error & { exceptions: Error[] };
  }
  if (eg === undefined) assert.fail('expected connection to fail');
  assert.ok(builtins !== null && eg instanceof builtins.ExceptionGroup, `not an ExceptionGroup: ${eg}`);
  for (const e of eg.exceptions) assert.ok(e instanceof socket.OSError);
  const addresses = socket.getaddrinfo(HOSTv4, port, 0, socket.SOCK_STREAM);
  // assert that we got an exception for each address
  assert.equal(addresses.length, eg.exceptions.length);
});

cpython('NetworkConnectionNoServer.test_create_connection_timeout', {},
  () => new TestCase(), async (self) => {
    // Issue #9792: create_connection() should not recast timeout errors as
    // generic socket errors. CPython mocks socket.socket with a class whose
    // connect() raises TimeoutError; the facade's module cannot be patched,
    // so the timeout here is a real one: a listener whose accept queue is
    // full (listen(0) and one connection not accepted) drops the next SYN,
    // and connect() waits until its timeout.
    const srv = self.track(socket.socket(socket.AF_INET, socket.SOCK_STREAM));
    srv.bind([HOSTv4, 0]);
    srv.listen(0);
    const first = self.track(socket.socket(socket.AF_INET, socket.SOCK_STREAM));
    first.connectSync(srv.getsockname() as [string, number]);
    await assertRejects(socket.TimeoutError, () => socket.create_connection(srv.getsockname() as socket.Address, 0.5));
    assertRaises(socket.TimeoutError, () => socket.create_connectionSync(srv.getsockname() as socket.Address, 0.5));
  });

// ---- NonBlockingTCPTests (ThreadedTCPSocketTest) -------------------------------------------------

class NonBlockingTCPTests extends ThreadedTCPSocketTest {
  event = new Event();

  assert_sock_timeout(sock: socket.Socket, timeout: number | null): void {
    // (CPython checks self.serv's timeout here, whatever sock is.)
    assert.equal(this.serv.gettimeout(), timeout);
    const blocking = timeout !== 0;
    assert.equal(sock.getblocking(), blocking);
    // When a Python socket has a non-zero timeout, it's switched internally
    // to a non-blocking mode (fcntl(F_GETFL) & O_NONBLOCK, read from
    // /proc/self/fdinfo here).
    const fd_blocking = timeout === null;
    assert.equal(!fdFlags(sock.fileno()).nonblock, fd_blocking);
  }
}
const N = 'NonBlockingTCPTests';

threaded(`${N}.testSetBlocking`, {}, () => new NonBlockingTCPTests(), (self) => {
  // Test setblocking() and settimeout() methods
  self.serv.setblocking(true);
  self.assert_sock_timeout(self.serv, null);

  self.serv.setblocking(false);
  self.assert_sock_timeout(self.serv, 0.0);

  self.serv.settimeout(null);
  self.assert_sock_timeout(self.serv, null);

  self.serv.settimeout(0);
  self.assert_sock_timeout(self.serv, 0);

  self.serv.settimeout(10);
  self.assert_sock_timeout(self.serv, 10);

  self.serv.settimeout(0);
  self.assert_sock_timeout(self.serv, 0);
}, () => {});

threaded(`${N}.testSetBlocking_overflow`, {}, () => new NonBlockingTCPTests(), (self) => {
  // Issue 15989: a flag above UINT_MAX (where UINT_MAX < ULONG_MAX) is
  // still true.
  const UINT_MAX = 2 ** 32 - 1;
  self.serv.setblocking(false);
  self.assert_sock_timeout(self.serv, 0.0);

  self.serv.setblocking((UINT_MAX + 1) as unknown as boolean);
  self.assert_sock_timeout(self.serv, null);
}, () => {});

threaded(`${N}.testInitNonBlocking`, {}, () => new NonBlockingTCPTests(), (self) => {
  // create a socket with SOCK_NONBLOCK
  self.serv.close();
  self.serv = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK);
  self.assert_sock_timeout(self.serv, 0);
}, () => {});

threaded(`${N}.testInheritFlagsBlocking`, {}, () => new NonBlockingTCPTests(), async (self) => {
  // bpo-7995: accept() on a listening socket with a timeout and the default
  // timeout is None, the resulting socket must be blocking.
  await socket_setdefaulttimeout(null, async () => {
    self.serv.settimeout(10);
    const [conn] = await self.serv.accept();
    self.track(conn);
    assert.equal(conn.gettimeout(), null);
  });
}, async (self) => {
  await self.cli.connect([HOST, self.port]);
});

threaded(`${N}.testInheritFlagsTimeout`, {}, () => new NonBlockingTCPTests(), async (self) => {
  // bpo-7995: accept() on a listening socket with a timeout and the default
  // timeout is None, the resulting socket must inherit the default timeout.
  const default_timeout = 20.0;
  await socket_setdefaulttimeout(default_timeout, async () => {
    self.serv.settimeout(10);
    const [conn] = await self.serv.accept();
    self.track(conn);
    assert.equal(conn.gettimeout(), default_timeout);
  });
}, async (self) => {
  await self.cli.connect([HOST, self.port]);
});

threaded(`${N}.testAccept`, {}, () => new NonBlockingTCPTests(), async (self) => {
  // Testing non-blocking accept
  self.serv.setblocking(false);

  // connect() didn't start: non-blocking accept() fails
  const start_time = monotonic();
  assertRaises(socket.BlockingIOError, () => self.serv.acceptSync());
  await assertRejects(socket.BlockingIOError, () => self.serv.accept());
  const dt = monotonic() - start_time;
  assert.ok(dt < 1.0);

  self.event.set();

  const [read] = await select.select([self.serv], [], [], LONG_TIMEOUT);
  if (!read.includes(self.serv)) assert.fail('Error trying to do accept after select.');

  // connect() completed: non-blocking accept() doesn't block
  const [conn] = self.serv.acceptSync();
  self.track(conn);
  assert.equal(conn.gettimeout(), null);
}, async (self) => {
  // don't connect before event is set to check that non-blocking accept()
  // raises BlockingIOError
  await self.event.wait();
  await self.cli.connect([HOST, self.port]);
});

threaded(`${N}.testRecv`, {}, () => new NonBlockingTCPTests(), async (self) => {
  // Testing non-blocking recv
  const [conn] = await self.serv.accept();
  self.track(conn);
  conn.setblocking(false);

  // the server didn't send data yet: non-blocking recv() fails
  assertRaises(socket.BlockingIOError, () => conn.recvSync(MSG.length));
  await assertRejects(socket.BlockingIOError, () => conn.recv(MSG.length));

  self.event.set();

  const [read] = await select.select([conn], [], [], LONG_TIMEOUT);
  if (!read.includes(conn)) assert.fail('Error during select call to non-blocking socket.');

  // the server sent data yet: non-blocking recv() doesn't block
  const msg = conn.recvSync(MSG.length);
  assert.deepEqual(msg, MSG);
}, async (self) => {
  await self.cli.connect([HOST, self.port]);
  // don't send anything before event is set to check that non-blocking
  // recv() raises BlockingIOError
  await self.event.wait();
  // send data: recv() will no longer block
  await self.cli.sendall(MSG);
});

// ---- TCPTimeoutTest (SocketTCPTest), UDPTimeoutTest, UDPLITETimeoutTest ------------------------

cpython('TCPTimeoutTest.testTCPTimeout', {}, () => new SocketTCPTest(), async (self) => {
  const raise_timeout = (): unknown => {
    self.serv.settimeout(1.0);
    return self.serv.acceptSync();
  };
  assertRaises(socket.TimeoutError, raise_timeout, 'Error generating a timeout exception (TCP)');
  // The Promise form, the same way.
  await assertRejects(socket.TimeoutError, () => self.serv.accept(), 'Error generating a timeout exception (TCP)');
});

function timeoutZero(self: { serv: socket.Socket }, call: () => unknown, what: string): void {
  let ok = false;
  try {
    self.serv.settimeout(0.0);
    call();
  } catch (e) {
    if (e instanceof socket.TimeoutError) assert.fail(`caught timeout instead of error (${what})`);
    if (e instanceof socket.OSError) ok = true;
    else assert.fail(`caught unexpected exception (${what}): ${e}`);
  }
  if (!ok) assert.fail(`${what === 'TCP' ? 'accept' : 'recv'}() returned success when we did not expect it`);
}

cpython('TCPTimeoutTest.testTimeoutZero', {}, () => new SocketTCPTest(), (self) => {
  timeoutZero(self, () => self.serv.acceptSync(), 'TCP');
});

cpython('TCPTimeoutTest.testInterruptedTimeout', {
  skip: 'signal.alarm() with a handler that raises inside the blocked accept(): Node has no alarm, and a ' +
    'JavaScript signal handler runs on the event loop, after the call',
}, () => new SocketTCPTest(), () => {});

const udpTimeout: [string, string, () => SocketUDPTest][] = [
  ['UDPTimeoutTest', 'testUDPTimeout', () => new SocketUDPTest()],
  ['UDPLITETimeoutTest', 'testUDPLITETimeout', () => new SocketUDPLITETest()],
];
for (const [cls, name, make] of udpTimeout) {
  cpython(`${cls}.${name}`, {}, make, async (self) => {
    const raise_timeout = (): unknown => {
      self.serv.settimeout(1.0);
      return self.serv.recvSync(1024);
    };
    assertRaises(socket.TimeoutError, raise_timeout, 'Error generating a timeout exception (UDP)');
    await assertRejects(socket.TimeoutError, () => self.serv.recv(1024), 'Error generating a timeout exception (UDP)');
  });

  cpython(`${cls}.testTimeoutZero`, {}, make, (self) => {
    timeoutZero(self, () => self.serv.recvSync(1024), 'UDP');
  });
}

// ---- NonblockConstantTest -------------------------------------------------------------------------

function checkNonblock(s: socket.Socket, nonblock = true, timeout = 0.0): void {
  if (nonblock) {
    assertIntEqual(s.type, socket.SOCK_STREAM);
    assert.equal(s.gettimeout(), timeout);
    assert.ok(fdFlags(s.fileno()).nonblock);
    if (timeout === 0) {
      // timeout == 0: means that getblocking() must be False.
      assert.equal(s.getblocking(), false);
    } else {
      // If timeout > 0, the socket will be in a "blocking" mode from the
      // standpoint of the Python API, non-blocking underneath.
      assert.equal(s.getblocking(), true);
    }
  } else {
    assertIntEqual(s.type, socket.SOCK_STREAM);
    assert.equal(s.gettimeout(), null);
    assert.ok(!fdFlags(s.fileno()).nonblock);
    assert.equal(s.getblocking(), true);
  }
}

cpython('NonblockConstantTest.test_SOCK_NONBLOCK', {}, () => new TestCase(), async () => {
  // a lot of it seems silly and redundant, but I wanted to test that
  // changing back and forth worked ok
  await withSocket(socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK), (s) => {
    checkNonblock(s);
    s.setblocking(true);
    checkNonblock(s, false);
    s.setblocking(false);
    checkNonblock(s);
    s.settimeout(null);
    checkNonblock(s, false);
    s.settimeout(2.0);
    checkNonblock(s, true, 2.0);
    s.setblocking(true);
    checkNonblock(s, false);
  });
  // defaulttimeout
  const t = socket.getdefaulttimeout();
  try {
    socket.setdefaulttimeout(0.0);
    await withSocket(socket.socket(), (s) => checkNonblock(s));
    socket.setdefaulttimeout(null);
    await withSocket(socket.socket(), (s) => checkNonblock(s, false));
    socket.setdefaulttimeout(2.0);
    await withSocket(socket.socket(), (s) => checkNonblock(s, true, 2.0));
    socket.setdefaulttimeout(null);
    await withSocket(socket.socket(), (s) => checkNonblock(s, false));
  } finally {
    socket.setdefaulttimeout(t);
  }
});

// ---- InterruptedRecvTimeoutTest, InterruptedSendTimeoutTest -----------------------------------------

const interrupted = 'SIGALRM from setitimer() with a handler that raises (1 / 0) inside the blocked call: Node ' +
  'has no setitimer, and a JavaScript signal handler runs on the event loop, after the call, so nothing can ' +
  'raise inside it';
for (const name of ['testInterruptedRecvTimeout', 'testInterruptedRecvIntoTimeout', 'testInterruptedRecvfromTimeout',
  'testInterruptedRecvfromIntoTimeout', 'testInterruptedRecvmsgTimeout', 'testInterruptedRecvmsgIntoTimeout']) {
  cpython(`InterruptedRecvTimeoutTest.${name}`, { skip: interrupted }, () => new TestCase(), () => {});
}
for (const name of ['testInterruptedSendTimeout', 'testInterruptedSendtoTimeout', 'testInterruptedSendmsgTimeout']) {
  cpython(`InterruptedSendTimeoutTest.${name}`, { skip: interrupted }, () => new TestCase(), () => {});
}

// ---- Lib/test/test_timeout.py ----------------------------------------------------------------------
//
// CPython runs this module only with the 'network' resource (setUpModule);
// the tests below use loopback alone. testConnectTimeout and
// testRecvTimeout need hosts on the Internet (pythontest.net's blackhole,
// www.python.org) and are left out.

class CreationTestCase extends TestCase {
  sock!: socket.Socket;
  override async setUp(): Promise<void> {
    this.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  }
  override async tearDown(): Promise<void> {
    this.sock.close();
  }
}

cpython('test_timeout.CreationTestCase.testObjectCreation', {}, () => new CreationTestCase(), (self) => {
  // Test Socket creation
  assert.equal(self.sock.gettimeout(), null, 'timeout not disabled by default');
});

cpython('test_timeout.CreationTestCase.testFloatReturnValue', {}, () => new CreationTestCase(), (self) => {
  // Test return value of gettimeout()
  self.sock.settimeout(7.345);
  assert.equal(self.sock.gettimeout(), 7.345);
  self.sock.settimeout(3);
  assert.equal(self.sock.gettimeout(), 3);
  self.sock.settimeout(null);
  assert.equal(self.sock.gettimeout(), null);
});

cpython('test_timeout.CreationTestCase.testReturnType', {
  skip: 'checks that gettimeout() is a float even when set from an int; JavaScript has one number type',
}, () => new CreationTestCase(), () => {});

cpython('test_timeout.CreationTestCase.testTypeCheck', {}, () => new CreationTestCase(), (self) => {
  // Test type checking by settimeout()
  self.sock.settimeout(0);
  self.sock.settimeout(0);
  self.sock.settimeout(0.0);
  self.sock.settimeout(null);
  // "", (), [], {}, 0j: a string, an empty array (tuple and list), an object
  // (dict and complex)
  for (const bad of ['', [], [], {}, { real: 0, imag: 0 }]) {
    assertRaises(TypeError, () => self.sock.settimeout(bad as never), JSON.stringify(bad));
  }
});

cpython('test_timeout.CreationTestCase.testRangeCheck', {}, () => new CreationTestCase(), (self) => {
  // Test range checking by settimeout(): ValueError, a RangeError here
  assertRaises(RangeError, () => self.sock.settimeout(-1));
  assertRaises(RangeError, () => self.sock.settimeout(-1));
  assertRaises(RangeError, () => self.sock.settimeout(-1.0));
});

cpython('test_timeout.CreationTestCase.testTimeoutThenBlocking', {}, () => new CreationTestCase(), (self) => {
  // Test settimeout() followed by setblocking()
  self.sock.settimeout(10);
  self.sock.setblocking(true);
  assert.equal(self.sock.gettimeout(), null);
  self.sock.setblocking(false);
  assert.equal(self.sock.gettimeout(), 0.0);

  self.sock.settimeout(10);
  self.sock.setblocking(false);
  assert.equal(self.sock.gettimeout(), 0.0);
  self.sock.setblocking(true);
  assert.equal(self.sock.gettimeout(), null);
});

cpython('test_timeout.CreationTestCase.testBlockingThenTimeout', {}, () => new CreationTestCase(), (self) => {
  // Test setblocking() followed by settimeout()
  self.sock.setblocking(false);
  self.sock.settimeout(1);
  assert.equal(self.sock.gettimeout(), 1);

  self.sock.setblocking(true);
  self.sock.settimeout(1);
  assert.equal(self.sock.gettimeout(), 1);
});

/**
 * TimeoutTestCase._sock_operation(count, timeout, method, *args): the
 * method, run at most count times, must raise TimeoutError within
 * timeout + fuzz seconds, and not before timeout - 1. Each form of the
 * method is checked, the Sync one first.
 */
async function sock_operation(sock: socket.Socket, count: number, timeout: number, method: string,
  ...args: unknown[]): Promise<void> {
  const fuzz = 2.0;
  const target = sock as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const form of [`${method}Sync`, method]) {
    sock.settimeout(timeout);
    let delta: number | undefined;
    for (let i = 0; i < count; i++) {
      const t1 = monotonic();
      try {
        await target[form](...args);
      } catch (e) {
        if (!(e instanceof socket.TimeoutError)) throw e;
        delta = monotonic() - t1;
        break;
      }
    }
    if (delta === undefined) assert.fail(`${form}: TimeoutError was not raised`);
    // These checks should account for timing unprecision
    assert.ok(delta < timeout + fuzz, `${form}: ${delta} s`);
    assert.ok(delta > timeout - 1.0, `${form}: ${delta} s`);
  }
}

class TCPTimeoutTestCase extends TestCase {
  sock!: socket.Socket;
  override async setUp(): Promise<void> {
    this.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  }
  override async tearDown(): Promise<void> {
    this.sock.close();
  }
}

const internet = 'needs a host on the Internet (www.python.org, or pythontest.net\'s blackhole and whitehole ports)';
cpython('test_timeout.TCPTimeoutTestCase.testConnectTimeout', { skip: internet }, () => new TestCase(), () => {});
cpython('test_timeout.TCPTimeoutTestCase.testRecvTimeout', { skip: internet }, () => new TestCase(), () => {});

cpython('test_timeout.TCPTimeoutTestCase.testAcceptTimeout', {}, () => new TCPTimeoutTestCase(), async (self) => {
  // Test accept() timeout
  bind_port(self.sock, HOST);
  self.sock.listen();
  await sock_operation(self.sock, 1, 1.5, 'accept');
});

for (const [name, method, extra] of [['testSend', 'send', false], ['testSendto', 'sendto', true],
  ['testSendall', 'sendall', false]] as const) {
  cpython(`test_timeout.TCPTimeoutTestCase.${name}`, {}, () => new TCPTimeoutTestCase(), async (self) => {
    // Test send() timeout
    await withSocket(socket.socket(socket.AF_INET, socket.SOCK_STREAM), async (serv) => {
      bind_port(serv, HOST);
      serv.listen();
      self.sock.connectSync(serv.getsockname() as [string, number]);
      // Send a lot of data in order to bypass buffering in the TCP stack.
      // (For sendto, the address argument is ignored since we already connected.)
      const data = Buffer.alloc(200000, 'X');
      if (extra) await sock_operation(self.sock, 100, 1.5, method, data, serv.getsockname());
      else await sock_operation(self.sock, 100, 1.5, method, data);
    });
  });
}

class UDPTimeoutTestCase extends TestCase {
  sock!: socket.Socket;
  override async setUp(): Promise<void> {
    this.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  }
  override async tearDown(): Promise<void> {
    this.sock.close();
  }
}

cpython('test_timeout.UDPTimeoutTestCase.testRecvfromTimeout', {}, () => new UDPTimeoutTestCase(), async (self) => {
  // Test recvfrom() timeout
  // Prevent "Address already in use" socket exceptions
  bind_port(self.sock, HOST);
  await sock_operation(self.sock, 1, 1.5, 'recvfrom', 1024);
});
