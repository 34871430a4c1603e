// CPython 3.11 Lib/test/test_socket.py: create_connection() and
// create_server() — NetworkConnectionAttributesTest,
// NetworkConnectionBehaviourTest, ContextManagersTest, CreateServerTest and
// CreateServerFunctionalTest — ported to the facade. `with sock:` is
// `using sock = ...` here (the socket's Symbol.dispose closes it).
//
// create_connection() looks its host up with no family (getaddrinfo with
// AF_UNSPEC): where CPython passes HOST ('localhost'), the ports pass the
// numeric 127.0.0.1, so that nothing is looked up.
import * as socket from 'sockcall';
import {
  cpython, threaded, TestCase, assert, assertIntEqual, assertRaises, assertRejects, HOSTv4, HOSTv6,
  LOOPBACK_TIMEOUT, Event, ThreadedSocketTCPTest, ThreadedTCPSocketTest, find_unused_port, sleep,
} from './harness.ts';


// ---- NetworkConnectionAttributesTest (SocketTCPTest, ThreadableTest) ------------------------

class NetworkConnectionAttributesTest extends ThreadedSocketTCPTest {
  cli: socket.Socket | null = null;
  source_port = 0;
  override async clientSetUp(): Promise<void> {
    this.source_port = find_unused_port();
  }
  override async clientTearDown(): Promise<void> {
    this.cli?.close();
    this.cli = null;
    await super.clientTearDown();
  }
}
const A = 'NetworkConnectionAttributesTest';

async function justAccept(self: NetworkConnectionAttributesTest): Promise<void> {
  const [conn] = await self.serv.accept();
  conn.close();
}

threaded(`${A}.testFamily`, {}, () => new NetworkConnectionAttributesTest(), justAccept,
  async (self) => {
    const cli = self.cli = self.track(await socket.create_connection([HOSTv4, self.port], LOOPBACK_TIMEOUT));
    assertIntEqual(cli.family, 2);
  });

threaded(`${A}.testSourceAddress`, {}, () => new NetworkConnectionAttributesTest(), justAccept,
  async (self) => {
    const cli = self.cli = self.track(
      await socket.create_connection([HOSTv4, self.port], LOOPBACK_TIMEOUT, ['', self.source_port]));
    assert.equal((cli.getsockname() as [string, number])[1], self.source_port);
    // The port number being used is sufficient to show that the bind() call happened.
  });

threaded(`${A}.testTimeoutDefault`, {}, () => new NetworkConnectionAttributesTest(), justAccept,
  async (self) => {
    // passing no explicit timeout uses socket's global default
    assert.equal(socket.getdefaulttimeout(), null);
    socket.setdefaulttimeout(42);
    let cli: socket.Socket;
    try {
      cli = self.cli = self.track(await socket.create_connection([HOSTv4, self.port]));
    } finally {
      socket.setdefaulttimeout(null);
    }
    assert.equal(cli.gettimeout(), 42);
  });

threaded(`${A}.testTimeoutNone`, {}, () => new NetworkConnectionAttributesTest(), justAccept,
  async (self) => {
    // None timeout means the same as sock.settimeout(None): null here (no
    // argument, or undefined, is the global default)
    assert.equal(socket.getdefaulttimeout(), null);
    socket.setdefaulttimeout(30);
    let cli: socket.Socket;
    try {
      cli = self.cli = self.track(await socket.create_connection([HOSTv4, self.port], null));
    } finally {
      socket.setdefaulttimeout(null);
    }
    assert.equal(cli.gettimeout(), null);
  });

threaded(`${A}.testTimeoutValueNamed`, {}, () => new NetworkConnectionAttributesTest(), justAccept,
  async (self) => {
    // (timeout=30: keyword arguments are positional here)
    const cli = self.cli = await socket.create_connection([HOSTv4, self.port], 30);
    assert.equal(cli.gettimeout(), 30);
  });

