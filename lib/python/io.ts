// Python's io classes over a raw stream of makefile()'s (SocketIO): the
// buffering of Modules/_io/bufferedio.c (BufferedReader, BufferedWriter,
// BufferedRWPair), the text layer of Modules/_io/textio.c (TextIOWrapper)
// and the defaults of Modules/_io/iobase.c, translated so that they ask the
// raw stream for the same sizes in the same order: a readline() on a
// BufferedReader makes the recv_into(8192) CPython's makes, a read(n) the
// direct read of whole blocks and the fill of the rest that it makes, a
// write() waits in the buffer exactly as long.
//
// Each method that can reach the raw stream is a generator of steps
// (calls.ts), run in the Sync form (`readlineSync()`) or the Promise form
// (`readline()`), like the socket's own methods. A buffered object's lock
// (ENTER_BUFFERED) is one of the steps: a Promise-form call waits for the
// one before it on the same object, as a second thread waits in CPython; a
// Sync-form call made while a Promise-form one is pending is CPython's
// "reentrant call" RuntimeError.
import { inspect } from 'node:util';
import { runAsync, runSync, type Call, type Steps } from './calls';
import { splitOptions } from './args';
import { AttributeError, RuntimeError, ValueError, alsoValueError } from './builtins';
import { lookup, localeEncoding, NewlineDecoder, type Codec, type IncrementalDecoder } from './codecs';
import { isBytes, toUint8, type Bytes } from '../bytes';
import { BlockingIOError, OSError } from '../errors';
import { native } from '../native';
import type { CallOptions } from '../promise';
import { pyRepr, repr } from '../repr';

const E = native.errno;

/** io.DEFAULT_BUFFER_SIZE */
export const DEFAULT_BUFFER_SIZE = 8192;

/** io.UnsupportedOperation: an OSError and, as in Python, a ValueError too (`instanceof ValueError` holds). */
export class UnsupportedOperation extends OSError {
  readonly [alsoValueError] = true;
  constructor(message: string) {
    super(undefined, message);
  }
}

/** The name of a value's Python type, for the messages Python's TypeErrors give. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Uint8Array) return 'bytes';
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return 'memoryview';
  if (Array.isArray(v)) return 'tuple';
  if (typeof v === 'function') return 'function';
  return (v as object).constructor?.name ?? 'object';
}

// _Py_convert_optional_to_ssize_t(): an int, or None for "not given" (-1).
function optSize(v: unknown): number {
  if (v === undefined || v === null) return -1;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw new TypeError(`argument should be integer or None, not '${pyTypeName(v)}'`);
}

// Argument Clinic's _PyArg_CheckPositional().
function positional(name: string, given: number, min: number, max: number): void {
  const s = (n: number) => (n === 1 ? '' : 's');
  if (given > max) throw new TypeError(`${name} expected at most ${max} argument${s(max)}, got ${given}`);
  if (given < min) throw new TypeError(`${name} expected at least ${min} argument${s(min)}, got ${given}`);
}

function writableBytes(b: unknown, caller: string): Uint8Array {
  if (!isBytes(b)) throw new TypeError(`${caller}() argument must be read-write bytes-like object, not ${pyTypeName(b)}`);
  return toUint8(b);
}

function bytesLike(b: unknown): Uint8Array {
  if (!isBytes(b)) throw new TypeError(`a bytes-like object is required, not '${pyTypeName(b)}'`);
  return toUint8(b);
}

function blockingError(written: number): BlockingIOError {
  const err = new BlockingIOError(E.EAGAIN, 'write could not complete without blocking');
  (err as BlockingIOError & { characters_written: number }).characters_written = written;
  return err;
}

// _PyErr_ChainExceptions(): the later error is raised, the earlier one its context.
function chain(later: unknown, earlier: unknown): unknown {
  if (later instanceof Error && later.cause === undefined) later.cause = earlier;
  return later;
}

const fakeIds = new WeakMap<object, number>();
let nextId = 0x10;
/** object.__repr__'s "at 0x..." for the classes that have no repr of their own. */
function objectAt(o: object): string {
  let id = fakeIds.get(o);
  if (id === undefined) fakeIds.set(o, (id = nextId++));
  return `0x7f${(id * 16).toString(16).padStart(10, '0')}`;
}

/**
 * A buffered object's lock (bufferedio.c's ENTER_BUFFERED), as a step: the
 * Promise form waits for the holder; the Sync form, finding it held (by a
 * pending Promise-form call: JavaScript has one thread), raises
 * RuntimeError('reentrant call inside <...>') as CPython does for its own thread.
 */
class BufferLock {
  #held = false;
  readonly #waiting: (() => void)[] = [];
  constructor(readonly owner: object) {}

