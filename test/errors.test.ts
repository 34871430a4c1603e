// The OSError family: errno as the kernel gave it, CPython's class, code,
// message; gaierror for lookups. Python itself is asked what it would say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  socket, sys, errno, errorcode, OSError, ConnectionError, ConnectionRefusedError, BlockingIOError, TimeoutError,
  gaierror, errorFromErrno, AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM, MSG_DONTWAIT,
} from 'sockcall';
import { python } from '../cli/strace.ts';

const PY = python();
function py(code: string): string {
  const r = spawnSync(PY, ['-c', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function caught(fn: () => unknown): OSError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof OSError, `expected an OSError, got ${e}`);
    return e;
  }
  assert.fail('no error was thrown');
}

// What CPython makes of an errno: class, str(), and errno.errorcode's name.
function pythonSays(n: number): { cls: string; str: string; code: string } {
  const [cls, str, code] = py(`import errno, os\ne = OSError(${n}, os.strerror(${n}))\n` +
    'print(type(e).__name__); print(str(e)); print(errno.errorcode[e.errno])').split('\n');
  return { cls, str, code };
}

function checkAgainstPython(e: OSError, n: number, syscall: string): void {
  const expected = pythonSays(n);
  assert.equal(e.errno, n);
  assert.equal(e.name, expected.cls);
  assert.equal(e.message, expected.str);
  assert.equal(e.code, expected.code);
  assert.equal(e.syscall, syscall);
  assert.equal(String(e), `${expected.cls}: ${expected.str}`);
  assert.deepEqual(e.args, [n, e.strerror]);
}

test('ECONNREFUSED from recvfrom after the ICMP: ConnectionRefusedError, errno 111', () => {
  const s = socket(AF_INET, SOCK_DGRAM);
  s.connectSync(['127.0.0.1', 1060]);
  s.sendSync(Buffer.from('123'));
  const e = caught(() => s.recvfromSync(65535));
  s.close();
  checkAgainstPython(e, errno.ECONNREFUSED, 'recvfrom');
  assert.equal(e.errno, 111);
  assert.equal(e.message, '[Errno 111] Connection refused');
  assert.ok(e instanceof ConnectionRefusedError && e instanceof ConnectionError && e instanceof Error);
});

test('EAGAIN from a non-blocking recv: BlockingIOError, errno 11', () => {
  const s = socket(AF_INET, SOCK_DGRAM);
  s.bind(['127.0.0.1', 0]);
  s.setblocking(false);
  const e = caught(() => s.recvSync(10));
  s.close();
  checkAgainstPython(e, errno.EAGAIN, 'recv');
  assert.ok(e instanceof BlockingIOError);
  assert.equal(e.code, 'EAGAIN');
  // sys throws the same, for the same kernel answer
  const fd = sys.socket(AF_INET, SOCK_DGRAM);
  const e2 = caught(() => sys.recvfromSync(fd, new Uint8Array(4), MSG_DONTWAIT));
  sys.close(fd);
  checkAgainstPython(e2, errno.EAGAIN, 'recvfrom');
});

test('EBADF from a call on a closed socket: OSError, errno 9', () => {
  const s = socket(AF_INET, SOCK_DGRAM);
  s.close();
  const e = caught(() => s.recvSync(1));
  checkAgainstPython(e, errno.EBADF, 'recv');
  assert.equal(e.message, '[Errno 9] Bad file descriptor');
  assert.equal(e.constructor, OSError);
});

test('EISCONN from connect on a connected TCP socket: OSError, errno 106', () => {
  const srv = socket(AF_INET, SOCK_STREAM);
  srv.bind(['127.0.0.1', 0]);
  srv.listen();
  const c = socket(AF_INET, SOCK_STREAM);
  c.connectSync(srv.getsockname() as [string, number]);
  const e = caught(() => c.connectSync(srv.getsockname() as [string, number]));
  c.close();
  srv.close();
  checkAgainstPython(e, errno.EISCONN, 'connect');
});

