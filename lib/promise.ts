// The JavaScript side of the Promise forms: each call started on a thread of
// the addon (native/pool.cc) returns a Promise the addon settles itself
// when the call is done (native/promise.cc). Only a call with an AbortSignal
// is followed here, for its signal; `complete` makes what only JavaScript
// can (an AbortError with the signal's reason, a SocketClosedError).
import { binding, How, Status } from './binding';
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
  /**
   * Where the call waits. 'thread' (the default): on a thread of the
   * addon's, blocked in the system call itself, as a Python thread is.
   * 'readiness': the event loop waits for the socket (epoll, as Node's
   * dgram does), then the one system call is made on this thread, with the
   * same arguments: strace shows the same call line, after the wait
   * instead of during it. For the calls that wait for data, a connection
   * or room (recv*, accept4, send*, sendfile); connect, poll, select and
   * epoll_wait wait in the kernel and have no such form (TypeError).
   */
  wait?: 'thread' | 'readiness';
}

/** The signals of the calls followed (those started with one), by call id. */
const signals = new Map<number, AbortSignal>();

// One 'abort' listener per signal, however many calls share it: the calls
// are aborted together (cancelMany: the addon's lock taken once, where
// 10,000 calls one by one took it 10,000 times), and EventTarget does not
// warn of a leak past 10 listeners.
const bySignal = new WeakMap<AbortSignal, Set<number>>();

function follow(signal: AbortSignal, id: number): void {
  signals.set(id, signal);
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
 * setup()'s `complete`: for a call followed here, or one that was aborted
 * or closed, what its Promise settles with (the addon resolves with it when
 * the call succeeded, and rejects with it otherwise). An exception here
 * (the signal's reason getter) rejects the Promise with it: the addon
 * settles the Promise whatever happens.
 */
export function complete(id: number, status: Status, value: unknown, syscall: string): unknown {
  const signal = signals.get(id);
  if (signal !== undefined) {
    signals.delete(id);
    bySignal.get(signal)?.delete(id);
  }
  switch (status) {
    case Status.Aborted:
      return new AbortError(undefined, { cause: signal?.reason });
    case Status.Closed:
      return new SocketClosedError(syscall, value as number);
    default:
      return value;
  }
}

/**
 * The options, each read once: a getter cannot hand the check one value
 * and the call another.
 */
function readOptions(options: CallOptions | undefined): { signal: AbortSignal | undefined; how: number } {
  if (options === undefined) return { signal: undefined, how: How.Ref };
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('options must be an object such as { signal }');
  }
  for (const key of Object.keys(options)) {
    if (key !== 'signal' && key !== 'ref' && key !== 'wait') {
      throw new TypeError(`options has no '${key}': it takes signal, ref and wait`);
    }
  }
  const { signal, ref, wait } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError('options.signal must be an AbortSignal');
  }
  if (ref !== undefined && typeof ref !== 'boolean') {
    throw new TypeError('options.ref must be a boolean');
  }
  if (wait !== undefined && wait !== 'thread' && wait !== 'readiness') {
    throw new TypeError("options.wait must be 'thread' or 'readiness'");
  }
  return { signal, how: (ref ?? true ? How.Ref : 0) | (wait === 'readiness' ? How.Ready : 0) };
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
 * Starts a call on the addon's threads: `submit(how)` converts and checks
 * the arguments (throwing TypeError/RangeError before any system call) and
 * returns the addon's Promise. Whatever is refused rejects it; an
 * AbortSignal already aborted makes no call.
 */
export function start<T>(_syscall: string, options: CallOptions | undefined,
  submit: (how: number) => Promise<unknown>, readiness?: boolean): Promise<T>;
/**
 * The same, with `map` making the caller's result of the addon's, in the
 * one reaction that also restacks an error: no async function and no
 * second Promise between the addon's and the caller's await.
 */
export function start<R, T>(_syscall: string, options: CallOptions | undefined,
  submit: (how: number) => Promise<unknown>, readiness: boolean, map: (r: R) => T): Promise<T>;
export function start(_syscall: string, options: CallOptions | undefined,
  submit: (how: number) => Promise<unknown>, readiness = true, map?: (r: never) => unknown): Promise<unknown> {
  let signal: AbortSignal | undefined;
  let call: Promise<unknown>;
  // What the overloads promise: map takes what the addon resolves with.
  const onResult = map as ((r: unknown) => unknown) | undefined;
  // No options, as in a loop's calls: nothing to read and no signal to follow.
  if (options === undefined) {
    try {
      call = submit(How.Ref);
    } catch (err) {
      return Promise.reject(err);
    }
    return call.then(onResult, restack);
  }
  try {
    let how: number;
    ({ signal, how } = readOptions(options));
    // A facade method's calls that have no readiness form (the poll of a
    // socket with a timeout, connect) wait on a thread.
    if (!readiness) how &= ~How.Ready;
    if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
    call = submit(how);
  } catch (err) {
    return Promise.reject(err);
  }
  if (signal === undefined) return call.then(onResult, restack);
  const id = binding.lastId();
  if (id === null) return call.then(onResult, restack);  // refused by the budget: rejected already
  try {
    follow(signal, id);
    // An abort fired while submit() converted the arguments (a getter may
    // abort) came before the listener: it is not lost.
    if (signal.aborted) binding.cancel(id);
  } catch (err) {
    // A signal whose methods throw: the call is ended, and its Promise
    // rejects with the abort; the caller gets this error.
    binding.cancel(id);
    void call.catch(() => {});
    return Promise.reject(err);
  }
  return call.then(onResult, restack);
}

// The error was made when the addon settled the call, with no caller on the
// stack; taken again here, in the reaction that the caller's await follows,
// its stack shows the caller's own lines (V8's async stack traces), which
// the Python-style traceback prints (traceback.ts).
function restack(err: unknown): never {
  if (err instanceof Error) Error.captureStackTrace(err);
  throw err;
}
