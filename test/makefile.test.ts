// socket.makefile() and the io classes under it: the edges the twins do not
// reach (experiments/twins/makefile_*.py hold the common paths to CPython by
// strace). The buffering's sizes are checked against a raw stream that
// records what it is asked for, so each of CPython's rules is pinned here by
// a case that a simpler rule would fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  socketpair, BufferedReader, BufferedWriter, BufferedRWPair, TextIOWrapper, SocketIO, RawIOBase, OSError,
  UnsupportedOperation, BlockingIOError, DEFAULT_BUFFER_SIZE, AbortError, TimeoutError,
} from 'sockcall';
import { ValueError, RuntimeError, LookupError, UnicodeDecodeError, UnicodeEncodeError, repr } from 'sockcall/builtins';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { python } from '../cli/strace.ts';

/** A raw stream that hands out scripted chunks and records every size it is asked for. */
class Script extends RawIOBase {
  readonly asked: number[] = [];
  readonly written: Buffer[] = [];
  constructor(readonly chunks: (string | Buffer | null)[], readonly writeLimit = Infinity) {
    super();
  }
  get _typeName(): string {
    return 'Script';
  }
  get name(): number {
    return 99;
  }
  get mode(): string {
    return 'rwb';
  }
  override readable(): boolean {
    return true;
  }
  override writable(): boolean {
    return true;
  }
  *_readinto(b: Uint8Array): Generator<never, number | null, unknown> {
    this.asked.push(b.length);
    if (this.chunks.length === 0) return 0;
    const next = this.chunks[0];
    if (next === null) {
      this.chunks.shift();
      return null;
    }
    const data = typeof next === 'string' ? Buffer.from(next, 'latin1') : next;
    const n = Math.min(b.length, data.length);
    b.set(data.subarray(0, n));
    if (n === data.length) this.chunks.shift();
    else this.chunks[0] = data.subarray(n);
    return n;
  }
  *_write(b: Uint8Array): Generator<never, number | null, unknown> {
    const n = Math.min(b.length, this.writeLimit);
    if (n === 0) return null;
    this.written.push(Buffer.from(b.subarray(0, n)));
    return n;
  }
}

