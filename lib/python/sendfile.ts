// socket.sendfile(), as Lib/socket.py writes it: os.sendfile(2) in blocks
// until count or end of file (_sendfile_use_sendfile), a poll(POLLOUT) of
// the socket before each under a timeout (selectors.PollSelector), and,
// when sendfile(2) refuses the file before anything was sent, reading it
// and send()ing what was read instead (_sendfile_use_send).
import { fstatSync, readSync } from 'node:fs';
import { bytesArg, toUint8 } from '../bytes';
import { BlockingIOError, OSError, timedOut } from '../errors';
import { native } from '../native';
import { blocking, pollOne, type Steps } from './calls';
import { UnsupportedOperation } from './io';

const C = native.constants;

/** A file to send: an fd, or an object with fileno() (and, as socket.py uses them, read(), seek(), mode). */
export type FileLike = number | { fileno(): number; read?(n: number): Uint8Array; seek?(offset: number): unknown; mode?: string };

export interface SendfileSocket {
  fd: number;
  type: number;
  timeout: number | null;
  /** The socket's send(data), under its timeout (sock_call): the fallback's sends. */
  send(data: Uint8Array): Steps<number>;
}

class GiveUp extends Error {}

// _sendfile_use_sendfile(): a file without fileno() (AttributeError) or
// whose fileno() raises io.UnsupportedOperation is sent with send().
function fileno(file: FileLike): number {
  let fd: unknown;
  try {
    fd = typeof file === 'number' ? file : typeof file?.fileno === 'function' ? file.fileno() : NaN;
  } catch (err) {
    if (err instanceof UnsupportedOperation) throw new GiveUp(err.message);
    throw err;
  }
  if (typeof fd !== 'number' || !Number.isInteger(fd)) throw new GiveUp('not a file with a fileno()');
  return fd;
}

// _check_sendfile_params(). Whether the socket is non-blocking is asked
// later, by each way of sending (nonBlocking()).
function check(s: SendfileSocket, file: unknown, offset: unknown, count: unknown): void {
  const mode = typeof file === 'object' && file !== null ? (file as { mode?: unknown }).mode : undefined;
  if (typeof mode === 'string' && !mode.includes('b')) throw new RangeError('file should be opened in binary mode');
  if (!(s.type & C.SOCK_STREAM)) throw new RangeError('only SOCK_STREAM type sockets are supported');
  if (count !== null && count !== undefined) {
    if (typeof count !== 'number' || !Number.isInteger(count)) throw new TypeError(`count must be a positive integer (got ${String(count)})`);
    if (count <= 0) throw new RangeError(`count must be a positive integer (got ${count})`);
  }
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw new TypeError(`offset must be a non-negative integer, got ${String(offset)}`);
  }
}

// socket.py asks after fstat(), so that an empty file (or a FIFO, whose
// size is 0) on a non-blocking socket sends nothing and returns 0:
// _sendfile_use_sendfile's `if not fsize: return 0` comes before its
// `if timeout == 0: raise ValueError(...)`; _sendfile_use_send asks first.
function nonBlocking(s: SendfileSocket): void {
  if (s.timeout === 0) throw new RangeError('non-blocking sockets are not supported');
}

function* useSendfile(s: SendfileSocket, file: FileLike, offset: number, count: number | null): Steps<number> {
  const fd = fileno(file);
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (err) {
    throw new GiveUp(String(err));
  }
  if (!size) return 0;  // an empty file (or one whose size fstat does not know)
  nonBlocking(s);
  // Truncated to 1 GiB, as socket.py does (bpo-38319).
  let blocksize = Math.min(count || size, 2 ** 30);
  const timeout = s.timeout;
  let total = 0;
  try {
    for (;;) {
      if (timeout && (yield pollOne(s.fd, C.POLLOUT, Math.ceil(timeout * 1e3))) === 0) throw timedOut();
      if (count) {
        blocksize = count - total;
        if (blocksize <= 0) break;
      }
      let sent: number;
      try {
        sent = (yield blocking('sendfile', s.fd, fd, offset, blocksize)) as number;
      } catch (err) {
        if (err instanceof BlockingIOError) {
          // Wait until the socket can take more: selector.select() with no timeout.
          if (!timeout) yield pollOne(s.fd, C.POLLOUT, -1);
          continue;
        }
        if (err instanceof OSError && total === 0) throw new GiveUp(err.message);
        throw err;
      }
      if (sent === 0) break;  // end of file
      offset += sent;
      total += sent;
    }
    return total;
  } finally {
    if (total > 0 && typeof file === 'object' && typeof file.seek === 'function') file.seek(offset);
  }
}

// Reads a block of the file: its read(), or pread(2) of an fd (Node has no
// seek for an fd; the blocks are read at their offsets instead).
function reader(file: FileLike, offset: number): (n: number) => Uint8Array {
  if (typeof file === 'object' && typeof file.read === 'function') {
    if (offset && typeof file.seek === 'function') file.seek(offset);
    return (n) => toUint8(bytesArg(file.read!(n), 'file.read()'));
  }
  const fd = fileno(file);
  let at = offset;
  return (n) => {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, at);
    at += got;
    return buf.subarray(0, got);
  };
}

function* useSend(s: SendfileSocket, file: FileLike, offset: number, count: number | null): Steps<number> {
  nonBlocking(s);
  const read = reader(file, offset);
  let blocksize = count ? Math.min(count, 8192) : 8192;
  let total = 0;
  try {
    for (;;) {
      if (count) {
        blocksize = Math.min(count - total, blocksize);
        if (blocksize <= 0) break;
      }
      let data = read(blocksize);
      if (data.length === 0) break;  // end of file
      for (;;) {
        let sent: number;
        try {
          sent = yield* s.send(data);
        } catch (err) {
          if (err instanceof BlockingIOError) continue;
          throw err;
        }
        total += sent;
        if (sent < data.length) data = data.subarray(sent);
        else break;
      }
    }
    return total;
  } finally {
    if (total > 0 && typeof file === 'object' && typeof file.seek === 'function') file.seek(offset + total);
  }
}

/** socket.sendfile()'s steps. */
export function* sendfileSteps(s: SendfileSocket, file: unknown, offset: unknown = 0, count: unknown = null): Steps<number> {
  check(s, file, offset, count);
  try {
    return yield* useSendfile(s, file as FileLike, offset as number, count as number | null);
  } catch (err) {
    if (!(err instanceof GiveUp)) throw err;
  }
  return yield* useSend(s, file as FileLike, offset as number, count as number | null);
}

