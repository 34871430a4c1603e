// CPython 3.11 Lib/test/test_socket.py: SendfileUsingSendTest and
// SendfileUsingSendfileTest, ported to the facade's sendfile() (issue 12).
//
// CPython tests the two private halves of socket.sendfile() —
// _sendfile_use_send() and _sendfile_use_sendfile() — through
// meth_from_sock(). Here both are reached through the public method:
// SendfileUsingSendfileTest passes a regular file, which sendfile() sends
// with sendfile(2); SendfileUsingSendTest passes the same file through an
// object whose fileno() fails (io.UnsupportedOperation, as io.BytesIO's
// does), so that sendfile() falls back to send(), as CPython's does.
//
// sendfile(file, offset=0, count=null) takes what CPython's takes: an
// object with Python's file methods — fileno(), read(n), seek(pos),
// tell() and mode (CPython reads 'b' in file.mode) — or, in the facade, a
// descriptor number. PyFile below is such an object over a Node
// descriptor.
import * as socket from 'sockcall';
import { UnsupportedOperation } from 'sockcall';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomInt } from 'node:crypto';
import {
  threaded, assert, assertRaises, assertRejects, LOOPBACK_TIMEOUT, LONG_TIMEOUT, ThreadedTCPSocketTest, sleep,
} from './harness.ts';

const FILESIZE = 10 * 1024 * 1024; // 10 MiB
const BUFSIZE = 8192;
const TIMEOUT = LOOPBACK_TIMEOUT;

// setUpClass: a file of FILESIZE random letters.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockcall-cpython-sendfile-'));
const TESTFN = path.join(dir, 'testfile');
const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const chunk = Buffer.from(Array.from({ length: BUFSIZE }, () => letters[randomInt(letters.length)]).join(''));
{
  const fd = fs.openSync(TESTFN, 'w');
  for (let total = FILESIZE; total > 0; total -= BUFSIZE) fs.writeSync(fd, chunk, 0, Math.min(BUFSIZE, total));
  fs.closeSync(fd);
}
const FILEDATA = fs.readFileSync(TESTFN);
assert.equal(FILEDATA.length, FILESIZE);
// tearDownClass
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));


