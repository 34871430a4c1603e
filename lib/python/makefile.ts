// socket.makefile() and socket.SocketIO, as Lib/socket.py has them: a raw
// stream over the socket's recv_into() and send(), wrapped by the io
// classes (io.ts) that makefile()'s mode asks for. The file keeps the
// socket's fd open after socket.close() until it is closed itself
// (socket.py's _io_refs), so that close(fd) comes when Python's does.
import type { Steps } from './calls';
import { ValueError } from './builtins';
import {
  BufferedReader, BufferedRWPair, BufferedWriter, DEFAULT_BUFFER_SIZE, RawIOBase, TextIOWrapper, UnsupportedOperation,
  pyTypeName,
} from './io';
import { isBytes, toUint8 } from '../bytes';
import { OSError, TimeoutError } from '../errors';
import { native } from '../native';
import { repr } from '../repr';

const E = native.errno;

/** What SocketIO needs of its socket: recv_into() and send() as steps, and the _io_refs count. */
export interface SocketLike {
  fileno(): number;
  _recvIntoSteps(buffer: Uint8Array): Steps<number>;
  _sendSteps(data: Uint8Array): Steps<number>;
  _increfSocketios(): void;
  _decrefSocketios(): void;
}

/**
 * socket.SocketIO(sock, mode): the raw stream of a socket. readinto() is
 * sock.recv_into(), write() sock.send(); on a non-blocking socket EAGAIN
 * is null (Python's None), and after a timeout the stream refuses to read
 * again ("cannot read from timed out object"), since the bytes of a
 * half-read line may be lost.
 */
export class SocketIO extends RawIOBase {
  #sock: SocketLike | null;
  readonly #mode: string;
  readonly #reading: boolean;
  readonly #writing: boolean;
  #timeoutOccurred = false;

  constructor(sock: SocketLike, mode: string) {
    if (!['r', 'w', 'rw', 'rb', 'wb', 'rwb'].includes(mode)) throw new ValueError(`invalid mode: ${repr(mode)}`);
    super();
    this.#sock = sock;
    if (!mode.includes('b')) mode += 'b';
    this.#mode = mode;
    this.#reading = mode.includes('r');
    this.#writing = mode.includes('w');
  }

  /** @internal */
  get _typeName(): string {
    return 'socket.SocketIO';
  }