function raises<E extends Error>(fn: () => unknown, cls: new (...a: never[]) => E, message?: string | RegExp): E {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : e}`);
    if (typeof message === 'string') assert.equal((e as Error).message, message);
    else if (message) assert.match((e as Error).message, message);
    return e as E;
  }
  assert.fail(`no ${cls.name} was raised`);
}

test('makefile(mode): only r, w and b, in any order; the class is the mode\'s', () => {
  const [a, b] = socketpair();
  for (const mode of ['x', 'rt', 'a', 'r+', 'U']) {
    raises(() => a.makefile(mode), ValueError, `invalid mode '${mode}' (only r, w, b allowed)`);
  }
  raises(() => a.makefile(1 as never), TypeError, "'int' object is not iterable");
  raises(() => a.makefile('r', 0), ValueError, 'unbuffered streams must be binary');
  raises(() => a.makefile('rb', 2.5), TypeError);
  const files = [a.makefile('rb'), a.makefile('br'), a.makefile('b'), a.makefile('wb'), a.makefile('bw'),
    a.makefile('rwb'), a.makefile('wrb'), a.makefile('r'), a.makefile(''), a.makefile('rb', 0), a.makefile('rb', { buffering: 0 })];
  const kinds = [BufferedReader, BufferedReader, BufferedReader, BufferedWriter, BufferedWriter, BufferedRWPair, BufferedRWPair,
    TextIOWrapper, TextIOWrapper, SocketIO, SocketIO];
  files.forEach((f, i) => assert.ok(f instanceof kinds[i], `file ${i} is a ${kinds[i].name}`));
  assert.equal((files[1] as BufferedReader).mode, 'rb');
  assert.equal((files[4] as BufferedWriter).mode, 'wb');
  assert.equal((files[8] as TextIOWrapper).mode, '');
  for (const f of files) f.closeSync();
  a.close();
  b.close();
});

test('a makefile() that fails gives back its count: close() then closes the fd', () => {
  const [a, b] = socketpair();
  raises(() => a.makefile('r', 0), ValueError);
  raises(() => a.makefile('r', { encoding: 'no-such' }), LookupError, 'unknown encoding: no-such');
  raises(() => a.makefile('r', { newline: 'x' }), ValueError, 'illegal newline value: x');
  a.close();
  assert.equal(a.fileno(), -1, 'the fd was left open by a file that was never made');
  b.close();
});

test('the fd closes with the last file, after socket.close(); a second close() of a file does nothing', () => {
  const [a, b] = socketpair();
  const fd = a.fileno();
  const f = a.makefile('rb');
  const g = a.makefile('w');
  a.close();
  assert.equal(a.fileno(), fd);
  assert.match(repr(a), /^<socket\.socket \[closed\] fd=/);
  g.writeSync('still open\n');
  g.flushSync();
  assert.equal(b.recvSync(100).toString(), 'still open\n');
  f.closeSync();
  f.closeSync();
  assert.equal(a.fileno(), fd);
  {
    using h = g;
    assert.equal(h.closed, false);
  }
  assert.equal(g.closed, true);
  assert.equal(a.fileno(), -1);
  b.close();
});

test('readline(size): size bytes at most, 0 reads nothing, a negative size or null has no limit', () => {
  const raw = new Script(['abcdefghij\nkl', 'mn\n']);
  const f = new BufferedReader(raw);
  assert.deepEqual(f.readlineSync(0), Buffer.alloc(0));
  assert.deepEqual(raw.asked, [], 'readline(0) asked the stream for something');
  assert.equal(f.readlineSync(4).toString(), 'abcd');
  // What is left in the buffer is exactly the size asked: no read.
  assert.equal(f.readlineSync(6).toString(), 'efghij');
  assert.equal(f.readlineSync(-7).toString(), '\n');
  assert.equal(f.readlineSync(null).toString(), 'klmn\n');
  assert.deepEqual(raw.asked, [8192, 8192]);
  assert.deepEqual(f.readlineSync(), Buffer.alloc(0));
});

test('BufferedReader.read(n): whole blocks straight from the stream, the rest through the buffer, refilled after its bytes', () => {
  // A power-of-two buffer: MINUS_LAST_BLOCK is size & ~mask.
  let raw = new Script(['x'.repeat(20000)]);
  let f = new BufferedReader(raw);
  assert.equal(f.readSync(20000)!.length, 20000);
  assert.deepEqual(raw.asked, [16384, 8192]);
  // Another size: whole multiples of it (200 of a read(250) with 100).
  raw = new Script(['y'.repeat(1000)]);
  f = new BufferedReader(raw, 100);
  assert.equal(f.readSync(250)!.length, 250);
  assert.deepEqual(raw.asked, [200, 100]);
  // A short answer: the next fill asks for what is left of the buffer, never more than n needs.
  raw = new Script(['abc', 'defgh']);
  f = new BufferedReader(raw);
  assert.equal(f.readSync(6)!.toString(), 'abcdef');
  assert.deepEqual(raw.asked, [8192, 8189]);
  assert.equal(f.readSync(2)!.toString(), 'gh');
  assert.deepEqual(raw.asked, [8192, 8189], 'a read the buffer could serve asked the stream');
  raises(() => f.readSync(-2), ValueError, 'read length must be non-negative or -1');
  raises(() => f.readSync('1' as never), TypeError, "argument should be integer or None, not 'str'");
});

test('read() is readall() of the raw stream after the buffered bytes; None when nothing came before it would block', () => {
  let raw = new Script(['ab\ncd', 'ef', '']);
  let f = new BufferedReader(raw);
  assert.equal(f.readlineSync().toString(), 'ab\n');
  assert.equal(f.readSync()!.toString(), 'cdef');
  assert.deepEqual(raw.asked, [8192, 8192, 8192]);
  raw = new Script([null]);
  f = new BufferedReader(raw);
  assert.equal(f.readSync(), null);
  raw = new Script([null]);
  f = new BufferedReader(raw);
  assert.equal(f.readSync(5), null);
  raw = new Script(['ab', null]);
  f = new BufferedReader(raw);
  assert.equal(f.readSync(5)!.toString(), 'ab', 'bytes read before the stream would block were lost');
});

test('read1, peek, readinto and readinto1 ask for what CPython asks for', () => {
  const raw = new Script(['abcdefghij'.repeat(1000), 'klm', 'nop']);
  const f = new BufferedReader(raw);
  const buf = new Uint8Array(9000);
  assert.equal(f.readintoSync(buf), 9000);
  assert.deepEqual(raw.asked, [9000], 'a readinto() larger than the buffer went through it');
  assert.equal(f.peekSync().length, 1000);
  assert.deepEqual(raw.asked, [9000, 8192]);
  assert.equal(f.read1Sync(3).toString(), 'abc');
  assert.equal(f.read1Sync().length, 997);
  assert.equal(f.read1Sync(2).toString(), 'kl');
  assert.deepEqual(raw.asked, [9000, 8192, 2], 'read1() with nothing buffered is one read of its own size');
  const small = new Uint8Array(4);
  assert.equal(f.readinto1Sync(small), 1, 'readinto1 read again once it had a byte');
  assert.equal(Buffer.from(small.subarray(0, 1)).toString(), 'm');
  assert.equal(f.readinto1Sync(small), 3);
  assert.equal(f.readinto1Sync(small), 0);
});

test('BufferedWriter: a write waits until the next cannot fit; more than a buffer goes straight, all that is left each time', () => {
  const raw = new Script([]);
  const f = new BufferedWriter(raw, 16);
  assert.equal(f.writeSync(Buffer.from('0123456789')), 10);
  assert.equal(f.writeSync(Buffer.from('abcdef')), 6);
  assert.deepEqual(raw.written, [], 'a write that fits was sent');
  assert.equal(f.writeSync(Buffer.from('X')), 1);
  assert.deepEqual(raw.written.map(String), ['0123456789abcdef']);
  assert.equal(f.writeSync(Buffer.alloc(40, 'y')), 40);
  assert.deepEqual(raw.written.map(String), ['0123456789abcdef', 'X', 'y'.repeat(40)]);
  f.flushSync();
  assert.equal(raw.written.length, 3, 'flush() of an empty buffer wrote');
  raises(() => f.writeSync('str' as never), TypeError, "a bytes-like object is required, not 'str'");
  f.closeSync();
  raises(() => f.writeSync(Buffer.from('z')), ValueError, 'write to closed file');
  raises(() => f.flushSync(), ValueError, 'flush of closed file');
});

test('BufferedWriter: a send that takes part is sent again for the rest; a stream that would block is BlockingIOError', () => {
  const raw = new Script([], 5);
  const f = new BufferedWriter(raw, 8);
  f.writeSync(Buffer.from('abcdefgh'));
  f.flushSync();
  assert.deepEqual(raw.written.map(String), ['abcde', 'fgh']);
  const stuck = new Script([], 0);
  const g = new BufferedWriter(stuck, 8);
  g.writeSync(Buffer.from('abcd'));
  const e = raises(() => g.flushSync(), BlockingIOError, '[Errno 11] write could not complete without blocking');
  assert.equal((e as BlockingIOError & { characters_written: number }).characters_written, 0);
  const e2 = raises(() => g.writeSync(Buffer.from('0123456789')), BlockingIOError);
  assert.equal((e2 as BlockingIOError & { characters_written: number }).characters_written, 4, 'what fit was not buffered');
});

test('closed files: each class says it its own way, and nothing reaches the socket', () => {
  const [a, b] = socketpair();
  const f = a.makefile('rb');
  const w = a.makefile('wb');
  const t = a.makefile('r');
  const raw = a.makefile('rb', 0);
  for (const x of [f, w, t, raw]) x.closeSync();
  raises(() => f.readSync(), ValueError, 'read of closed file');
  raises(() => f.readlineSync(), ValueError, 'readline of closed file');
  raises(() => f.peekSync(), ValueError, 'peek of closed file');
  raises(() => f.readintoSync(new Uint8Array(1)), ValueError, 'readinto of closed file');
  raises(() => f.readlinesSync(), ValueError, 'I/O operation on closed file.');
  raises(() => f[Symbol.iterator](), ValueError, 'I/O operation on closed file.');
  raises(() => f.fileno(), ValueError, 'I/O operation on closed file.');
  raises(() => f.readable(), ValueError, 'I/O operation on closed socket.');
  raises(() => w.writeSync(Buffer.from('x')), ValueError, 'write to closed file');
  raises(() => t.readlineSync(), ValueError, 'I/O operation on closed file.');
  raises(() => t.writeSync('x'), ValueError, 'I/O operation on closed file.');
  raises(() => raw.readSync(1), ValueError, 'I/O operation on closed file.');
  assert.equal(f.name, -1);
  assert.equal(repr(f), '<_io.BufferedReader name=-1>');
  assert.equal(repr(t), "<_io.TextIOWrapper name=-1 mode='r' encoding='" + t.encoding + "'>");
  a.close();
  assert.equal(a.fileno(), -1);
  b.close();
});

test('io.UnsupportedOperation is an OSError and a ValueError, as in Python; other OSErrors are not ValueErrors', () => {
  const [a, b] = socketpair();
  const f = a.makefile('rb');
  const e = raises(() => (f as unknown as { writeSync(b: Buffer): number }).writeSync(Buffer.from('x')), UnsupportedOperation, 'write');
  assert.ok(e instanceof OSError);
  assert.ok(e instanceof ValueError);
  assert.equal(e.errno, undefined);
  assert.ok(!(new OSError(9, 'Bad file descriptor') instanceof ValueError));
  assert.ok(!(new TypeError('x') instanceof ValueError));
  f.closeSync();
  a.close();
  b.close();
});

test('Promise forms on one file wait their turn (its lock); a Sync call meanwhile is a reentrant call', async () => {
  const [a, b] = socketpair();
  const f = a.makefile('rb');
  const first = f.readline();
  const second = f.readline();
  raises(() => f.readlineSync(), RuntimeError, new RegExp(`^reentrant call inside <_io\\.BufferedReader name=${a.fileno()}>$`));
  b.sendallSync(Buffer.from('one\n'));
  await new Promise((r) => setTimeout(r, 50));
  b.sendallSync(Buffer.from('two\n'));
  assert.deepEqual([(await first).toString(), (await second).toString()], ['one\n', 'two\n']);
  assert.equal(f.readlineSync(0).length, 0, 'the lock was not let go');
  f.closeSync();
  a.close();
  b.close();
});

test('an aborted readline() lets go of the file: the next call works', async () => {
  const [a, b] = socketpair();
  const f = a.makefile('rb');
  const ac = new AbortController();
  const pending = f.readline(-1, { signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(pending, AbortError);
  b.sendallSync(Buffer.from('after\n'));
  assert.equal(f.readlineSync().toString(), 'after\n');
  f.closeSync();
  a.close();
  b.close();
});

test('a timeout is raised once; the file then refuses to read, without a system call', () => {
  const [a, b] = socketpair();
  a.settimeout(0.02);
  const f = a.makefile('rb');
  raises(() => f.readlineSync(), TimeoutError, 'timed out');
  b.sendallSync(Buffer.from('late\n'));
  raises(() => f.readlineSync(), OSError, 'cannot read from timed out object');
  assert.equal(a.recvSync(10).toString(), 'late\n', 'the file read the socket after its timeout');
  f.closeSync();
  a.close();
  b.close();
});

test('text: a character split between reads is whole; Python\'s errors, positions and handlers', () => {
  let raw = new Script([Buffer.from([0x63, 0x61, 0x66, 0xc3]), Buffer.from([0xa9, 0x0a])]);
  let t = new TextIOWrapper(new BufferedReader(raw), 'utf-8');
  assert.equal(t.readlineSync(), 'café\n');
  raw = new Script([Buffer.from('ab\xffcd\n', 'latin1')]);
  t = new TextIOWrapper(new BufferedReader(raw), 'utf-8');
  const e = raises(() => t.readlineSync(), UnicodeDecodeError, "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte");
  assert.deepEqual([e.start, e.end, e.reason], [2, 3, 'invalid start byte']);
  raw = new Script([Buffer.from('ab\xe2\x82xyz', 'latin1')]);
  t = new TextIOWrapper(new BufferedReader(raw), 'utf-8');
  raises(() => t.readSync(), UnicodeDecodeError, "'utf-8' codec can't decode bytes in position 2-3: invalid continuation byte");
  raw = new Script([Buffer.from('ab\xe2\x82\n\xffx\n\xe2\x82', 'latin1')]);
  t = new TextIOWrapper(new BufferedReader(raw), 'utf-8', 'replace');
  assert.deepEqual([...t], ['ab\ufffd\n', '\ufffdx\n', '\ufffd']);
  raw = new Script([Buffer.from('a\xffb\n', 'latin1')]);
  t = new TextIOWrapper(new BufferedRWPair(raw, raw), 'utf-8', 'surrogateescape');
  const line = t.readlineSync();
  assert.equal(line, 'a\udcffb\n');
  t.writeSync(line);
  t.flushSync();
  assert.deepEqual(raw.written, [Buffer.from('a\xffb\n', 'latin1')]);
  raw = new Script(['x\n']);
  t = new TextIOWrapper(new BufferedReader(raw), 'utf-8', 'bogus');
  assert.equal(t.readlineSync(), 'x\n', 'the handler was looked up before an error needed it');
  const w = new TextIOWrapper(new BufferedWriter(new Script([])), 'ascii');
  const ee = raises(() => w.writeSync('hé€x'), UnicodeEncodeError, "'ascii' codec can't encode characters in position 1-2: ordinal not in range(128)");
  assert.deepEqual([ee.start, ee.end], [1, 3]);
  raises(() => new TextIOWrapper(new BufferedReader(new Script([])), 'utf-9'), LookupError, 'unknown encoding: utf-9');
});

test('text sizes and limits count code points, as Python\'s str: read(n) of astral characters, and its read1 size', () => {
  let raw = new Script([Buffer.from('😀😀😀' + 'a'.repeat(20000))]);
  let t = new TextIOWrapper(new BufferedReader(raw), 'utf-8');
  assert.equal(t.readSync(1), '😀');
  // 8192 bytes decoded to 8183 code points, 8182 of them left: read1() is asked for the 11818 still
  // wanted times 8192/8183 bytes a character (textiowrapper_read_chunk's b2cratio): 11830, as CPython asks.
  const got = t.readSync(20000);
  assert.equal([...got].length, 20000);
  assert.ok(got.startsWith('😀😀aaa'));
  assert.deepEqual(raw.asked, [8192, 11830]);
  raw = new Script([Buffer.from('😀😀x\n')]);
  t = new TextIOWrapper(new BufferedReader(raw), 'utf-8');
  assert.equal(t.readlineSync(2), '😀😀');
  assert.equal(t.readSync(1), 'x');
});

test('text newlines: \\r\\n split between chunks, each newline mode, and newlines seen', () => {
  const lines = (chunks: string[], newline: string | null) => {
    const t = new TextIOWrapper(new BufferedReader(new Script(chunks)), 'latin-1', null, newline);
    return { lines: [...t], newlines: t.newlines };
  };
  assert.deepEqual(lines(['a\r', '\nb\rc\n'], null), { lines: ['a\n', 'b\n', 'c\n'], newlines: ['\r', '\n', '\r\n'] });
  assert.deepEqual(lines(['a\r', '\nb\rc\n'], ''), { lines: ['a\r\n', 'b\r', 'c\n'], newlines: ['\r', '\n', '\r\n'] });
  assert.deepEqual(lines(['a\r', '\nb\rc\n'], '\r\n'), { lines: ['a\r\n', 'b\rc\n'], newlines: null });
  assert.deepEqual(lines(['a\r', '\nb\rc\n'], '\r'), { lines: ['a\r', '\nb\r', 'c\n'], newlines: null });
  assert.deepEqual(lines(['a\r', '\nb\rc\n'], '\n'), { lines: ['a\r\n', 'b\rc\n'], newlines: null });
});

test('text write: held until 8192 bytes or flush(); a write drops what was decoded and not read (CPython\'s)', () => {
  const raw = new Script(['x\ny\n', 'w\n']);
  const pair = new BufferedRWPair(raw, raw);
  const t = new TextIOWrapper(pair, 'utf-8');
  assert.equal(t.readlineSync(), 'x\n');
  assert.equal(t.writeSync('z'), 1);
  assert.deepEqual(raw.written, []);
  assert.equal(t.readlineSync(), 'w\n', "the decoded 'y\\n' was kept after a write");
  assert.deepEqual(raw.written, [], "readline()'s flush of the text's pending bytes went past the buffer");
  // 10000 bytes pass the text layer's 8192 at once; the buffer sends its 'z', then the 10000 straight.
  assert.equal(t.writeSync('é'.repeat(5000)), 5000);
  assert.deepEqual(raw.written.map((b) => b.length), [1, 10000]);
  t.flushSync();
  assert.equal(Buffer.concat(raw.written).toString(), 'z' + 'é'.repeat(5000));
});

test('without an encoding, makefile(\'r\') takes the locale\'s as CPython does, environment by environment', () => {
  const root = path.join(import.meta.dirname, '..');
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(LANG|LC_\w+|PYTHONUTF8)$/.test(k)));
  const cases: Record<string, string>[] = [{ LANG: 'C.UTF-8' }, { LC_ALL: 'C.utf8', LANG: 'C' }, { LANG: 'C' }, {},
    { LC_CTYPE: 'POSIX', LANG: 'C.UTF-8' }, { LANG: 'C.UTF-8', PYTHONUTF8: '1' }, { LANG: 'C', PYTHONUTF8: '0' },
    { LANG: 'xx_NOWHERE.UTF-8' }];
  const seen = new Set<string>();
  for (const vars of cases) {
    const env = { ...base, ...vars };
    const py = spawnSync(python(), ['-c', 'import socket\na, b = socket.socketpair()\nprint(a.makefile("r").encoding)'],
      { env, encoding: 'utf8' });
    const ts = spawnSync(process.execPath, ['-e', "const [a] = require('sockcall').socketpair(); console.log(a.makefile('r').encoding)"],
      { cwd: root, env, encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    assert.equal(ts.status, 0, ts.stderr);
    assert.equal(ts.stdout, py.stdout, JSON.stringify(vars));
    seen.add(py.stdout.trim());
  }
  assert.deepEqual([...seen].sort(), ['UTF-8', 'utf-8'], 'the cases did not reach both of CPython\'s answers');
});

test('iteration: Symbol.iterator and Symbol.asyncIterator give lines to the end; readlines(hint) stops past hint', async () => {
  const f = new BufferedReader(new Script(['aaaa\nbb\ncc\ndd\n']));
  assert.deepEqual(f.readlinesSync(5).map(String), ['aaaa\n', 'bb\n']);
  assert.deepEqual(f.readlinesSync(1).map(String), ['cc\n']);
  assert.deepEqual([...f].map(String), ['dd\n']);
  const g = new BufferedReader(new Script(['1\n2\n3']));
  const got: string[] = [];
  for await (const line of g) got.push(line.toString());
  assert.deepEqual(got, ['1\n', '2\n', '3']);
  assert.equal(DEFAULT_BUFFER_SIZE, 8192);
});
