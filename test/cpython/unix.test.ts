// CPython 3.11 Lib/test/test_socket.py: TestUnixDomain and
// TestLinuxAbstractNamespace, ported to the facade. CPython's TESTFN
// pathnames are made in a private temporary directory here.
import * as socket from 'sockcall';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cpython, TestCase, assert, assertRaises, mkdtemp } from './harness.ts';

// ---- TestUnixDomain -------------------------------------------------------------------------

class TestUnixDomain extends TestCase {
  sock!: socket.Socket;
  dir!: string;
  override async setUp(): Promise<void> {
    this.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
    this.dir = mkdtemp(this);
  }
  override async tearDown(): Promise<void> {
    this.sock.close();
  }

  // socket_helper.bind_unix_socket(): skip if binding is not permitted (or
  // the path is too long for an AF_UNIX address).
  bind(sock: socket.Socket, p: string | Uint8Array): void {
    try {
      sock.bind(p);
    } catch (e) {
      if (e instanceof socket.PermissionError) this.skipTest('cannot bind AF_UNIX sockets');
      if (e instanceof RangeError && /too long/.test(e.message)) {
        this.skipTest(`Pathname ${String(p)} is too long to serve as an AF_UNIX path`);
      }
      throw e;
    }
    this.addCleanup(() => fs.rmSync(typeof p === 'string' ? p : Buffer.from(p), { force: true }));
  }
}
const U = 'TestUnixDomain';

cpython(`${U}.testUnbound`, {}, () => new TestUnixDomain(), (self) => {
  // Issue #30205 (note getsockname() can return None on OS X)
  assert.ok(['', null].includes(self.sock.getsockname() as string | null));
});

cpython(`${U}.testStrAddr`, {}, () => new TestUnixDomain(), (self) => {
  // Test binding to and retrieving a normal string pathname.
  const p = path.resolve(self.dir, `@test_${process.pid}_tmp`);
  self.bind(self.sock, p);
  assert.equal(self.sock.getsockname(), p);
});

cpython(`${U}.testBytesAddr`, {}, () => new TestUnixDomain(), (self) => {
  // Test binding to a bytes pathname (the path encoded in the file system
  // encoding, UTF-8).
  const p = path.resolve(self.dir, `@test_${process.pid}_tmp`);
  self.bind(self.sock, Buffer.from(p, 'utf8'));
  assert.equal(self.sock.getsockname(), p);
});

cpython(`${U}.testSurrogateescapeBind`, {}, () => new TestUnixDomain(), (self) => {
  // Test binding to a valid non-ASCII pathname (TESTFN_UNICODE). CPython
  // passes its bytes as a str decoded with surrogateescape; JavaScript has
  // no surrogateescape, and the facade encodes a str as UTF-8, the file
  // system's encoding: the name itself is passed.
  const p = path.resolve(self.dir, `@test_${process.pid}_tmp-\xe0\xf2\u0258\u0141\u011f`);
  self.bind(self.sock, p);
  assert.equal(self.sock.getsockname(), p);
});

cpython(`${U}.testUnencodableAddr`, {
  skip: 'binds TESTFN_UNENCODABLE, a str with a lone surrogate that surrogateescape turns into a byte; ' +
    'JavaScript has no surrogateescape (a lone surrogate is encoded as U+FFFD), so no str stands for a ' +
    'pathname that is not UTF-8',
}, () => new TestUnixDomain(), () => {});

cpython(`${U}.testEmptyAddress`, { skip: 'not on Linux (where binding "" autobinds an abstract name)' },
  () => new TestUnixDomain(), () => {});

// ---- TestLinuxAbstractNamespace -------------------------------------------------------------

const UNIX_PATH_MAX = 108;
const L = 'TestLinuxAbstractNamespace';

cpython(`${L}.testLinuxAbstractNamespace`, {}, () => new TestCase(), () => {
  const address = Buffer.from('\x00python-test-hello\x00\xff', 'latin1');
  using s1 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  s1.bind(address);
  s1.listen();
  using s2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  // A connection to a listening AF_UNIX socket is made at once, whether or
  // not it has been accepted: the Sync forms cannot block here.
  s2.connectSync(s1.getsockname() as Buffer);
  using s3 = s1.acceptSync()[0];
  assert.deepEqual(s1.getsockname(), address);
  assert.deepEqual(s2.getpeername(), address);
  void s3;
});

cpython(`${L}.testMaxName`, {}, () => new TestCase(), () => {
  const address = Buffer.concat([Buffer.from([0]), Buffer.alloc(UNIX_PATH_MAX - 1, 'h')]);
  using s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  s.bind(address);
  assert.deepEqual(s.getsockname(), address);
});

cpython(`${L}.testNameOverflow`, {}, () => new TestCase(), () => {
  const address = '\x00' + 'h'.repeat(UNIX_PATH_MAX);
  using s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  // CPython: OSError("AF_UNIX path too long"), with no errno; a RangeError
  // in sockcall (README, "Where sockcall differs from CPython").
  const e = assertRaises(RangeError, () => s.bind(address));
  assert.match(e.message, /AF_UNIX path too long/);
});

cpython(`${L}.testStrName`, {}, () => new TestCase(), () => {
  // Check that an abstract name can be passed as a string.
  const s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  try {
    s.bind('\x00python\x00test\x00');
    assert.deepEqual(s.getsockname(), Buffer.from('\x00python\x00test\x00'));
  } finally {
    s.close();
  }
});

cpython(`${L}.testBytearrayName`, {}, () => new TestCase(), () => {
  // Check that an abstract name can be passed as a bytearray (a Uint8Array
  // that is not a Buffer).
  using s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  s.bind(new Uint8Array(Buffer.from('\x00python\x00test\x00')));
  assert.deepEqual(s.getsockname(), Buffer.from('\x00python\x00test\x00'));
});

cpython(`${L}.testAutobind`, {}, () => new TestCase(), () => {
  // Check that binding to an empty string binds to an available address in
  // the abstract namespace as specified in unix(7) "Autobind feature".
  const abstract_address = /^\0[0-9a-f]{5}/;
  using s1 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  s1.bind('');
  const name1 = s1.getsockname() as Buffer;
  assert.ok(Buffer.isBuffer(name1));
  assert.match(name1.toString('latin1'), abstract_address);
  // Each socket is bound to a different abstract address.
  using s2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  s2.bind('');
  const name2 = s2.getsockname() as Buffer;
  assert.match(name2.toString('latin1'), abstract_address);
  assert.notDeepEqual(name1, name2);
});
