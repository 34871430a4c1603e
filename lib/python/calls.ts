// CPython's sock_call_ex() (Modules/socketmodule.c), written once for the
// Sync and the Promise forms.
//
// A method's system calls are a generator that yields each call that can
// block as a Call, with a Sync and a Promise form; runSync and runAsync run
// the generator in one form or the other, so the two forms of a method
// cannot drift apart. sockCall is the policy every method shares: with a
// timeout (or for connect's wait), poll() first (POLLIN to read, POLLOUT to
// write, POLLOUT|POLLERR for a connection), TimeoutError('timed out') when
// it expires, the call, and poll again after a false EAGAIN.
import { native, type BlockingCalls, type BlockingName } from '../native';
import { OSError, timedOut } from '../errors';
import { start, type CallOptions } from '../promise';

const C = native.constants;
const E = native.errno;

/** A call that can block, in both forms: made on this thread, or on one of the addon's. */
export interface Call<T> {
  sync(): T;
  /**
   * `readiness` false: the call waits on a thread even where the options
   * ask for the readiness form (a non-blocking socket's call, which
   * answers at once, as Python's does, rather than wait for readiness).
   */
  async(options: CallOptions | undefined, readiness?: boolean): Promise<T>;
}

/** A method's sequence of calls: yields each Call, receives its result (or its error thrown in). */
export type Steps<T> = Generator<Call<unknown>, T, unknown>;

export function runSync<T>(steps: Steps<T>): T {
  let r = steps.next();
  while (!r.done) {
    let value: unknown;
    try {
      value = r.value.sync();
    } catch (err) {
      r = steps.throw(err);
      continue;
    }
    r = steps.next(value);
  }
  return r.value;
}

export async function runAsync<T>(steps: Steps<T>, options: CallOptions | undefined): Promise<T> {
  let r = steps.next();
  while (!r.done) {
    let value: unknown;
    try {
      value = await r.value.async(options);
    } catch (err) {
      r = steps.throw(err);
      continue;
    }
    r = steps.next(value);
  }
  return r.value;
}

// The calls that wait in the kernel itself, and have no readiness form:
// in a facade method asked for { wait: 'readiness' }, they wait on a thread.
const WAIT_IN_KERNEL = new Set<BlockingName>(['connect', 'poll', 'select', 'epoll_wait']);

/**
 * The addon's call `name` with these arguments, in both forms:
 * `native[name + 'Sync'](...args)` and the Promise form `native[name]`
 * (native/calls.h's Blocking<>). With a size where the bytes go, both
 * receive into a new Buffer.
 */
export function blocking<K extends BlockingName>(name: K, ...args: BlockingCalls[K]['args']): Call<BlockingCalls[K]['done']> {
  // The two forms' types are the table's (binding.ts); their lookup by name
  // is the one place that cannot be checked field by field.
  const sync = native[`${name}Sync`] as (...a: unknown[]) => BlockingCalls[K]['done'];
  const promise = native[name] as unknown as (...a: unknown[]) => Promise<BlockingCalls[K]['done']>;
  return {
    sync: () => sync(...args),
    async: (o, readiness = true) => start(name, o, (how) => promise(...args, how), readiness && !WAIT_IN_KERNEL.has(name)),
  };
}

/** A call that never blocks, as a step: both forms make it here. */
export function immediate<T>(fn: () => T): Call<T> {
  return { sync: fn, async: async () => fn() };
}

export function isEagain(err: unknown): boolean {
  return err instanceof OSError && (err.errno === E.EAGAIN || err.errno === E.EWOULDBLOCK);
}

/** internal_select(): poll(2) of one socket, as a step; its result is the number ready. */
export function pollOne(fd: number, events: number, ms: number): Call<number> {
  const call = blocking('poll', [{ fd, events }], ms);
  return { sync: () => call.sync()[0], async: (o, r) => call.async(o, r).then(([n]) => n) };
}

export interface SockCall {
  /** The socket's fd, -1 once closed (internal_select polls nothing then). */
  fd: number;
  /** The socket's own timeout (sock_timeout): a false EAGAIN is retried only when it is positive. */
  sockTimeout: number | null;
  /** Wait to write (POLLOUT) rather than to read (POLLIN). */
  writing: boolean;
  /** Seconds for this call (sock_call_ex's timeout): the socket's, or what is left of sendall's. */
  timeout: number | null;
  /** connect's wait for the connection: poll even without a timeout, POLLERR too. */
  connect?: boolean;
}

/**
 * sock_call_ex(): the call, after a poll for readiness when there is a
 * timeout or a connection to wait for; TimeoutError when the time runs
 * out, and the wait again after a false EAGAIN (the poll said ready, the
 * call found nothing). Milliseconds are rounded up, as CPython's
 * _PyTime_AsMilliseconds(_PyTime_ROUND_CEILING).
 */
export function* sockCall<T>(s: SockCall, call: Call<T>): Steps<T> {
  const hasTimeout = s.timeout !== null && s.timeout > 0;
  const events = (s.writing ? C.POLLOUT : C.POLLIN) | (s.connect ? C.POLLERR : 0);
  const deadline = hasTimeout ? performance.now() + s.timeout! * 1000 : 0;
  let first = true;
  for (;;) {
    if (hasTimeout || s.connect) {
      let ms = -1;
      if (hasTimeout) {
        const interval = first ? s.timeout! * 1000 : deadline - performance.now();
        if (interval < 0) throw timedOut();
        ms = Math.ceil(interval);
      }
      first = false;
      // A closed socket is ready at once: the call then fails with EBADF.
      if (s.fd !== -1 && (yield pollOne(s.fd, events, ms)) === 0) throw timedOut();
    }
    try {
      return (yield call) as T;
    } catch (err) {
      if (!(s.sockTimeout !== null && s.sockTimeout > 0 && isEagain(err))) throw err;
    }
  }
}
