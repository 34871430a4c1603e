// CPython 3.11 Lib/test/test_socket.py: BasicTCPTest, BasicTCPTest2,
// BasicUDPTest, BasicUDPLITETest, BasicSocketPairTest, BufferIOTest and
// TCPCloserTest, ported to the facade. Each test is named after the one it
// comes from; the client half (CPython's `_testFoo`, run in a thread there)
// is the second function.
import * as socket from 'sockcall';
import { select } from 'sockcall';
import {
  threaded, assert, assertRaises, assertRejects, MSG, HOST, HOSTv4, sleep,
  SocketConnectedTest, ThreadedUDPSocketTest, ThreadedUDPLITESocketTest, SocketPairTest, ThreadedTCPSocketTest,
} from './harness.ts';

const INT_MAX = 2 ** 31 - 1;
const UINT_MAX = 2 ** 32 - 1;

// ---- BasicTCPTest (SocketConnectedTest), and BasicTCPTest2 ---------------------------

/**
 * BasicTCPTest2 (NetworkConnectionTest): the same tests with the client
 * connected by socket.create_connection((HOST, port)).
 */
class NetworkConnectionTest extends SocketConnectedTest {
  override async clientSetUp(): Promise<void> {
    // create_connection() looks its host up with no family: the port uses
    // the numeric loopback address so that no lookup can leave the machine.
    this.cli = await socket.create_connection([HOSTv4, this.port]);
    this.serv_conn = this.cli;
  }
}

const basicTCP: [string, () => SocketConnectedTest][] = [
  ['BasicTCPTest', () => new SocketConnectedTest()],
  ['BasicTCPTest2', () => new NetworkConnectionTest()],
];

for (const [cls, make] of basicTCP) {
  threaded(`${cls}.testRecv`, {}, make, async (self) => {
    // Testing large receive over TCP
    const msg = await self.cli_conn.recv(1024);
    assert.deepEqual(msg, MSG);
  }, async (self) => {
    await self.serv_conn.send(MSG);
  });

  threaded(`${cls}.testOverFlowRecv`, {}, make, async (self) => {
    // Testing receive in chunks over TCP
    const seg1 = await self.cli_conn.recv(MSG.length - 3);
    const seg2 = await self.cli_conn.recv(1024);
    const msg = Buffer.concat([seg1, seg2]);
    assert.deepEqual(msg, MSG);
  }, async (self) => {
    await self.serv_conn.send(MSG);
  });

  threaded(`${cls}.testRecvFrom`, {}, make, async (self) => {
    // Testing large recvfrom() over TCP
    const [msg] = await self.cli_conn.recvfrom(1024);
    assert.deepEqual(msg, MSG);
  }, async (self) => {
    await self.serv_conn.send(MSG);
  });

  threaded(`${cls}.testOverFlowRecvFrom`, {}, make, async (self) => {
    // Testing recvfrom() in chunks over TCP
    const [seg1] = await self.cli_conn.recvfrom(MSG.length - 3);
    const [seg2] = await self.cli_conn.recvfrom(1024);
    const msg = Buffer.concat([seg1, seg2]);
    assert.deepEqual(msg, MSG);
  }, async (self) => {
    await self.serv_conn.send(MSG);
  });

  threaded(`${cls}.testSendAll`, {}, make, async (self) => {
    // Testing sendall() with a 2048 byte string over TCP
    let msg = Buffer.alloc(0);
    for (;;) {
      const read = await self.cli_conn.recv(1024);
      if (read.length === 0) break;
      msg = Buffer.concat([msg, read]);
    }
    assert.deepEqual(msg, Buffer.alloc(2048, 'f'));
  }, async (self) => {
    const big_chunk = Buffer.alloc(2048, 'f');
    await self.serv_conn.sendall(big_chunk);
  });

  threaded(`${cls}.testFromFd`, {}, make, async (self) => {
    // Testing fromfd()
    const fd = self.cli_conn.fileno();
    const sock = self.track(socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM));
    assert.ok(sock instanceof socket.Socket);
    const msg = await sock.recv(1024);
    assert.deepEqual(msg, MSG);
  }, async (self) => {
    await self.serv_conn.send(MSG);
  });

  threaded(`${cls}.testDup`, {}, make, async (self) => {
    // Testing dup()
    const sock = self.track(self.cli_conn.dup());
    const msg = await sock.recv(1024);
    assert.deepEqual(msg, MSG);
  }, async (self) => {
    await self.serv_conn.send(MSG);
  });

  threaded(`${cls}.testShutdown`, {}, make, async (self) => {
    // Testing shutdown()
    const msg = await self.cli_conn.recv(1024);
    assert.deepEqual(msg, MSG);
    // wait for _testShutdown to finish: on OS X, when the server closes the
    // connection the client also becomes disconnected, and the client's
    // shutdown call will fail. (Issue #4397.)
    await self.done.wait();
  }, async (self) => {
    await self.serv_conn.send(MSG);
    self.serv_conn.shutdown(2);
  });

  threaded(`${cls}.testShutdown_overflow`, {}, make, async (self) => {
    const msg = await self.cli_conn.recv(1024);
    assert.deepEqual(msg, MSG);
    await self.done.wait();
  }, async (self) => {
    await self.serv_conn.send(MSG);
    // Issue 15989: OverflowError, a RangeError here (README).
    assertRaises(RangeError, () => self.serv_conn.shutdown(INT_MAX + 1));
    assertRaises(RangeError, () => self.serv_conn.shutdown(2 + (UINT_MAX + 1)));
    self.serv_conn.shutdown(2);
  });

  threaded(`${cls}.testDetach`, {}, make, async (self) => {
    // Testing detach()
    const fileno = self.cli_conn.fileno();
    const f = self.cli_conn.detach();
    assert.equal(f, fileno);
    // cli_conn cannot be used anymore... (CPython checks cli_conn._closed;
    // what a user sees of it is fileno() -1.)
    assert.equal(self.cli_conn.fileno(), -1);
    await assertRejects(socket.OSError, () => self.cli_conn.recv(1024));
    assertRaises(socket.OSError, () => self.cli_conn.recvSync(1024));
    self.cli_conn.close();
    // ...but we can create another socket using the (still open) file descriptor
    const sock = self.track(socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, f));
    const msg = await sock.recv(1024);
    assert.deepEqual(msg, MSG);
  }, async (self) => {
    await self.serv_conn.send(MSG);
  });
}

