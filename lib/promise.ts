// The JavaScript side of the Promise forms: each call started on a thread of
// the addon (native/pool.cc) is a Promise here until the addon completes it
// (native/promise.cc calls complete()).
import { binding, Status } from './binding';
import { AbortError, SocketClosedError } from './errors';

/** Options every Promise form takes after Python's (or C's) own arguments. */
export interface CallOptions {
  /** Ends the pending call with an AbortError; the socket stays usable. */
  signal?: AbortSignal;
  /**
   * Whether the pending call keeps the process alive, as a pending Python
   * recvfrom does (true, the default). With false, the process may exit
   * while the call waits.
   */
  ref?: boolean;
}

interface Pending {
  syscall: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const pending = new Map<number, Pending>();

/** setup()'s `complete`: the addon's word that call `id` has ended. */
export function complete(id: number, status: Status, value: unknown): void {
  const p = pending.get(id);
  if (p === undefined) return;
  pending.delete(id);
  if (p.onAbort !== undefined) p.signal!.removeEventListener('abort', p.onAbort);
  switch (status) {
    case Status.Ok:
      p.resolve(value);
      break;
    case Status.Error:
      p.reject(value);
      break;
    case Status.Aborted:
      p.reject(new AbortError(undefined, { cause: p.signal?.reason }));
      break;
    case Status.Closed:
      p.reject(new SocketClosedError(p.syscall, value as number));
      break;
  }
}

function checkOptions(options: CallOptions | undefined): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('options must be an object such as { signal }');
  }
  for (const key of Object.keys(options)) {
    if (key !== 'signal' && key !== 'ref') throw new TypeError(`options has no '${key}': it takes signal and ref`);
  }
  const { signal, ref } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError('options.signal must be an AbortSignal');
  }
  if (ref !== undefined && typeof ref !== 'boolean') {
    throw new TypeError('options.ref must be a boolean');
  }
}

/**
 * Whether a value is a CallOptions object rather than one of Python's
 * arguments: a plain object ({ signal }), never an array, a buffer, an
 * iterable or an instance of a class, which are the user's arguments and
 * go to the call (or to its TypeError).
 */
export function isOptions(value: unknown): value is CallOptions {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function';
}

/**
 * Starts a call on the addon's threads: `submit(ref)` converts and checks
 * the arguments (throwing TypeError/RangeError before any system call) and
 * returns the call's id. An AbortSignal already aborted makes no call.
 */
export async function start<T>(syscall: string, options: CallOptions | undefined,
  submit: (ref: boolean) => number): Promise<T> {
  checkOptions(options);
  const signal = options?.signal;
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
  const id = submit(options?.ref ?? true);
  try {
    return await new Promise<T>((resolve, reject) => {
      const p: Pending = { syscall, resolve: resolve as (v: unknown) => void, reject, signal, onAbort: undefined };
      if (signal !== undefined) {
        // cancel() returns once the call has left the kernel; the Promise
        // settles when the addon reports it (aborted, or done if the kernel
        // answered first).
        p.onAbort = () => { binding.cancel(id); };
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
      pending.set(id, p);
    });
  } catch (err) {
    // The error was made when the addon reported back, with no caller on
    // the stack; taken again here, inside the awaiting async functions, the
    // stack shows the caller's own lines (V8's async stack traces).
    if (err instanceof Error) Error.captureStackTrace(err);
    throw err;
  }
}