  acquire(): Call<void> {
    return {
      sync: () => {
        if (this.#held) throw new RuntimeError(`reentrant call inside ${repr(this.owner)}`);
        this.#held = true;
      },
      async: () => {
        if (!this.#held) {
          this.#held = true;
          return Promise.resolve();
        }
        return new Promise<void>((resolve) => this.#waiting.push(resolve));
      },
    };
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#held = false;
  }
}

// The Promise form of a method: Python's arguments, then the options; an
// error in them rejects the Promise.
function promiseOf<T>(name: string, args: unknown[], min: number, max: number, steps: (rest: unknown[]) => Steps<T>): Promise<T> {
  try {
    const [rest, options] = splitOptions(args);
    positional(name, rest.length, min, max);
    return runAsync(steps(rest), options);
  } catch (err) {
    return Promise.reject(err);
  }
}

const lengthOf = (line: Buffer | string) => (typeof line === 'string' ? cpLen(line) : line.length);

/**
 * io.IOBase: what every file of makefile()'s has. `L` is what a line is:
 * a Buffer for a binary file, a string for a text one.
 *
 * The `_name()` generators are the methods' steps, for the layers above
 * (a TextIOWrapper calls its buffer's); call the named methods instead.
 */
export abstract class IOBase<L extends Buffer | string = Buffer> {
  #ioClosed = false;

  /** Whether the file is closed. */
  get closed(): boolean {
    return this.#ioClosed;
  }

  /** @internal The class name repr() gives, such as '_io.BufferedReader'. */
  abstract get _typeName(): string;

  /** _checkClosed(): ValueError('I/O operation on closed file.') once closed. */
  protected _checkClosed(message = 'I/O operation on closed file.'): void {
    if (this.closed) throw new ValueError(message);
  }

  readable(): boolean {
    return false;
  }

  writable(): boolean {
    return false;
  }

  seekable(): boolean {
    return false;
  }

  isatty(): boolean {
    this._checkClosed();
    return false;
  }

  fileno(): number {
    throw new UnsupportedOperation('fileno');
  }

  seek(_offset?: number, _whence?: number): number {
    positional('seek', arguments.length, 1, 2);
    throw new UnsupportedOperation('seek');
  }

  tell(): number {
    return this.seek(0, 1);
  }

  // ---- steps ---------------------------------------------------------------

  /** @internal */
  *_flush(): Steps<void> {
    this._checkClosed();
  }

  /** @internal IOBase.close(): flush(), then closed, even when flush() fails. */
  *_close(): Steps<void> {
    if (this.#ioClosed) return;
    try {
      yield* this._flush();
    } finally {
      this.#ioClosed = true;
    }
  }

  /** @internal */
  *_read(_size: unknown): Steps<L | null> {
    throw new UnsupportedOperation('read');
  }

  /** @internal */
  *_write(_data: unknown): Steps<number | null> {
    throw new UnsupportedOperation('write');
  }

  /** @internal Whether readline() may look ahead with peek() (iobase.c's readline). */
  _hasPeek(): boolean {
    return false;
  }

  /** @internal */
  *_peek(_size: unknown): Steps<Buffer> {
    throw new AttributeError(`'${this._typeName}' object has no attribute 'peek'`);
  }

  /**
   * @internal IOBase.readline(): with peek(), as much of the read-ahead as
   * the line needs (up to `size`: CPython compares with the whole limit,
   * not what is left of it); without, one byte per read(1).
   */
  *_readline(size: unknown): Steps<L> {
    const limit = optSize(size);
    const chunks: Buffer[] = [];
    let total = 0;
    while (limit < 0 || total < limit) {
      let nreadahead = 1;
      if (this._hasPeek()) {
        const readahead = yield* this._peek(1);
        if (readahead.length > 0) {
          let n = 0;
          for (;;) {
            if (n >= readahead.length || (limit >= 0 && n >= limit)) break;
            if (readahead[n++] === 0x0a) break;
          }
          nreadahead = n;
        }
      }
      const b = yield* this._read(nreadahead) as Steps<Buffer | null>;
      if (b === null) throw new OSError(undefined, "read() should have returned a bytes object, not 'NoneType'");
      if (b.length === 0) break;
      chunks.push(b);
      total += b.length;
      if (b[b.length - 1] === 0x0a) break;
    }
    return Buffer.concat(chunks) as L;
  }

  /** @internal __next__(): the next line, or null at the end (StopIteration). */
  *_next(): Steps<L | null> {
    const line = yield* this._readline(-1);
    return line.length === 0 ? null : line;
  }

  /** @internal IOBase.readlines(hint): lines until their total length passes hint. */
  *_readlines(hint: unknown): Steps<L[]> {
    const h = optSize(hint);
    this._checkClosed();  // iter(self)
    const result: L[] = [];
    let length = 0;
    for (;;) {
      const line = yield* this._next();
      if (line === null) break;
      result.push(line);
      if (h <= 0) continue;
      const n = lengthOf(line);
      if (n > h - length) break;
      length += n;
    }
    return result;
  }

  /** @internal IOBase.writelines(): write() of each, its result not looked at. */
  *_writelines(lines: unknown): Steps<void> {
    this._checkClosed();
    if (lines === null || typeof lines !== 'object' || typeof (lines as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`'${pyTypeName(lines)}' object is not iterable`);
    }
    for (const line of lines as Iterable<unknown>) yield* this._write(line);
  }

  // ---- the two forms -------------------------------------------------------

  /** readline(size=-1): a line, its '\n' included; at most size bytes (characters, in text mode) when size >= 0. */
  readlineSync(size: number | null = -1): L {
    positional('readline', arguments.length, 0, 1);
    return runSync(this._readline(size));
  }

  readline(size?: number | null, options?: CallOptions): Promise<L>;
  readline(options?: CallOptions): Promise<L>;
  readline(...args: unknown[]): Promise<L> {
    return promiseOf('readline', args, 0, 1, ([size = -1]) => this._readline(size));
  }

  /** readlines(hint=-1): the lines to the end, or until their total length passes hint. */
  readlinesSync(hint: number | null = -1): L[] {
    positional('readlines', arguments.length, 0, 1);
    return runSync(this._readlines(hint));
  }

  readlines(hint?: number | null, options?: CallOptions): Promise<L[]>;
  readlines(options?: CallOptions): Promise<L[]>;
  readlines(...args: unknown[]): Promise<L[]> {
    return promiseOf('readlines', args, 0, 1, ([hint = -1]) => this._readlines(hint));
  }

  /** writelines(lines): write() of each line (no newline is added). */
  writelinesSync(lines: Iterable<L extends string ? string : Bytes>): void {
    positional('writelines', arguments.length, 1, 1);
    runSync(this._writelines(lines));
  }

  writelines(lines: Iterable<L extends string ? string : Bytes>, options?: CallOptions): Promise<void>;
  writelines(...args: unknown[]): Promise<void> {
    return promiseOf('writelines', args, 1, 1, ([lines]) => this._writelines(lines));
  }

  /** flush(): what a buffer holds goes to the socket. */
  flushSync(): void {
    positional('flush', arguments.length, 0, 0);
    runSync(this._flush());
  }

  flush(options?: CallOptions): Promise<void>;
  flush(...args: unknown[]): Promise<void> {
    return promiseOf('flush', args, 0, 0, () => this._flush());
  }

  /**
   * close(): flush, then close the file; the socket's fd is closed with
   * the last of its files once socket.close() was called (socket.py's
   * _io_refs). A second close() does nothing.
   */
  closeSync(): void {
    positional('close', arguments.length, 0, 0);
    runSync(this._close());
  }

  close(options?: CallOptions): Promise<void>;
  close(...args: unknown[]): Promise<void> {
    return promiseOf('close', args, 0, 0, () => this._close());
  }

  /** `for (const line of f)`: readlineSync() until it gives an empty line. */
  [Symbol.iterator](): IterableIterator<L> {
    this._checkClosed();  // IOBase.__iter__
    const next = (): IteratorResult<L> => {
      const line = runSync(this._next());
      return line === null ? { done: true, value: undefined } : { done: false, value: line };
    };
    return { next, [Symbol.iterator]() { return this; } };
  }

  /** `for await (const line of f)`: readline(), the Promise form, until it gives an empty line. */
  [Symbol.asyncIterator](): AsyncIterableIterator<L> {
    this._checkClosed();
    const next = async (): Promise<IteratorResult<L>> => {
      const line = await runAsync(this._next(), undefined);
      return line === null ? { done: true, value: undefined } : { done: false, value: line };
    };
    return { next, [Symbol.asyncIterator]() { return this; } };
  }

  /** `using f = sock.makefile(...)`: closeSync() at the end of the block, as Python's `with`. */
  [Symbol.dispose](): void {
    this.closeSync();
  }

  /** `await using f = ...`: close(), the Promise form. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  [pyRepr](): string {
    return `<${this._typeName} object at ${objectAt(this)}>`;
  }

  toString(): string {
    return this[pyRepr]();
  }

  [inspect.custom](): string {
    return this[pyRepr]();
  }
}

/**
 * io.RawIOBase: read() as one readinto() of that size, readall() as
 * read(DEFAULT_BUFFER_SIZE) until the end (Modules/_io/iobase.c).
 */
export abstract class RawIOBase extends IOBase<Buffer> {
  /** @internal readinto(b): the count read, or null when a non-blocking stream has nothing. */
  abstract _readinto(b: unknown): Steps<number | null>;

  /** @internal */
  abstract override _write(b: unknown): Steps<number | null>;

  /** A raw stream's name (SocketIO: the fd); -1 once closed. */
  abstract get name(): number;
  abstract get mode(): string;

  /** @internal RawIOBase.read(size): a negative size is readall(). */
  override *_read(size: unknown): Steps<Buffer | null> {
    const n = optSize(size);
    if (n < 0) return yield* this._readall();
    const b = Buffer.alloc(n);
    const got = yield* this._readinto(b);
    if (got === null) return null;
    return b.subarray(0, got);
  }

  /** @internal RawIOBase.readall(): None when nothing came before the stream would block. */
  *_readall(): Steps<Buffer | null> {
    const chunks: Buffer[] = [];
    for (;;) {
      const data = yield* this._read(DEFAULT_BUFFER_SIZE);
      if (data === null) {
        if (chunks.length === 0) return null;
        break;
      }
      if (data.length === 0) break;
      chunks.push(data);
    }
    return Buffer.concat(chunks);
  }

  /** read(size=-1): one readinto() of size bytes; the whole stream when size < 0. Null: nothing yet (non-blocking). */
  readSync(size: number | null = -1): Buffer | null {
    positional('read', arguments.length, 0, 1);
    return runSync(this._read(size));
  }

  read(size?: number | null, options?: CallOptions): Promise<Buffer | null>;
  read(options?: CallOptions): Promise<Buffer | null>;
  read(...args: unknown[]): Promise<Buffer | null> {
    return promiseOf('read', args, 0, 1, ([size = -1]) => this._read(size));
  }

  /** readall(): read(8192) until the end of the stream. */
  readallSync(): Buffer | null {
    positional('readall', arguments.length, 0, 0);
    return runSync(this._readall());
  }

  readall(options?: CallOptions): Promise<Buffer | null>;
  readall(...args: unknown[]): Promise<Buffer | null> {
    return promiseOf('readall', args, 0, 0, () => this._readall());
  }

  /** readinto(b): the bytes the stream has, up to b's length, into b; their count. */
  readintoSync(b: Bytes): number | null {
    positional('readinto', arguments.length, 1, 1);
    return runSync(this._readinto(b));
  }

  readinto(b: Bytes, options?: CallOptions): Promise<number | null>;
  readinto(...args: unknown[]): Promise<number | null> {
    return promiseOf('readinto', args, 1, 1, ([b]) => this._readinto(b));
  }

  /** write(b): one write of the stream's (SocketIO: one send()); the count written. */
  writeSync(b: Bytes): number | null {
    positional('write', arguments.length, 1, 1);
    return runSync(this._write(b));
  }

  write(b: Bytes, options?: CallOptions): Promise<number | null>;
  write(...args: unknown[]): Promise<number | null> {
    return promiseOf('write', args, 1, 1, ([b]) => this._write(b));
  }
}

/**
 * io.BufferedIOBase: read, read1, readinto, readinto1 and write, each
 * UnsupportedOperation unless the class has it (a BufferedWriter cannot read).
 */
export abstract class BufferedIOBase extends IOBase<Buffer> {
  /** @internal */
  *_read1(_size: unknown): Steps<Buffer> {
    throw new UnsupportedOperation('read1');
  }

  /** @internal BufferedIOBase.readinto(): read() of b's length, copied in. */
  *_readinto(b: unknown): Steps<number | null> {
    const view = writableBytes(b, 'readinto');
    const data = yield* this._read(view.length);
    if (data === null) return null;
    view.set(data);
    return data.length;
  }

  /** @internal */
  *_readinto1(b: unknown): Steps<number | null> {
    const view = writableBytes(b, 'readinto1');
    const data = yield* this._read1(view.length);
    view.set(data);
    return data.length;
  }

  /** read(size=-1): size bytes, fewer only at the end of the stream; all of it when size is -1. */
  readSync(size: number | null = -1): Buffer | null {
    positional('read', arguments.length, 0, 1);
    return runSync(this._read(size));
  }

  read(size?: number | null, options?: CallOptions): Promise<Buffer | null>;
  read(options?: CallOptions): Promise<Buffer | null>;
  read(...args: unknown[]): Promise<Buffer | null> {
    return promiseOf('read', args, 0, 1, ([size = -1]) => this._read(size));
  }

  /** read1(size=-1): what is buffered, or else one read of the raw stream. */
  read1Sync(size: number | null = -1): Buffer {
    positional('read1', arguments.length, 0, 1);
    return runSync(this._read1(size));
  }

  read1(size?: number | null, options?: CallOptions): Promise<Buffer>;
  read1(options?: CallOptions): Promise<Buffer>;
  read1(...args: unknown[]): Promise<Buffer> {
    return promiseOf('read1', args, 0, 1, ([size = -1]) => this._read1(size));
  }

  /** readinto(b): as read(len(b)), into b; the count. */
  readintoSync(b: Bytes): number | null {
    positional('readinto', arguments.length, 1, 1);
    return runSync(this._readinto(b));
  }

  readinto(b: Bytes, options?: CallOptions): Promise<number | null>;
  readinto(...args: unknown[]): Promise<number | null> {
    return promiseOf('readinto', args, 1, 1, ([b]) => this._readinto(b));
  }

  /** readinto1(b): as read1(len(b)), into b. */
  readinto1Sync(b: Bytes): number | null {
    positional('readinto1', arguments.length, 1, 1);
    return runSync(this._readinto1(b));
  }

  readinto1(b: Bytes, options?: CallOptions): Promise<number | null>;
  readinto1(...args: unknown[]): Promise<number | null> {
    return promiseOf('readinto1', args, 1, 1, ([b]) => this._readinto1(b));
  }

  /** write(b): b into the buffer, which goes to the socket when full (or on flush()); len(b). */
  writeSync(b: Bytes): number {
    positional('write', arguments.length, 1, 1);
    return runSync(this._write(b)) as number;
  }

  write(b: Bytes, options?: CallOptions): Promise<number>;
  write(...args: unknown[]): Promise<number> {
    return promiseOf('write', args, 1, 1, ([b]) => this._write(b) as Steps<number>);
  }
}

// buffered_close(): under the lock, nothing if the raw stream is closed;
// flush() (the lock let go, as it takes it again); the raw stream's
// close(); flush()'s error raised after it, chained to close()'s own.
function* bufferedClose(lock: BufferLock, raw: IOBase, flush: () => Steps<void>, free: () => void): Steps<void> {
  yield lock.acquire();
  try {
    if (raw.closed) return;
  } finally {
    lock.release();
  }
  let flushError: unknown;
  let failed = false;
  try {
    yield* flush();
  } catch (err) {
    flushError = err;
    failed = true;
  }
  yield lock.acquire();
  try {
    yield* raw._close();
  } catch (err) {
    throw failed ? chain(err, flushError) : err;
  } finally {
    free();
    lock.release();
  }
  if (failed) throw flushError;
}

/**
 * io.BufferedReader(raw, buffer_size=DEFAULT_BUFFER_SIZE): reads of the raw
 * stream a buffer at a time, as Modules/_io/bufferedio.c makes them.
 */
export class BufferedReader extends BufferedIOBase {
  readonly raw: RawIOBase;
  readonly #size: number;
  #buffer: Buffer | null;
  #pos = 0;
  /** read_end: where the buffer's bytes end, -1 when it holds none (VALID_READ_BUFFER). */
  #readEnd = -1;
  readonly #lock: BufferLock = new BufferLock(this);

  constructor(raw: RawIOBase, bufferSize: number = DEFAULT_BUFFER_SIZE) {
    super();
    if (!raw.readable()) throw new UnsupportedOperation('File or stream is not readable.');
    if (!Number.isInteger(bufferSize)) throw new TypeError(`'${pyTypeName(bufferSize)}' object cannot be interpreted as an integer`);
    if (bufferSize <= 0) throw new ValueError('buffer size must be strictly positive');
    this.raw = raw;
    this.#size = bufferSize;
    this.#buffer = Buffer.alloc(bufferSize);
  }

  get _typeName(): string {
    return '_io.BufferedReader';
  }

  override get closed(): boolean {
    return this.raw.closed;
  }

  get name(): number {
    return this.raw.name;
  }

  get mode(): string {
    return this.raw.mode;
  }

  override readable(): boolean {
    return this.raw.readable();
  }

  override seekable(): boolean {
    return this.raw.seekable();
  }

  override isatty(): boolean {
    return this.raw.isatty();
  }

  override fileno(): number {
    return this.raw.fileno();
  }

  override tell(): number {
    return this.raw.tell();
  }

  override seek(_offset?: number, whence = 0): number {
    positional('seek', arguments.length, 1, 2);
    if (whence < 0 || whence > 2) throw new ValueError(`whence value ${whence} unsupported`);
    this.#checkClosed('seek of closed file');
    throw new UnsupportedOperation('File or stream is not seekable.');
  }

  // READAHEAD(): the bytes buffered and not yet read.
  #readahead(): number {
    return this.#readEnd === -1 ? 0 : this.#readEnd - this.#pos;
  }

  // CHECK_CLOSED(): closed, and nothing buffered that could still be read.
  #checkClosed(message: string): void {
    if ((this.#buffer === null || this.raw.closed) && this.#readahead() === 0) throw new ValueError(message);
  }

  #copy(from: number, to: number): Buffer {
    return Buffer.from(this.#buffer!.subarray(from, to));
  }

  // _bufferedreader_raw_read(): one readinto() of the raw stream; -2 when it would block.
  *#rawRead(target: Uint8Array, start: number, len: number): Steps<number> {
    const n = yield* this.raw._readinto(target.subarray(start, start + len));
    if (n === null) return -2;
    if (n < 0 || n > len) {
      throw new OSError(undefined, `raw readinto() returned invalid length ${n} (should have been between 0 and ${len})`);
    }
    return n;
  }

  // _bufferedreader_fill_buffer(): read into what is left of the buffer,
  // after its bytes when it has some (so a second fill asks for less).
  *#fillBuffer(): Steps<number> {
    const start = this.#readEnd === -1 ? 0 : this.#readEnd;
    const n = yield* this.#rawRead(this.#buffer!, start, this.#size - start);
    if (n <= 0) return n;
    this.#readEnd = start + n;
    return n;
  }

  // _bufferedreader_read_fast()
  #readFast(n: number): Buffer | null {
    if (n > this.#readahead()) return null;
    const out = this.#copy(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  *#locked<T>(body: () => Steps<T>): Steps<T> {
    yield this.#lock.acquire();
    try {
      return yield* body();
    } finally {
      this.#lock.release();
    }
  }

  /** @internal _buffered_readline(): the buffer first, then a whole buffer's read at a time. */
  override *_readline(size: unknown): Steps<Buffer> {
    let limit = optSize(size);
    this.#checkClosed('readline of closed file');
    let n = this.#readahead();
    if (limit >= 0 && n > limit) n = limit;
    const start = this.#pos;
    const nl = n > 0 ? this.#buffer!.subarray(start, start + n).indexOf(0x0a) : -1;
    if (nl !== -1) {
      this.#pos += nl + 1;
      return this.#copy(start, start + nl + 1);
    }
    if (n === limit) {
      this.#pos += n;
      return this.#copy(start, start + n);
    }
    return yield* this.#locked(function* (this: BufferedReader): Steps<Buffer> {
      const chunks: Buffer[] = [];
      if (n > 0) {
        chunks.push(this.#copy(start, start + n));
        this.#pos += n;
        if (limit >= 0) limit -= n;
      }
      for (;;) {
        this.#readEnd = -1;
        let got = yield* this.#fillBuffer();
        if (got <= 0) break;
        if (limit >= 0 && got > limit) got = limit;
        const i = this.#buffer!.subarray(0, got).indexOf(0x0a);
        if (i !== -1) {
          chunks.push(this.#copy(0, i + 1));
          this.#pos = i + 1;
          break;
        }
        chunks.push(this.#copy(0, got));
        if (got === limit) {
          this.#pos = got;
          break;
        }
        if (limit >= 0) limit -= got;
      }
      return Buffer.concat(chunks);
    }.bind(this));
  }

  /** @internal BufferedReader.__next__ is _buffered_readline(-1). */
  override *_next(): Steps<Buffer | null> {
    const line = yield* this._readline(-1);
    return line.length === 0 ? null : line;
  }

  /** @internal Buffered.read(n): from the buffer when it has n bytes; else read_all or read_generic. */
  override *_read(size: unknown): Steps<Buffer | null> {
    const n = optSize(size);
    if (n < -1) throw new ValueError('read length must be non-negative or -1');
    this.#checkClosed('read of closed file');
    if (n === -1) return yield* this.#locked(() => this.#readAll());
    const fast = this.#readFast(n);
    if (fast !== null) return fast;
    return yield* this.#locked(() => this.#readGeneric(n));
  }

  // _bufferedreader_read_all(): what is buffered, then the raw stream's readall().
  *#readAll(): Steps<Buffer | null> {
    const current = this.#readahead();
    const data = current > 0 ? this.#copy(this.#pos, this.#pos + current) : null;
    this.#pos += current;
    this.#readEnd = -1;
    const rest = yield* this.raw._readall();
    if (data === null) return rest;
    return rest === null ? data : Buffer.concat([data, rest]);
  }

  // _bufferedreader_read_generic(): what is buffered; then whole buffers'
  // worth read straight into the result (MINUS_LAST_BLOCK); then the rest
  // through the buffer, refilled after its bytes, never read past n
  // (issue #9550: a socket would block).
  *#readGeneric(n: number): Steps<Buffer | null> {
    const current = this.#readahead();
    if (n <= current) return this.#readFast(n);
    const out = Buffer.alloc(n);
    let remaining = n;
    let written = 0;
    if (current > 0) {
      this.#buffer!.copy(out, 0, this.#pos, this.#pos + current);
      remaining -= current;
      written += current;
      this.#pos += current;
    }
    this.#readEnd = -1;
    const ended = (r: number) => (r === 0 || written > 0 ? out.subarray(0, written) : null);
    while (remaining > 0) {
      let r = this.#size * Math.floor(remaining / this.#size);
      if (r === 0) break;
      r = yield* this.#rawRead(out, written, r);
      if (r === 0 || r === -2) return ended(r);
      remaining -= r;
      written += r;
    }
    this.#pos = 0;
    this.#readEnd = 0;
    while (remaining > 0 && this.#readEnd < this.#size) {
      const r = yield* this.#fillBuffer();
      if (r === 0 || r === -2) return ended(r);
      const take = Math.min(r, remaining);
      this.#buffer!.copy(out, written, this.#pos, this.#pos + take);
      written += take;
      this.#pos += take;
      remaining -= take;
    }
    return out;
  }

  override _hasPeek(): boolean {
    return true;
  }

  /** @internal peek(): the bytes buffered, or, with none, one fill of the whole buffer. */
  override *_peek(size: unknown): Steps<Buffer> {
    optSize(size);
    this.#checkClosed('peek of closed file');
    return yield* this.#locked(function* (this: BufferedReader): Steps<Buffer> {
      const have = this.#readahead();
      if (have > 0) return this.#copy(this.#pos, this.#pos + have);
      this.#readEnd = -1;
      let r = yield* this.#fillBuffer();
      if (r === -2) r = 0;
      this.#pos = 0;
      return this.#copy(0, r);
    }.bind(this));
  }

  /** @internal read1(n): what is buffered (up to n), or else one read of n straight from the raw stream. */
  override *_read1(size: unknown): Steps<Buffer> {
    let n = optSize(size);
    if (n < 0) n = this.#size;
    this.#checkClosed('read of closed file');
    if (n === 0) return Buffer.alloc(0);
    const have = this.#readahead();
    if (have > 0) return this.#readFast(Math.min(have, n))!;
    const out = Buffer.alloc(n);
    let r = yield* this.#locked(() => {
      this.#readEnd = -1;
      return this.#rawRead(out, 0, n);
    });
    if (r === -2) r = 0;
    return out.subarray(0, r);
  }

  /** @internal _buffered_readinto_generic() */
  override *_readinto(b: unknown): Steps<number | null> {
    return yield* this.#readintoGeneric(writableBytes(b, 'readinto'), false);
  }

  /** @internal */
  override *_readinto1(b: unknown): Steps<number | null> {
    return yield* this.#readintoGeneric(writableBytes(b, 'readinto1'), true);
  }

  // What is buffered; then, for each part left, a read straight into b
  // when it is more than a buffer, else a fill of the buffer (readinto1:
  // one read at most, none once something was copied).
  *#readintoGeneric(view: Uint8Array, readinto1: boolean): Steps<number | null> {
    this.#checkClosed('readinto of closed file');
    let written = 0;
    const n0 = this.#readahead();
    if (n0 > 0) {
      if (n0 >= view.length) {
        view.set(this.#buffer!.subarray(this.#pos, this.#pos + view.length));
        this.#pos += view.length;
        return view.length;
      }
      view.set(this.#buffer!.subarray(this.#pos, this.#pos + n0));
      this.#pos += n0;
      written = n0;
    }
    return yield* this.#locked(function* (this: BufferedReader): Steps<number | null> {
      this.#readEnd = -1;
      this.#pos = 0;
      let remaining = view.length - written;
      while (remaining > 0) {
        let n: number;
        if (remaining > this.#size) {
          n = yield* this.#rawRead(view, written, remaining);
        } else if (!(readinto1 && written > 0)) {
          n = yield* this.#fillBuffer();
          if (n > 0) {
            if (n > remaining) n = remaining;
            view.set(this.#buffer!.subarray(this.#pos, this.#pos + n), written);
            this.#pos += n;
            written += n;
            remaining -= n;
            continue;
          }
        } else {
          n = 0;
        }
        if (n === 0 || (n === -2 && written > 0)) break;
        if (n === -2) return null;
        written += n;
        remaining -= n;
        if (readinto1) break;
      }
      return written;
    }.bind(this));
  }

  /** @internal BufferedReader.flush() is the raw stream's (no I/O). */
  override *_flush(): Steps<void> {
    yield* this.raw._flush();
  }

  /** @internal */
  override *_close(): Steps<void> {
    yield* bufferedClose(this.#lock, this.raw, () => this._flush(), () => {
      this.#buffer = null;
      this.#readEnd = -1;
      this.#pos = 0;
    });
  }

  /** peek(size=0): the buffered bytes without taking them; with none buffered, one read to fill the buffer. */
  peekSync(size = 0): Buffer {
    positional('peek', arguments.length, 0, 1);
    return runSync(this._peek(size));
  }

  peek(size?: number, options?: CallOptions): Promise<Buffer>;
  peek(options?: CallOptions): Promise<Buffer>;
  peek(...args: unknown[]): Promise<Buffer> {
    return promiseOf('peek', args, 0, 1, ([size = 0]) => this._peek(size));
  }

  override [pyRepr](): string {
    return `<${this._typeName} name=${repr(this.name)}>`;
  }
}