threaded(`${A}.testTimeoutValueNonamed`, {}, () => new NetworkConnectionAttributesTest(), justAccept,
  (self) => {
    // The Sync form: the server's accept() is pending on a thread of the
    // addon, and the kernel completes the connection without it.
    const cli = self.cli = self.track(socket.create_connectionSync([HOSTv4, self.port], 30));
    assert.equal(cli.gettimeout(), 30);
  });

// ---- NetworkConnectionBehaviourTest (SocketTCPTest, ThreadableTest) ---------------------------

class NetworkConnectionBehaviourTest extends ThreadedSocketTCPTest {
  cli!: socket.Socket;
  override async clientTearDown(): Promise<void> {
    this.cli.close();
    await super.clientTearDown();
  }
}
const B = 'NetworkConnectionBehaviourTest';

async function insideTimeout(self: NetworkConnectionBehaviourTest): Promise<void> {
  const [conn] = await self.serv.accept();
  self.track(conn);
  await sleep(3);
  await conn.send(Buffer.from('done!'));
}

threaded(`${B}.testInsideTimeout`, {}, () => new NetworkConnectionBehaviourTest(), insideTimeout,
  async (self) => {
    const sock = self.cli = await socket.create_connection([HOSTv4, self.port]);
    const data = await sock.recv(5);
    assert.deepEqual(data, Buffer.from('done!'));
  });

threaded(`${B}.testOutsideTimeout`, {}, () => new NetworkConnectionBehaviourTest(), insideTimeout,
  async (self) => {
    const sock = self.cli = await socket.create_connection([HOSTv4, self.port], 1);
    await assertRejects(socket.TimeoutError, () => sock.recv(5));
  });

// ---- ContextManagersTest (ThreadedTCPSocketTest) ----------------------------------------------
//
// CPython's _testSocketClass has no testSocketClass beside it, so unittest
// never runs it: it is not ported. sock._closed is fileno() -1 here (what a
// user sees of it when no makefile() holds the socket open).

async function echoOnce(self: ThreadedTCPSocketTest): Promise<void> {
  const [conn] = await self.serv.accept();
  self.track(conn);
  const data = await conn.recv(1024);
  await conn.sendall(data);
}

threaded('ContextManagersTest.testCreateConnectionBase', {}, () => new ThreadedTCPSocketTest(),
  echoOnce, async (self) => {
    const address = self.serv.getsockname() as socket.Address;
    let outer: socket.Socket;
    {
      using sock = await socket.create_connection(address);
      outer = sock;
      assert.notEqual(sock.fileno(), -1);
      await sock.sendall(Buffer.from('foo'));
      assert.deepEqual(await sock.recv(1024), Buffer.from('foo'));
    }
    assert.equal(outer.fileno(), -1);
  });

threaded('ContextManagersTest.testCreateConnectionClose', {}, () => new ThreadedTCPSocketTest(),
  echoOnce, async (self) => {
    const address = self.serv.getsockname() as socket.Address;
    let outer: socket.Socket;
    {
      using sock = await socket.create_connection(address);
      outer = sock;
      sock.close();
    }
    assert.equal(outer.fileno(), -1);
    assertRaises(socket.OSError, () => outer.sendallSync(Buffer.from('foo')));
    await assertRejects(socket.OSError, () => outer.sendall(Buffer.from('foo')));
  });

// ---- CreateServerTest -----------------------------------------------------------------------


cpython('CreateServerTest.test_address', {}, () => new TestCase(), () => {
  const port = find_unused_port();
  {
    using sock = socket.create_server(['127.0.0.1', port]);
    assert.equal((sock.getsockname() as [string, number])[0], '127.0.0.1');
    assert.equal((sock.getsockname() as [string, number])[1], port);
  }
  {
    using sock = socket.create_server([HOSTv6, port], { family: socket.AF_INET6 });
    assert.equal((sock.getsockname() as [string, number])[0], '::1');
    assert.equal((sock.getsockname() as [string, number])[1], port);
  }
});