test('EAFNOSUPPORT from socket() with an unknown family: the kernel answers', () => {
  const e = caught(() => socket(12345, SOCK_DGRAM));
  checkAgainstPython(e, errno.EAFNOSUPPORT, 'socket');
  const e2 = caught(() => sys.socket(12345, SOCK_DGRAM));
  checkAgainstPython(e2, errno.EAFNOSUPPORT, 'socket');
});

test('gaierror for lookups glibc refuses without a query: EAI_NONAME and EAI_ADDRFAMILY', () => {
  const s = socket(AF_INET, SOCK_DGRAM);
  for (const [host, code] of [['a..b', 'EAI_NONAME'], ['::1', 'EAI_ADDRFAMILY']] as const) {
    const e = caught(() => s.connectSync([host, 1060]));
    assert.ok(e instanceof gaierror, `${host}: ${e}`);
    const [n, str] = py(`import socket\ntry:\n  socket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect((${JSON.stringify(host)}, 1060))\n` +
      'except socket.gaierror as e:\n  print(e.errno); print(str(e))').split('\n');
    assert.equal(e.errno, Number(n));
    assert.ok(e.errno! < 0);
    assert.equal(e.message, str);
    assert.equal(e.code, code);
    assert.equal(e.name, 'gaierror');
  }
  s.close();
});

test('TimeoutError("timed out") has no errno, as socket.timeout', () => {
  const s = socket(AF_INET6, SOCK_DGRAM);
  s.bind(['::1', 0]);
  s.settimeout(0.01);
  const e = caught(() => s.recvSync(1));
  s.close();
  assert.ok(e instanceof TimeoutError);
  assert.equal(e.message, 'timed out');
  assert.equal(e.errno, undefined);
  assert.deepEqual(e.args, ['timed out']);
  assert.equal(py('import socket; print(repr(socket.timeout("timed out")))'), "TimeoutError('timed out')");
});

test('errno names and classes agree with CPython for every errno it knows', () => {
  const table = JSON.parse(py('import errno, json, os\n' +
    'print(json.dumps({n: [errno.errorcode[n], type(OSError(n, "x")).__name__] for n in errno.errorcode}))')) as
    Record<string, [string, string]>;
  assert.ok(Object.keys(table).length > 100);
  for (const [n, [name, cls]] of Object.entries(table)) {
    assert.equal(errorcode[Number(n)], name, `errno ${n}`);
    // errorFromErrno is the factory the addon calls for every errno.
    const made = errorFromErrno(Number(n), 'test');
    assert.equal(made.name, cls, `errno ${n}`);
    assert.equal(made.code, name);
  }
});


// The traceback is the main thread's: in a worker_threads Worker an uncaught
// OSError of a facade program reaches the parent's 'error' event unchanged,
// as Node delivers any uncaught error of a Worker (issue 14).
test("a Worker's uncaught OSError reaches the parent's 'error' event with its errno, code and class", async () => {
  const { Worker } = await import('node:worker_threads');
  const w = new Worker(`
    const { socket, AF_INET, SOCK_DGRAM } = require('sockcall');
    const s = socket(AF_INET, SOCK_DGRAM);
    s.connectSync(['127.0.0.1', 9]);
    s.sendSync(Buffer.from('x'));
    setTimeout(() => s.recvSync(10), 50);
  `, { eval: true });
  const [err, code] = await new Promise<[Error & Partial<OSError>, number]>((resolve) => {
    let error: Error & Partial<OSError>;
    w.on('error', (e) => { error = e; });
    w.on('exit', (c) => resolve([error, c]));
  });
  assert.ok(err !== undefined, 'no error event');
  assert.equal(err.name, 'ConnectionRefusedError');
  assert.equal(err.errno, 111);
  assert.equal(err.code, 'ECONNREFUSED');
  assert.equal(err.syscall, 'recv');
  assert.equal(err.message, '[Errno 111] Connection refused');
  assert.equal(code, 1);
});
