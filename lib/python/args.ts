// The facade's checks of Python's arguments: the errors CPython raises for
// them, as TypeError or RangeError (README, "Where sockcall differs from
// CPython"), before any system call.
import { bytesArg, describe, toUint8, type Bytes } from '../bytes';
import { isOptions, type CallOptions } from '../promise';
import { IntEnumMember } from './enums';

/** An int argument: a number, or a member of AddressFamily or SocketKind (Python's IntEnum is an int). */
export type Int = number | IntEnumMember;

export function intArg(value: unknown, name: string): number {
  if (value instanceof IntEnumMember) return value.value;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${describe(value)}`);
  }
  return value;
}

/**
 * A str argument CPython encodes as UTF-8, strictly (getaddrinfo's port,
 * its host's IDNA encoding): a lone surrogate cannot be encoded, and is
 * UnicodeEncodeError there (a ValueError; a RangeError here), where N-API
 * would replace it with U+FFFD and look up another name.
 */
export function utf8Arg(value: string, name: string): string {
  const m = /\p{Surrogate}/u.exec(value);
  if (m !== null) {
    const code = m[0].charCodeAt(0).toString(16);
    throw new RangeError(`${name}: 'utf-8' codec can't encode character '\\u${code}' in position ${m.index}: surrogates not allowed`);
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

/** Splits a Promise form's `[...pythonArgs, options?]` into Python's arguments and the options. */
export function splitOptions(args: unknown[]): [unknown[], CallOptions | undefined] {
  if (args.length > 0 && isOptions(args[args.length - 1])) {
    return [args.slice(0, -1), args[args.length - 1] as CallOptions];
  }
  return [args, undefined];
}

/**
 * How CPython checks a method's count of positional arguments, and words
 * its TypeError: 'c' a C method parsing a tuple (PyArg_ParseTuple: "takes at
 * least 1 argument (0 given)"), 'one' a METH_O method ("takes exactly one
 * argument"), 'none' a METH_NOARGS one ("takes no arguments"), 'py' a
 * method of Lib/socket.py's class, which counts self ("takes 1 positional
 * argument but 2 were given", "missing 1 required positional argument: 'file'").
 */
export type ArityStyle = 'c' | 'one' | 'none' | 'py';

export function arity(name: string, given: number, min: number, max: number, style: ArityStyle,
  params: string[] = []): void {
  if (given >= min && given <= max) return;
  const plural = (n: number, what = 'argument') => `${n} ${what}${n === 1 ? '' : 's'}`;
  switch (style) {
    case 'none':
      throw new TypeError(`socket.${name}() takes no arguments (${given} given)`);
    case 'one':
      throw new TypeError(`socket.${name}() takes exactly one argument (${given} given)`);
    case 'py': {
      if (given < min) {
        const missing = params.slice(given, min);
        const names = missing.map((p) => `'${p}'`);
        const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
        throw new TypeError(`socket.${name}() missing ${plural(missing.length, 'required positional argument')}: ${list}`);
      }
      const takes = min === max ? plural(max + 1, 'positional argument') : `from ${min + 1} to ${max + 1} positional arguments`;
      throw new TypeError(`socket.${name}() takes ${takes} but ${given + 1} ${given + 1 === 1 ? 'was' : 'were'} given`);
    }
    default:
      if (name === 'sendto') throw new TypeError(`sendto() takes 2 or 3 arguments (${given} given)`);
      // Parsed with keywords (PyArg_ParseTupleAndKeywords): a missing one is named.
      if (given < min && params.length > given) throw new TypeError(`${name}() missing required argument '${params[given]}' (pos ${given + 1})`);
      if (min === max) throw new TypeError(`${name}() takes exactly ${plural(min)} (${given} given)`);
      if (given < min) throw new TypeError(`${name}() takes at least ${plural(min)} (${given} given)`);
      throw new TypeError(`${name}() takes at most ${plural(max)} (${given} given)`);
  }
}