/** A Python file object opened on `file` (read, seek and tell keep its position). */
class PyFile {
  #fd: number;
  #pos = 0;
  constructor(file: string, readonly mode = 'rb', readonly regular = true) {
    this.#fd = fs.openSync(file, 'r');
  }
  fileno(): number {
    if (!this.regular) throw new UnsupportedOperation('fileno');
    return this.#fd;
  }
  read(n = -1): Buffer {
    const size = n < 0 ? fs.fstatSync(this.#fd).size - this.#pos : n;
    const buf = Buffer.alloc(Math.max(0, size));
    const got = fs.readSync(this.#fd, buf, 0, buf.length, this.#pos);
    this.#pos += got;
    return buf.subarray(0, got);
  }
  seek(pos: number): number {
    this.#pos = pos;
    return pos;
  }
  tell(): number {
    return this.#pos;
  }
  close(): void {
    if (this.#fd >= 0) fs.closeSync(this.#fd);
    this.#fd = -1;
  }
  [Symbol.dispose](): void {
    this.close();
  }
}

/** io.BytesIO(data): read, seek, tell, and a fileno() that fails. */
class BytesIO {
  #pos = 0;
  readonly mode = 'rb';
  constructor(readonly data: Buffer) {}
  fileno(): number {
    throw new UnsupportedOperation('fileno');
  }
  read(n = -1): Buffer {
    const end = n < 0 ? this.data.length : Math.min(this.data.length, this.#pos + n);
    const out = this.data.subarray(this.#pos, end);
    this.#pos = end;
    return out;
  }
  seek(pos: number): number {
    this.#pos = pos;
    return pos;
  }
  tell(): number {
    return this.#pos;
  }
  close(): void {}
  [Symbol.dispose](): void {}
}

const variants: [string, boolean][] = [
  // (class, whether the file is one sendfile(2) can send)
  ['SendfileUsingSendTest', false],
  ['SendfileUsingSendfileTest', true],
];


async function accept_conn(self: ThreadedTCPSocketTest): Promise<socket.Socket> {
  self.serv.settimeout(LONG_TIMEOUT);
  const [conn] = await self.serv.accept();
  conn.settimeout(TIMEOUT);
  self.track(conn);
  return conn;
}

async function recv_data(conn: socket.Socket): Promise<Buffer> {
  const received: Buffer[] = [];
  for (;;) {
    const data = await conn.recv(BUFSIZE);
    if (data.length === 0) break;
    received.push(data);
  }
  return Buffer.concat(received);
}

for (const [cls, regular] of variants) {
  const open = (file = TESTFN, mode = 'rb'): PyFile => new PyFile(file, mode, regular);
  const reg = (name: string, server: (self: ThreadedTCPSocketTest) => unknown,
    client: (self: ThreadedTCPSocketTest) => unknown): void =>
    threaded(`${cls}.${name}`, { timeout: 60 }, () => new ThreadedTCPSocketTest(), server, client);

  // regular file
  reg('testRegularFile', async (self) => {
    const conn = await accept_conn(self);
    const data = await recv_data(conn);
    assert.equal(data.length, FILESIZE);
    assert.ok(data.equals(FILEDATA));
  }, async (self) => {
    const address = self.serv.getsockname() as socket.Address;
    using sock = await socket.create_connection(address);
    using file = open();
    const sent = await sock.sendfile(file);
    assert.equal(sent, FILESIZE);
    assert.equal(file.tell(), FILESIZE);
  });

  // non regular file
  reg('testNonRegularFile', async (self) => {
    const conn = await accept_conn(self);
    const data = await recv_data(conn);
    assert.equal(data.length, FILESIZE);
    assert.ok(data.equals(FILEDATA));
  }, async (self) => {
    const address = self.serv.getsockname() as socket.Address;
    using sock = await socket.create_connection(address);
    using file = new BytesIO(FILEDATA);
    const sent = await sock.sendfile(file);
    assert.equal(sent, FILESIZE);
    assert.equal(file.tell(), FILESIZE);
    // (CPython also checks that the private _sendfile_use_sendfile() gives
    // up on it with _GiveupOnSendfile.)
  });

  // empty file
  reg('testEmptyFileSend', async (self) => {
    const conn = await accept_conn(self);
    const data = await recv_data(conn);
    assert.deepEqual(data, Buffer.alloc(0));
  }, async (self) => {
    const address = self.serv.getsockname() as socket.Address;
    const filename = TESTFN + '2';
    fs.writeFileSync(filename, '');
    self.addCleanup(() => fs.rmSync(filename, { force: true }));
    using sock = await socket.create_connection(address);
    using file = open(filename);
    const sent = await sock.sendfile(file);
    assert.equal(sent, 0);
    assert.equal(file.tell(), 0);
  });

  // offset
  reg('testOffset', async (self) => {
    const conn = await accept_conn(self);
    const data = await recv_data(conn);
    assert.equal(data.length, FILESIZE - 5000);
    assert.ok(data.equals(FILEDATA.subarray(5000)));
  }, async (self) => {
    const address = self.serv.getsockname() as socket.Address;
    using sock = await socket.create_connection(address);
    using file = open();
    const sent = await sock.sendfile(file, 5000);
    assert.equal(sent, FILESIZE - 5000);
    assert.equal(file.tell(), FILESIZE);
  });

  // count
  reg('testCount', async (self) => {
    const count = 5000007;
    const conn = await accept_conn(self);
    const data = await recv_data(conn);
    assert.equal(data.length, count);
    assert.ok(data.equals(FILEDATA.subarray(0, count)));
  }, async (self) => {
    const address = self.serv.getsockname() as socket.Address;
    using sock = await socket.create_connection(address, LOOPBACK_TIMEOUT);
    using file = open();
    const count = 5000007;
    const sent = await sock.sendfile(file, 0, count);
    assert.equal(sent, count);
    assert.equal(file.tell(), count);
  });

  // count small (the Sync form: one byte cannot block)
  reg('testCountSmall', async (self) => {
    const count = 1;
    const conn = await accept_conn(self);
    const data = await recv_data(conn);
    assert.equal(data.length, count);
    assert.ok(data.equals(FILEDATA.subarray(0, count)));
  }, async (self) => {
    const address = self.serv.getsockname() as socket.Address;
    using sock = await socket.create_connection(address, LOOPBACK_TIMEOUT);
    using file = open();
    const count = 1;
    const sent = sock.sendfileSync(file, 0, count);
    assert.equal(sent, count);
    assert.equal(file.tell(), count);
  });

  // count + offset
  reg('testCountWithOffset', async (self) => {
    const count = 100007;
    const conn = await accept_conn(self);
    const data = await recv_data(conn);
    assert.equal(data.length, count);
    assert.ok(data.equals(FILEDATA.subarray(2007, count + 2007)));
  }, async (self) => {
    const address = self.serv.getsockname() as socket.Address;
    using sock = await socket.create_connection(address, 2);
    using file = open();
    const count = 100007;
    const sent = await sock.sendfile(file, 2007, count);
    assert.equal(sent, count);
    assert.equal(file.tell(), count + 2007);
  });

  // non blocking sockets are not supposed to work
  reg('testNonBlocking', async (self) => {
    const conn = await accept_conn(self);
    if ((await conn.recv(8192)).length > 0) assert.fail('was not supposed to receive any data');
  }, async (self) => {
    const address = self.serv.getsockname() as socket.Address;
    using sock = await socket.create_connection(address);
    using file = open();
    sock.setblocking(false);
    // ValueError: a RangeError here (README)
    assertRaises(RangeError, () => sock.sendfileSync(file));
    await assertRejects(RangeError, () => sock.sendfile(file));
  });

  // timeout (non-triggered)
  reg('testWithTimeout', async (self) => {
    const conn = await accept_conn(self);
    const data = await recv_data(conn);
    assert.equal(data.length, FILESIZE);
    assert.ok(data.equals(FILEDATA));
  }, async (self) => {
    const address = self.serv.getsockname() as socket.Address;
    using sock = await socket.create_connection(address, LOOPBACK_TIMEOUT);
    using file = open();
    const sent = await sock.sendfile(file);
    assert.equal(sent, FILESIZE);
  });

  // timeout (triggered)
  reg('testWithTimeoutTriggeredSend', async (self) => {
    const conn = await accept_conn(self);
    await conn.recv(88192);
    // bpo-45212: the wait here needs to be longer than the client-side timeout (0.01s)
    await sleep(1);
  }, async (self) => {
    const address = self.serv.getsockname() as socket.Address;
    using file = open();
    using sock = await socket.create_connection(address);
    sock.settimeout(0.01);
    await assertRejects(socket.TimeoutError, () => sock.sendfile(file));
  });

  // errors (ValueError: RangeError here; CPython's messages name the problem)
  reg('test_errors', (self) => {
    {
      using file = open();
      using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      const e = assertRaises(RangeError, () => s.sendfileSync(file));
      assert.match(e.message, /SOCK_STREAM/);
    }
    {
      using file = open(TESTFN, 'r'); // encoding="utf-8": a text file
      using s = socket.socket();
      const e = assertRaises(RangeError, () => s.sendfileSync(file));
      assert.match(e.message, /binary mode/);
    }
    {
      using file = open();
      using s = socket.socket();
      let e = assertRaises(TypeError, () => s.sendfileSync(file, 0, '2' as never));
      assert.match(e.message, /positive integer/);
      e = assertRaises(TypeError, () => s.sendfileSync(file, 0, 0.1));
      assert.match(e.message, /positive integer/);
      e = assertRaises(RangeError, () => s.sendfileSync(file, 0, 0));
      assert.match(e.message, /positive integer/);
      e = assertRaises(RangeError, () => s.sendfileSync(file, 0, -1));
      assert.match(e.message, /positive integer/);
    }
  }, () => {});
}