cpython('CreateServerTest.test_family_and_type', {}, () => new TestCase(), () => {
  let sock: socket.Socket;
  {
    using s = socket.create_server(['127.0.0.1', 0]);
    sock = s;
    assertIntEqual(sock.family, socket.AF_INET);
    assertIntEqual(sock.type, socket.SOCK_STREAM);
  }
  {
    using s = socket.create_server([HOSTv6, 0], { family: socket.AF_INET6 });
    assertIntEqual(s.family, socket.AF_INET6);
    // (CPython checks the first, closed, socket's type here)
    assertIntEqual(sock.type, socket.SOCK_STREAM);
  }
});

cpython('CreateServerTest.test_reuse_port', {}, () => new TestCase(), () => {
  // ('localhost', 0): bind() looks the name up with AF_INET, the family create_server() gives the socket.
  {
    using sock = socket.create_server(['localhost', 0]);
    const opt = sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT);
    assert.equal(opt, 0);
  }
  {
    using sock = socket.create_server(['localhost', 0], { reuse_port: true });
    const opt = sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT);
    assert.notEqual(opt, 0);
  }
});

cpython('CreateServerTest.test_ipv6_only_default', {}, () => new TestCase(), () => {
  using sock = socket.create_server([HOSTv6, 0], { family: socket.AF_INET6 });
  assert.ok(sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY));
});

cpython('CreateServerTest.test_dualstack_ipv6_family', {},
  () => new TestCase(), (self) => {
    if (!socket.has_dualstack_ipv6()) self.skipTest('dualstack_ipv6 not supported');
    using sock = socket.create_server([HOSTv6, 0], { family: socket.AF_INET6, dualstack_ipv6: true });
    assertIntEqual(sock.family, socket.AF_INET6);
  });

// ---- CreateServerFunctionalTest -----------------------------------------------------------------

const timeout = LOOPBACK_TIMEOUT;

/**
 * echo_server(sock): CPython's thread, an async function here, joined by a
 * cleanup. It accepts one connection and echoes one message.
 */
function echo_server(self: TestCase, sock: socket.Socket): void {
  const event = new Event();
  const run = async (): Promise<void> => {
    using s = sock;
    const [conn] = await s.accept();
    using c = conn;
    await event.wait(timeout);
    const msg = await c.recv(1024);
    if (msg.length === 0) return;
    await c.sendall(msg);
  };
  sock.settimeout(timeout);
  const thread = run();
  self.addCleanup(() => thread);
  event.set();
}

async function echo_client(addr: socket.Address, family: number): Promise<void> {
  using sock = socket.socket(family);
  sock.settimeout(timeout);
  await sock.connect(addr);
  await sock.sendall(Buffer.from('foo'));
  assert.deepEqual(await sock.recv(1024), Buffer.from('foo'));
}

cpython('CreateServerFunctionalTest.test_tcp4', {}, () => new TestCase(), async (self) => {
  const port = find_unused_port();
  using sock = socket.create_server(['', port]);
  echo_server(self, sock);
  await echo_client(['127.0.0.1', port], socket.AF_INET);
});

cpython('CreateServerFunctionalTest.test_tcp6', {}, () => new TestCase(), async (self) => {
  const port = find_unused_port();
  using sock = socket.create_server(['', port], { family: socket.AF_INET6 });
  echo_server(self, sock);
  await echo_client([HOSTv6, port], socket.AF_INET6);
});

// --- dual stack tests


cpython('CreateServerFunctionalTest.test_dual_stack_client_v4', {}, () => new TestCase(),
  async (self) => {
    if (!socket.has_dualstack_ipv6()) self.skipTest('dualstack_ipv6 not supported');
    const port = find_unused_port();
    using sock = socket.create_server(['', port], { family: socket.AF_INET6, dualstack_ipv6: true });
    echo_server(self, sock);
    await echo_client([HOSTv4, port], socket.AF_INET);
  });

cpython('CreateServerFunctionalTest.test_dual_stack_client_v6', {}, () => new TestCase(),
  async (self) => {
    if (!socket.has_dualstack_ipv6()) self.skipTest('dualstack_ipv6 not supported');
    const port = find_unused_port();
    using sock = socket.create_server(['', port], { family: socket.AF_INET6, dualstack_ipv6: true });
    echo_server(self, sock);
    await echo_client([HOSTv6, port], socket.AF_INET6);
  });
