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
}

const pending = new Map<number, Pending>();

// One 'abort' listener per signal, however many calls share it: the calls
// are aborted together (cancelMany: the addon's lock taken once, where
// 10,000 calls one by one took it 10,000 times), and EventTarget does not
// warn of a leak past 10 listeners.
const bySignal = new WeakMap<AbortSignal, Set<number>>();

function follow(signal: AbortSignal, id: number): void {
  let ids = bySignal.get(signal);
  if (ids === undefined) {
    const calls = new Set<number>();
    ids = calls;
    bySignal.set(signal, calls);
    signal.addEventListener('abort', () => {
      bySignal.delete(signal);
      binding.cancelMany([...calls]);
    }, { once: true });
  }
  ids.add(id);
}

/**
 * setup()'s `complete`: the addon's word that call `id` has ended. It never
 * throws (the addon calls it from a threadsafe function's callback, where
 * Node would swallow the exception and the Promise never settle): whatever
 * fails while completing (the signal's reason, a getter) rejects the
 * Promise instead.
 */
export function complete(id: number, status: Status, value: unknown): void {
  const p = pending.get(id);
  if (p === undefined) return;
  pending.delete(id);
  try {
    if (p.signal !== undefined) bySignal.get(p.signal)?.delete(id);
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
      default:
        p.reject(new Error(`sockcall: call ${id} ended with an unknown status ${String(status)}`));
    }
  } catch (err) {
    p.reject(err);
  }
}

/**
 * The options, each read once: a getter cannot hand the check one value
 * and the call another.
 */
function readOptions(options: CallOptions | undefined): { signal: AbortSignal | undefined; ref: boolean } {
  if (options === undefined) return { signal: undefined, ref: true };
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
  return { signal, ref: ref ?? true };
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
  const { signal, ref } = readOptions(options);
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
  const id = submit(ref);
  try {
    return await new Promise<T>((resolve, reject) => {
      // Nothing can complete the call before this runs: the addon completes
      // it from the event loop, never during this synchronous code.
      const p: Pending = { syscall, resolve: resolve as (v: unknown) => void, reject, signal };
      pending.set(id, p);
      if (signal === undefined) return;
      // An abort asks the call to end and returns at once; the Promise
      // settles when the addon reports it: aborted, or done if the kernel
      // answered first.
      try {
        follow(signal, id);
        // An abort fired while submit() converted the arguments (a getter
        // may abort) came before the listener: it is not lost.
        if (signal.aborted) binding.cancel(id);
      } catch (err) {
        // A signal whose methods throw: the call is ended, and its
        // completion rejects with the abort.
        binding.cancel(id);
        throw err;
      }
    });
  } catch (err) {
    // The error was made when the addon reported back, with no caller on
    // the stack; taken again here, inside the awaiting async functions, the
    // stack shows the caller's own lines (V8's async stack traces).
    if (err instanceof Error) Error.captureStackTrace(err);
    throw err;
  }
}
