// The facade's checks of Python's arguments: the errors CPython raises for
// them, as TypeError or RangeError (README, "Where sockcall differs from
// CPython"), before any system call.
import { bytesArg, describe, toUint8, type Bytes } from '../bytes';
import type { CallOptions } from '../promise';

export function intArg(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${describe(value)}`);
  }
  return value;
}

/** settimeout()'s value: null, or seconds not negative (CPython: "Timeout value out of range"). */
export function timeoutArg(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`timeout must be a number of seconds or null, got ${describe(value)}`);
  }
  if (value < 0) throw new RangeError(`timeout must not be negative, got ${value} (Timeout value out of range)`);
  return value;
}

export function sizeArg(n: unknown, caller: string): number {
  intArg(n, 'bufsize');
  if ((n as number) < 0) throw new RangeError(`bufsize must not be negative, got ${n} (negative buffersize in ${caller})`);
  return n as number;
}

export function ancArg(n: unknown): number {
  intArg(n, 'ancbufsize');
  if ((n as number) < 0) throw new RangeError(`ancbufsize must not be negative, got ${n}`);
  return n as number;
}

export function iovArg(buffers: unknown, name = 'buffers'): Bytes[] {
  if (buffers === null || typeof buffers !== 'object' || typeof (buffers as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${name} must be an iterable of bytes-like objects`);
  }
  return [...(buffers as Iterable<unknown>)].map((b, i) => bytesArg(b, `${name}[${i}]`));
}

/**
 * recv_into/recvfrom_into's buffer and nbytes: nbytes 0 is the buffer's
 * size; more is refused, as CPython does ("buffer too small for requested
 * bytes" / "nbytes is greater than the length of the buffer").
 */
export function intoArgs(buffer: unknown, nbytes: unknown, flags: unknown, caller: string): Uint8Array {
  bytesArg(buffer, 'buffer');
  intArg(nbytes, 'nbytes');
  intArg(flags, 'flags');
  const n = nbytes as number;
  if (n < 0) throw new RangeError(`nbytes must not be negative, got ${n} (negative buffersize in ${caller})`);
  const view = toUint8(buffer as Bytes);
  if (n > view.length) {
    throw new RangeError(`nbytes ${n} is more than the buffer's ${view.length} bytes (` +
      (caller === 'recv_into' ? 'buffer too small for requested bytes)' : 'nbytes is greater than the length of the buffer)'));
  }
  return n === 0 ? view : view.subarray(0, n);
}

/**
 * Whether a value is a Promise form's options object rather than one of
 * Python's arguments: a plain object. Never bytes, an array, or any other
 * iterable (sendmsg's buffers and ancdata may be generators), so that
 * nothing the caller passed is taken for the options and dropped.
 */
export function isOptions(value: unknown): value is CallOptions {
  if (typeof value !== 'object' || value === null) return false;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || Array.isArray(value)) return false;
  return typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function';
}

/** Splits a Promise form's `[...pythonArgs, options?]` into Python's arguments and the options. */
export function splitOptions(args: unknown[]): [unknown[], CallOptions | undefined] {
  if (args.length > 0 && isOptions(args[args.length - 1])) {
    return [args.slice(0, -1), args[args.length - 1] as CallOptions];
  }
  return [args, undefined];
}