// ---- BasicUDPTest, BasicUDPLITETest (ThreadedUDPSocketTest) ---------------------------------

const basicUDP: [string, () => ThreadedUDPSocketTest][] = [
  ['BasicUDPTest', () => new ThreadedUDPSocketTest()],
  ['BasicUDPLITETest', () => new ThreadedUDPLITESocketTest()],
];

for (const [cls, make] of basicUDP) {
  threaded(`${cls}.testSendtoAndRecv`, {}, make, async (self) => {
    // Testing sendto() and Recv() over UDP
    const msg = await self.serv.recv(MSG.length);
    assert.deepEqual(msg, MSG);
  }, async (self) => {
    await self.cli.sendto(MSG, 0, [HOST, self.port]);
  });

  threaded(`${cls}.testRecvFrom`, {}, make, async (self) => {
    // Testing recvfrom() over UDP
    const [msg] = await self.serv.recvfrom(MSG.length);
    assert.deepEqual(msg, MSG);
  }, async (self) => {
    await self.cli.sendto(MSG, 0, [HOST, self.port]);
  });

  threaded(`${cls}.testRecvFromNegative`, {}, make, async (self) => {
    // Negative lengths passed to recvfrom should give ValueError (a
    // RangeError here, README), in both forms.
    assertRaises(RangeError, () => self.serv.recvfromSync(-1));
    await assertRejects(RangeError, () => self.serv.recvfrom(-1));
  }, async (self) => {
    await self.cli.sendto(MSG, 0, [HOST, self.port]);
  });
}

// ---- BasicSocketPairTest (SocketPairTest) ------------------------------------------------------

function check_defaults(sock: socket.Socket): void {
  assert.ok(sock instanceof socket.Socket);
  assert.equal(sock.family.value, socket.AF_UNIX);
  assert.equal(sock.type.value, socket.SOCK_STREAM);
  assert.equal(sock.proto, 0);
}

threaded('BasicSocketPairTest.testDefaults', {}, () => new SocketPairTest(), (self) => {
  check_defaults(self.serv);
}, (self) => {
  check_defaults(self.cli);
});

threaded('BasicSocketPairTest.testRecv', {}, () => new SocketPairTest(), async (self) => {
  const msg = await self.serv.recv(1024);
  assert.deepEqual(msg, MSG);
}, async (self) => {
  await self.cli.send(MSG);
});