/**
 * io.BufferedWriter(raw, buffer_size=DEFAULT_BUFFER_SIZE): writes held
 * until the buffer cannot take the next one, or flush(), as
 * Modules/_io/bufferedio.c holds them; a write larger than the buffer goes
 * to the raw stream directly but for its last buffer's worth.
 */
export class BufferedWriter extends BufferedIOBase {
  readonly raw: RawIOBase;
  readonly #size: number;
  #buffer: Buffer | null;
  #pos = 0;
  #writePos = 0;
  /** write_end: where the bytes to write end, -1 when there are none (VALID_WRITE_BUFFER). */
  #writeEnd = -1;
  readonly #lock: BufferLock = new BufferLock(this);

  constructor(raw: RawIOBase, bufferSize: number = DEFAULT_BUFFER_SIZE) {
    super();
    if (!raw.writable()) throw new UnsupportedOperation('File or stream is not writable.');
    if (!Number.isInteger(bufferSize)) throw new TypeError(`'${pyTypeName(bufferSize)}' object cannot be interpreted as an integer`);
    if (bufferSize <= 0) throw new ValueError('buffer size must be strictly positive');
    this.raw = raw;
    this.#size = bufferSize;
    this.#buffer = Buffer.alloc(bufferSize);
  }

  get _typeName(): string {
    return '_io.BufferedWriter';
  }