  /** @internal readinto(b): sock.recv_into(b); null for EAGAIN/EWOULDBLOCK. */
  override *_readinto(b: unknown): Steps<number | null> {
    this._checkClosed();
    this.#checkReadable();
    if (this.#timeoutOccurred) throw new OSError(undefined, 'cannot read from timed out object');
    if (!isBytes(b)) throw new TypeError(`recv_into() argument 'buffer' must be read-write bytes-like object, not ${pyTypeName(b)}`);
    try {
      return yield* this.#sock!._recvIntoSteps(toUint8(b));
    } catch (err) {
      if (err instanceof TimeoutError) {
        this.#timeoutOccurred = true;
        throw err;
      }
      if (err instanceof OSError && (err.errno === E.EAGAIN || err.errno === E.EWOULDBLOCK)) return null;
      throw err;
    }
  }

  /** @internal write(b): sock.send(b); null for EAGAIN/EWOULDBLOCK. */
  override *_write(b: unknown): Steps<number | null> {
    this._checkClosed();
    if (!this.#writing) throw new UnsupportedOperation('File or stream is not writable.');
    if (!isBytes(b)) throw new TypeError(`a bytes-like object is required, not '${pyTypeName(b)}'`);
    try {
      return yield* this.#sock!._sendSteps(toUint8(b));
    } catch (err) {
      if (err instanceof OSError && (err.errno === E.EAGAIN || err.errno === E.EWOULDBLOCK)) return null;
      throw err;
    }
  }

  #checkReadable(): void {
    if (!this.readable()) throw new UnsupportedOperation('File or stream is not readable.');
  }

  override readable(): boolean {
    if (this.closed) throw new ValueError('I/O operation on closed socket.');
    return this.#reading;
  }

  override writable(): boolean {
    if (this.closed) throw new ValueError('I/O operation on closed socket.');
    return this.#writing;
  }

  override seekable(): boolean {
    if (this.closed) throw new ValueError('I/O operation on closed socket.');
    return super.seekable();
  }

  override fileno(): number {
    this._checkClosed();
    return this.#sock!.fileno();
  }

  /** The socket's fd, -1 once this file is closed. */
  get name(): number {
    return this.closed ? -1 : this.fileno();
  }

  /** 'rb', 'wb' or 'rwb'. */
  get mode(): string {
    return this.#mode;
  }

  /** @internal close(): RawIOBase's, then one file fewer keeps the socket open. */
  override *_close(): Steps<void> {
    if (this.closed) return;
    yield* super._close();
    this.#sock!._decrefSocketios();
    this.#sock = null;
  }
}

/** makefile()'s keyword arguments (and buffering, which Python also takes by name). */
export interface MakefileOptions {
  buffering?: number | null;
  encoding?: string | null;
  errors?: string | null;
  newline?: string | null;
}

type Has<M extends string, C extends string> = M extends `${string}${C}${string}` ? true : false;

/** The file makefile(mode) gives: BufferedReader for 'rb', BufferedWriter 'wb', BufferedRWPair 'rwb', TextIOWrapper without 'b'. */
export type FileFor<M extends string> = string extends M ? SocketFile
  : Has<M, 'b'> extends true
    ? Has<M, 'w'> extends true ? (Has<M, 'r'> extends true ? BufferedRWPair : BufferedWriter) : BufferedReader
    : TextIOWrapper;

/** Any file makefile() may give. */
export type SocketFile = SocketIO | BufferedReader | BufferedWriter | BufferedRWPair | TextIOWrapper;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/**
 * socket.makefile(mode='r', buffering=None, *, encoding=None, errors=None,
 * newline=None), as Lib/socket.py makes the file: a SocketIO, counted in
 * the socket's _io_refs, then a BufferedReader, BufferedWriter or
 * BufferedRWPair of buffering bytes (io.DEFAULT_BUFFER_SIZE when None or
 * negative; none at all, the SocketIO itself, when 0, in binary mode
 * only), then for a mode without 'b' a TextIOWrapper.
 */
export function makefile(sock: SocketLike, args: unknown[]): SocketFile {
  let options: MakefileOptions = {};
  let positionalArgs = args;
  if (args.length > 0 && isPlainObject(args[args.length - 1])) {
    options = args[args.length - 1] as MakefileOptions;
    positionalArgs = args.slice(0, -1);
  }
  if (positionalArgs.length > 2) {
    throw new TypeError(`socket.makefile() takes from 1 to 3 positional arguments but ${positionalArgs.length + 1} were given`);
  }
  const mode = positionalArgs[0] === undefined ? 'r' : positionalArgs[0];
  let buffering = positionalArgs.length > 1 ? positionalArgs[1] : options.buffering ?? null;
  if (typeof mode !== 'string') throw new TypeError(`'${pyTypeName(mode)}' object is not iterable`);
  if (![...mode].every((c) => c === 'r' || c === 'w' || c === 'b')) {
    throw new ValueError(`invalid mode ${repr(mode)} (only r, w, b allowed)`);
  }
  const writing = mode.includes('w');
  const reading = mode.includes('r') || !writing;
  const binary = mode.includes('b');
  const raw = new SocketIO(sock, (reading ? 'r' : '') + (writing ? 'w' : ''));
  sock._increfSocketios();
  // What CPython's garbage collector does when makefile() raises after
  // here: the SocketIO made is closed by its finalizer, so the count goes
  // down again (and a close()d socket's fd is closed then).
  try {
    if (buffering === null || buffering === undefined) buffering = -1;
    if (typeof buffering !== 'number') throw new TypeError(`'<' not supported between instances of '${pyTypeName(buffering)}' and 'int'`);
    if (!Number.isInteger(buffering)) throw new TypeError(`'${pyTypeName(buffering)}' object cannot be interpreted as an integer`);
    if (buffering < 0) buffering = DEFAULT_BUFFER_SIZE;
    if (buffering === 0) {
      if (!binary) throw new ValueError('unbuffered streams must be binary');
      return raw;
    }
    const size = buffering as number;
    const buffer = reading && writing ? new BufferedRWPair(raw, raw, size)
      : reading ? new BufferedReader(raw, size) : new BufferedWriter(raw, size);
    if (binary) return buffer;
    const text = new TextIOWrapper(buffer, options.encoding ?? null, options.errors ?? null, options.newline ?? null);
    text.mode = mode;
    return text;
  } catch (err) {
    raw.closeSync();
    throw err;
  }
}