threaded('BasicSocketPairTest.testSend', {}, () => new SocketPairTest(), async (self) => {
  await self.serv.send(MSG);
}, async (self) => {
  const msg = await self.cli.recv(1024);
  assert.deepEqual(msg, MSG);
});

// ---- BufferIOTest (SocketConnectedTest) ------------------------------------------------------------

async function sendMSG(self: SocketConnectedTest): Promise<void> {
  const buf = Buffer.from(MSG);
  await self.serv_conn.send(buf);
}

threaded('BufferIOTest.testRecvIntoArray', {}, () => new SocketConnectedTest(), async (self) => {
  // array.array("B", [0] * len(MSG)): a Uint8Array
  const buf = new Uint8Array(MSG.length);
  const nbytes = await self.cli_conn.recv_into(buf);
  assert.equal(nbytes, MSG.length);
  assert.deepEqual(Buffer.from(buf.subarray(0, MSG.length)), MSG);
}, sendMSG);

threaded('BufferIOTest.testRecvIntoBytearray', {}, () => new SocketConnectedTest(), async (self) => {
  const buf = Buffer.alloc(1024);
  const nbytes = await self.cli_conn.recv_into(buf);
  assert.equal(nbytes, MSG.length);
  assert.deepEqual(buf.subarray(0, MSG.length), MSG);
}, sendMSG);

threaded('BufferIOTest.testRecvIntoMemoryview', {}, () => new SocketConnectedTest(), async (self) => {
  // memoryview(buf): a DataView over the same memory
  const buf = Buffer.alloc(1024);
  const nbytes = await self.cli_conn.recv_into(new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
  assert.equal(nbytes, MSG.length);
  assert.deepEqual(buf.subarray(0, MSG.length), MSG);
}, sendMSG);

threaded('BufferIOTest.testRecvFromIntoArray', {}, () => new SocketConnectedTest(), async (self) => {
  const buf = new Uint8Array(MSG.length);
  const [nbytes] = await self.cli_conn.recvfrom_into(buf);
  assert.equal(nbytes, MSG.length);
  assert.deepEqual(Buffer.from(buf.subarray(0, MSG.length)), MSG);
}, sendMSG);

threaded('BufferIOTest.testRecvFromIntoBytearray', {}, () => new SocketConnectedTest(), async (self) => {
  const buf = Buffer.alloc(1024);
  const [nbytes] = await self.cli_conn.recvfrom_into(buf);
  assert.equal(nbytes, MSG.length);
  assert.deepEqual(buf.subarray(0, MSG.length), MSG);
}, sendMSG);

threaded('BufferIOTest.testRecvFromIntoMemoryview', {}, () => new SocketConnectedTest(), async (self) => {
  const buf = Buffer.alloc(1024);
  const [nbytes] = await self.cli_conn.recvfrom_into(new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
  assert.equal(nbytes, MSG.length);
  assert.deepEqual(buf.subarray(0, MSG.length), MSG);
}, sendMSG);

threaded('BufferIOTest.testRecvFromIntoSmallBuffer', {}, () => new SocketConnectedTest(), async (self) => {
  // See issue #20246. ValueError: a RangeError here (README), in both forms.
  const buf = Buffer.alloc(8);
  assertRaises(RangeError, () => self.cli_conn.recvfrom_intoSync(buf, 1024));
  await assertRejects(RangeError, () => self.cli_conn.recvfrom_into(buf, 1024));
}, async (self) => {
  await self.serv_conn.send(MSG);
});

threaded('BufferIOTest.testRecvFromIntoEmptyBuffer', {}, () => new SocketConnectedTest(), async (self) => {
  // A zero-length buffer asks for no bytes: recvfrom(fd, buf, 0) returns at
  // once, whatever is waiting.
  const buf = Buffer.alloc(0);
  await self.cli_conn.recvfrom_into(buf);
  await self.cli_conn.recvfrom_into(buf, 0);
}, sendMSG);

// ---- TCPCloserTest (ThreadedTCPSocketTest) --------------------------------------------------------

threaded('TCPCloserTest.testClose', {}, () => new ThreadedTCPSocketTest(),
  async (self) => {
    const [conn] = await self.serv.accept();
    conn.close();

    const sd = self.cli;
    const [read] = await select.select([sd], [], [], 1.0);
    assert.deepEqual(read, [sd]);
    assert.deepEqual(await sd.recv(1), Buffer.alloc(0));

    // Calling close() many times should be safe.
    conn.close();
    conn.close();
  }, async (self) => {
    await self.cli.connect([HOST, self.port]);
    await sleep(1.0);
  });