  override get closed(): boolean {
    return this.raw.closed;
  }

  get name(): number {
    return this.raw.name;
  }

  get mode(): string {
    return this.raw.mode;
  }

  override writable(): boolean {
    return this.raw.writable();
  }

  override seekable(): boolean {
    return this.raw.seekable();
  }

  override isatty(): boolean {
    return this.raw.isatty();
  }

  override fileno(): number {
    return this.raw.fileno();
  }

  override tell(): number {
    return this.raw.tell();
  }

  override seek(_offset?: number, whence = 0): number {
    positional('seek', arguments.length, 1, 2);
    if (whence < 0 || whence > 2) throw new ValueError(`whence value ${whence} unsupported`);
    if (this.#isClosed()) throw new ValueError('seek of closed file');
    throw new UnsupportedOperation('File or stream is not seekable.');
  }

  #isClosed(): boolean {
    return this.#buffer === null || this.raw.closed;
  }

  // _bufferedwriter_raw_write(): one write() of the raw stream; -2 when it would block.
  *#rawWrite(data: Uint8Array): Steps<number> {
    const n = yield* this.raw._write(data);
    if (n === null) return -2;
    if (n < 0 || n > data.length) {
      throw new OSError(undefined, `raw write() returned invalid length ${n} (should have been between 0 and ${data.length})`);
    }
    return n;
  }

  // _bufferedwriter_flush_unlocked(): write() until the buffer's bytes are
  // all gone (a send may take part of them).
  *#flushUnlocked(): Steps<void> {
    if (this.#writeEnd !== -1 && this.#writePos !== this.#writeEnd) {
      while (this.#writePos < this.#writeEnd) {
        const n = yield* this.#rawWrite(this.#buffer!.subarray(this.#writePos, this.#writeEnd));
        if (n === -2) throw blockingError(0);
        this.#writePos += n;
        this.#pos = this.#writePos;
      }
    }
    this.#writePos = 0;
    this.#writeEnd = -1;
  }

  /** @internal BufferedWriter.write() */
  override *_write(b: unknown): Steps<number> {
    const data = bytesLike(b);
    yield this.#lock.acquire();
    try {
      if (this.#isClosed()) throw new ValueError('write to closed file');
      const buf = this.#buffer!;
      if (this.#writeEnd === -1) this.#pos = 0;
      let avail = this.#size - this.#pos;
      if (data.length <= avail) {
        buf.set(data, this.#pos);
        if (this.#writeEnd === -1 || this.#writePos > this.#pos) this.#writePos = this.#pos;
        this.#pos += data.length;
        if (this.#pos > this.#writeEnd) this.#writeEnd = this.#pos;
        return data.length;
      }
      try {
        yield* this.#flushUnlocked();
      } catch (err) {
        if (!(err instanceof BlockingIOError)) throw err;
        // Non-blocking: make room by moving what is left to the start.
        buf.copyWithin(0, this.#writePos, this.#writeEnd);
        this.#writeEnd -= this.#writePos;
        this.#pos -= this.#writePos;
        this.#writePos = 0;
        avail = this.#size - this.#writeEnd;
        if (data.length <= avail) {
          buf.set(data, this.#writeEnd);
          this.#writeEnd += data.length;
          this.#pos += data.length;
          return data.length;
        }
        buf.set(data.subarray(0, avail), this.#writeEnd);
        this.#writeEnd += avail;
        this.#pos += avail;
        throw blockingError(avail);
      }
      // The buffer is empty: all but the last buffer's worth goes straight
      // to the raw stream, asked for all that is left each time.
      let remaining = data.length;
      let written = 0;
      while (remaining > this.#size) {
        const n = yield* this.#rawWrite(data.subarray(written));
        if (n === -2) {
          buf.set(data.subarray(written, written + this.#size), 0);
          this.#pos = this.#size;
          this.#writeEnd = this.#size;
          written += this.#size;
          throw blockingError(written);
        }
        written += n;
        remaining -= n;
      }
      if (remaining > 0) {
        buf.set(data.subarray(written, written + remaining), 0);
        written += remaining;
      }
      this.#writePos = 0;
      this.#writeEnd = remaining;
      this.#pos = remaining;
      return written;
    } finally {
      this.#lock.release();
    }
  }

  /** @internal buffered_flush() */
  override *_flush(): Steps<void> {
    if (this.#isClosed()) throw new ValueError('flush of closed file');
    yield this.#lock.acquire();
    try {
      yield* this.#flushUnlocked();
    } finally {
      this.#lock.release();
    }
  }

  /** @internal */
  override *_close(): Steps<void> {
    yield* bufferedClose(this.#lock, this.raw, () => this._flush(), () => {
      this.#buffer = null;
    });
  }

  override [pyRepr](): string {
    return `<${this._typeName} name=${repr(this.name)}>`;
  }
}

/**
 * io.BufferedRWPair(reader, writer, buffer_size): a BufferedReader and a
 * BufferedWriter, each with its own buffer and lock, behind one object
 * (makefile('rwb') gives one over the same SocketIO twice). Its readline()
 * is IOBase's, over peek() and read().
 */
export class BufferedRWPair extends BufferedIOBase {
  readonly #reader: BufferedReader;
  readonly #writer: BufferedWriter;

  constructor(reader: RawIOBase, writer: RawIOBase, bufferSize: number = DEFAULT_BUFFER_SIZE) {
    super();
    if (!reader.readable()) throw new UnsupportedOperation('File or stream is not readable.');
    if (!writer.writable()) throw new UnsupportedOperation('File or stream is not writable.');
    this.#reader = new BufferedReader(reader, bufferSize);
    this.#writer = new BufferedWriter(writer, bufferSize);
  }

  get _typeName(): string {
    return '_io.BufferedRWPair';
  }

  override get closed(): boolean {
    return this.#writer.closed;
  }

  override readable(): boolean {
    return this.#reader.readable();
  }

  override writable(): boolean {
    return this.#writer.writable();
  }

  override isatty(): boolean {
    return this.#writer.isatty() || this.#reader.isatty();
  }

  override _hasPeek(): boolean {
    return true;
  }

  /** @internal */
  override *_peek(size: unknown): Steps<Buffer> {
    return yield* this.#reader._peek(size);
  }

  /** @internal */
  override *_read(size: unknown): Steps<Buffer | null> {
    return yield* this.#reader._read(size);
  }

  /** @internal */
  override *_read1(size: unknown): Steps<Buffer> {
    return yield* this.#reader._read1(size);
  }

  /** @internal */
  override *_readinto(b: unknown): Steps<number | null> {
    return yield* this.#reader._readinto(b);
  }

  /** @internal */
  override *_readinto1(b: unknown): Steps<number | null> {
    return yield* this.#reader._readinto1(b);
  }

  /** @internal */
  override *_write(b: unknown): Steps<number> {
    return yield* this.#writer._write(b);
  }

  /** @internal */
  override *_flush(): Steps<void> {
    yield* this.#writer._flush();
  }

  /** @internal bufferedrwpair_close(): the writer, then the reader; the writer's error raised after. */
  override *_close(): Steps<void> {
    let first: unknown;
    let failed = false;
    try {
      yield* this.#writer._close();
    } catch (err) {
      first = err;
      failed = true;
    }
    try {
      yield* this.#reader._close();
    } catch (err) {
      throw failed ? chain(err, first) : err;
    }
    if (failed) throw first;
  }

  peekSync(size = 0): Buffer {
    positional('peek', arguments.length, 0, 1);
    return runSync(this._peek(size));
  }

  peek(size?: number, options?: CallOptions): Promise<Buffer>;
  peek(options?: CallOptions): Promise<Buffer>;
  peek(...args: unknown[]): Promise<Buffer> {
    return promiseOf('peek', args, 0, 1, ([size = 0]) => this._peek(size));
  }
}

// ---- text --------------------------------------------------------------------

const SURROGATE = /[\ud800-\udfff]/;
const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** The code points of s[a, b): Python's len() of that str. */
function cpLen(s: string, a = 0, b = s.length): number {
  const part = a === 0 && b === s.length ? s : s.slice(a, b);
  if (!SURROGATE.test(part)) return b - a;
  let n = 0;
  for (let i = a; i < b; i++, n++) if (isHigh(s.charCodeAt(i)) && i + 1 < b && isLow(s.charCodeAt(i + 1))) i++;
  return n;
}

/** The index n code points after a (at most s.length). */
function cpAdvance(s: string, a: number, n: number): number {
  if (!SURROGATE.test(s)) return Math.min(s.length, a + n);
  let i = a;
  for (let k = 0; k < n && i < s.length; k++) i += isHigh(s.charCodeAt(i)) && i + 1 < s.length && isLow(s.charCodeAt(i + 1)) ? 2 : 1;
  return i;
}

/** io.TextIOBase */
export abstract class TextIOBase extends IOBase<string> {
  /** read(size=-1): size characters, fewer at the end; everything to the end when size < 0. */
  readSync(size: number | null = -1): string {
    positional('read', arguments.length, 0, 1);
    return runSync(this._read(size)) as string;
  }

  read(size?: number | null, options?: CallOptions): Promise<string>;
  read(options?: CallOptions): Promise<string>;
  read(...args: unknown[]): Promise<string> {
    return promiseOf('read', args, 0, 1, ([size = -1]) => this._read(size) as Steps<string>);
  }

  /** write(s): s, encoded, into the buffers; its length in characters. */
  writeSync(s: string): number {
    positional('write', arguments.length, 1, 1);
    return runSync(this._write(s)) as number;
  }

  write(s: string, options?: CallOptions): Promise<number>;
  write(...args: unknown[]): Promise<number> {
    return promiseOf('write', args, 1, 1, ([s]) => this._write(s) as Steps<number>);
  }
}

export interface TextIOWrapperOptions {
  encoding?: string | null;
  errors?: string | null;
  newline?: string | null;
  line_buffering?: boolean;
  write_through?: boolean;
}

/**
 * io.TextIOWrapper(buffer, encoding, errors, newline): text over a
 * buffered binary file, as Modules/_io/textio.c makes it: chunks of 8192
 * bytes (more for a larger read(n)) taken with the buffer's read1(),
 * decoded incrementally, newlines found or translated as `newline` says;
 * writes encoded and held until 8192 bytes are pending, or flush().
 */
export class TextIOWrapper extends TextIOBase {
  readonly buffer: BufferedIOBase;
  /** The encoding as given (or the locale's), as repr() shows it. */
  readonly encoding: string;
  readonly errors: string;
  readonly line_buffering: boolean;
  readonly write_through: boolean;
  /** The mode makefile() was given ('r', 'w', 'rw'...); Python sets it on the object. */
  mode?: string;

  readonly #codec: Codec;
  readonly #readuniversal: boolean;
  readonly #readtranslate: boolean;
  readonly #readnl: string | null;
  readonly #writetranslate: boolean;
  readonly #writenl: string | null;
  readonly #decoder: IncrementalDecoder | null;
  readonly #writable: boolean;
  readonly #seekable: boolean;
  readonly #chunkSize = 8192;
  #decoded: string | null = null;
  /** decoded_chars_used, as an index into #decoded (UTF-16 units). */
  #used = 0;
  #pending: Buffer[] = [];
  #pendingCount = 0;
  /** b2cratio: bytes per character of the last chunk decoded (0 before any, or after one with none). */
  #b2cratio = 0;

  constructor(buffer: BufferedIOBase, encoding: string | null = null, errors: string | null = null,
    newline: string | null = null, lineBuffering = false, writeThrough = false) {
    super();
    const strOrNone = (v: unknown, name: string) => {
      if (v !== null && v !== undefined && typeof v !== 'string') {
        throw new TypeError(`TextIOWrapper() argument '${name}' must be str or None, not ${pyTypeName(v)}`);
      }
    };
    strOrNone(encoding, 'encoding');
    strOrNone(errors, 'errors');
    strOrNone(newline, 'newline');
    if (newline !== null && newline !== undefined && !['', '\n', '\r', '\r\n'].includes(newline)) {
      throw new ValueError(`illegal newline value: ${newline}`);
    }
    this.buffer = buffer;
    this.encoding = encoding === null || encoding === undefined || encoding === 'locale' ? localeEncoding() : encoding;
    this.#codec = lookup(this.encoding);
    this.errors = errors ?? 'strict';
    this.line_buffering = lineBuffering;
    this.write_through = writeThrough;
    const nl = newline ?? null;
    this.#readuniversal = nl === null || nl === '';
    this.#readtranslate = nl === null;
    this.#readnl = nl;
    this.#writetranslate = nl === null || nl !== '';
    // On POSIX, os.linesep is '\n': None writes '\n' as it is.
    this.#writenl = !this.#readuniversal && nl !== null ? nl : null;
    if (buffer.readable()) {
      const decoder = this.#codec.decoder(this.errors);
      this.#decoder = this.#readuniversal ? new NewlineDecoder(decoder, this.#readtranslate) : decoder;
    } else {
      this.#decoder = null;
    }
    this.#writable = buffer.writable();
    this.#seekable = buffer.seekable();
  }

  get _typeName(): string {
    return '_io.TextIOWrapper';
  }

  override get closed(): boolean {
    return this.buffer.closed;
  }

  /** The buffer's name (the fd); AttributeError over a BufferedRWPair, which has none. */
  get name(): number {
    const name = (this.buffer as { name?: number }).name;
    if (name === undefined) throw new AttributeError(`'${this.buffer._typeName}' object has no attribute 'name'`);
    return name;
  }

  /** The newlines the decoder has seen (newline None or ''): null, one, or a tuple of them. */
  get newlines(): string | string[] | null {
    return this.#decoder instanceof NewlineDecoder ? this.#decoder.newlines : null;
  }

  override readable(): boolean {
    return this.buffer.readable();
  }

  override writable(): boolean {
    return this.buffer.writable();
  }

  override seekable(): boolean {
    return this.buffer.seekable();
  }

  override isatty(): boolean {
    return this.buffer.isatty();
  }

  override fileno(): number {
    return this.buffer.fileno();
  }

  override tell(): number {
    this._checkClosed();
    throw new UnsupportedOperation('underlying stream is not seekable');
  }

  override seek(_cookie?: number, _whence?: number): number {
    positional('seek', arguments.length, 1, 2);
    this._checkClosed();
    throw new UnsupportedOperation('underlying stream is not seekable');
  }

  #setDecoded(chars: string | null): void {
    this.#decoded = chars;
    this.#used = 0;
  }

  // textiowrapper_get_decoded_chars(): n characters of the decoded chunk (all when n < 0).
  #getDecoded(n: number): string {
    if (this.#decoded === null) return '';
    const avail = cpLen(this.#decoded, this.#used);
    const end = n < 0 || n > avail ? this.#decoded.length : cpAdvance(this.#decoded, this.#used, n);
    const chars = this.#decoded.slice(this.#used, end);
    this.#used = end;
    return chars;
  }

  // _textiowrapper_writeflush(): the pending bytes, joined, to the buffer's
  // write() (dropped if it fails, as CPython drops them).
  *#writeflush(): Steps<void> {
    if (this.#pending.length === 0) return;
    const b = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingCount = 0;
    yield* this.buffer._write(b);
  }

  // textiowrapper_read_chunk(): one read1() of 8192 bytes, or of the
  // characters still wanted times the last chunk's bytes per character
  // when that is more; decoded; false at the end of the stream.
  *#readChunk(sizeHint: number): Steps<boolean> {
    if (this.#decoder === null) throw new UnsupportedOperation('not readable');
    if (sizeHint > 0) sizeHint = Math.trunc(Math.max(this.#b2cratio, 1.0) * sizeHint);
    const chunk = yield* this.buffer._read1(Math.max(this.#chunkSize, sizeHint));
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(`underlying read1() should have returned a bytes-like object, not '${pyTypeName(chunk)}'`);
    }
    let eof = chunk.length === 0;
    const decoded = this.#decoder.decode(chunk, eof);
    this.#setDecoded(decoded);
    const nchars = cpLen(decoded);
    this.#b2cratio = nchars > 0 ? chunk.length / nchars : 0;
    if (nchars > 0) eof = false;
    return !eof;
  }

  // _PyIO_find_line_ending(): the end of the first line in s[start:], or
  // -1 and how much of it cannot hold the start of a line ending.
  #findLineEnding(s: string, start: number): { end: number; consumed: number } {
    const len = s.length - start;
    if (this.#readtranslate) {
      const i = s.indexOf('\n', start);
      return i === -1 ? { end: -1, consumed: len } : { end: i + 1, consumed: 0 };
    }
    if (this.#readuniversal) {
      for (let i = start; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c === 0x0a) return { end: i + 1, consumed: 0 };
        if (c === 0x0d) return { end: s.charCodeAt(i + 1) === 0x0a ? i + 2 : i + 1, consumed: 0 };
      }
      return { end: -1, consumed: len };
    }
    const nl = this.#readnl!;
    const i = s.indexOf(nl, start);
    if (i !== -1) return { end: i + nl.length, consumed: 0 };
    // '\r\n' may be split: a last '\r' is kept for the next chunk.
    if (nl.length > 1 && s.length > start && s.endsWith(nl[0])) return { end: -1, consumed: s.length - 1 - start };
    return { end: -1, consumed: len };
  }

  /** @internal _textiowrapper_readline() */
  override *_readline(size: unknown): Steps<string> {
    const limit = optSize(size);
    this._checkClosed();
    yield* this.#writeflush();
    let chunked = 0;
    let line: string | null = null;
    let remaining: string | null = null;
    const chunks: string[] = [];
    let start = 0;
    let endpos = 0;
    let offsetToBuffer = 0;
    for (;;) {
      let more = true;
      while (this.#decoded === null || this.#decoded.length === 0) {
        more = yield* this.#readChunk(0);
        if (!more) break;
      }
      if (!more) {
        this.#setDecoded(null);
        start = endpos = offsetToBuffer = 0;
        break;
      }
      if (remaining === null) {
        line = this.#decoded!;
        start = this.#used;
        offsetToBuffer = 0;
      } else {
        line = remaining + this.#decoded!;
        start = 0;
        offsetToBuffer = remaining.length;
        remaining = null;
      }
      const found = this.#findLineEnding(line, start);
      if (found.end >= 0) {
        endpos = found.end;
        if (limit >= 0 && cpLen(line, start, endpos) + chunked >= limit) endpos = cpAdvance(line, start, limit - chunked);
        break;
      }
      endpos = start + found.consumed;
      if (limit >= 0 && cpLen(line, start, endpos) + chunked >= limit) {
        endpos = cpAdvance(line, start, limit - chunked);
        break;
      }
      if (endpos > start) {
        const s = line.slice(start, endpos);
        chunks.push(s);
        chunked += cpLen(s);
      }
      if (endpos < line.length) remaining = line.slice(endpos);
      line = null;
      this.#setDecoded(null);
    }
    if (line !== null) {
      this.#used = endpos - offsetToBuffer;
      if (start > 0 || endpos < line.length) line = line.slice(start, endpos);
    }
    if (remaining !== null) chunks.push(remaining);
    if (chunks.length > 0) {
      if (line !== null) chunks.push(line);
      line = chunks.join('');
    }
    return line ?? '';
  }

  /** @internal textiowrapper_iternext() */
  override *_next(): Steps<string | null> {
    const line = yield* this._readline(-1);
    return line.length === 0 ? null : line;
  }

  /** @internal TextIOWrapper.read(): everything through the buffer's read(), or n characters a chunk at a time. */
  override *_read(size: unknown): Steps<string> {
    const n = optSize(size);
    this._checkClosed();
    if (this.#decoder === null) throw new UnsupportedOperation('not readable');
    yield* this.#writeflush();
    if (n < 0) {
      const bytes = yield* this.buffer._read(-1);
      if (bytes === null) throw new TypeError("a bytes-like object is required, not 'NoneType'");
      const decoded = this.#decoder.decode(bytes, true);
      const result = this.#getDecoded(-1) + decoded;
      this.#setDecoded(null);
      return result;
    }
    const parts: string[] = [];
    let result = this.#getDecoded(n);
    let left = n - cpLen(result);
    while (left > 0) {
      const more = yield* this.#readChunk(left);
      if (!more) break;
      if (result.length > 0) parts.push(result);
      result = this.#getDecoded(left);
      left -= cpLen(result);
    }
    if (parts.length === 0) return result;
    parts.push(result);
    return parts.join('');
  }

  /** @internal _io_TextIOWrapper_write_impl() */
  override *_write(s: unknown): Steps<number> {
    if (typeof s !== 'string') throw new TypeError(`write() argument must be str, not ${pyTypeName(s)}`);
    this._checkClosed();
    if (!this.#writable) throw new UnsupportedOperation('not writable');
    const textlen = cpLen(s);
    let text = s;
    const haslf = ((this.#writetranslate && this.#writenl !== null) || this.line_buffering) && text.includes('\n');
    if (haslf && this.#writetranslate && this.#writenl !== null) text = text.replaceAll('\n', this.#writenl);
    const needflush = this.line_buffering && (haslf || text.includes('\r'));
    const b = this.#codec.encode(text, this.errors);
    if (this.#pendingCount + b.length > this.#chunkSize) {
      yield* this.#writeflush();
      this.#pending = [b];
    } else {
      this.#pending.push(b);
    }
    this.#pendingCount += b.length;
    if (this.#pendingCount >= this.#chunkSize || needflush || this.write_through) yield* this.#writeflush();
    if (needflush) yield* this.buffer._flush();
    // What was decoded and not read is dropped, and the decoder reset, as CPython does.
    this.#setDecoded(null);
    this.#decoder?.reset();
    return textlen;
  }

  /** @internal */
  override *_flush(): Steps<void> {
    this._checkClosed();
    yield* this.#writeflush();
    yield* this.buffer._flush();
  }

  /** @internal textiowrapper_close(): flush(), then the buffer's close(); flush()'s error raised after. */
  override *_close(): Steps<void> {
    if (this.buffer.closed) return;
    let first: unknown;
    let failed = false;
    try {
      yield* this._flush();
    } catch (err) {
      first = err;
      failed = true;
    }
    try {
      yield* this.buffer._close();
    } catch (err) {
      throw failed ? chain(err, first) : err;
    }
    if (failed) throw first;
  }

  override [pyRepr](): string {
    let out = '<_io.TextIOWrapper';
    try {
      out += ` name=${repr(this.name)}`;
    } catch (err) {
      if (!(err instanceof AttributeError || err instanceof ValueError)) throw err;
    }
    if (this.mode !== undefined) out += ` mode=${repr(this.mode)}`;
    return `${out} encoding=${repr(this.encoding)}>`;
  }
}
