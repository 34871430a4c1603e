// Python's select module: select.poll(), made once per poll() with the
// registered fds in registration order, and select.select(), as CPython's
// Modules/selectmodule.c makes them.
import { blocking, runAsync, runSync, type Call, type Steps } from './calls';
import { splitOptions } from './args';
import { native, type Pollfd } from '../native';
import type { CallOptions } from '../promise';

const C = native.constants;

export type FileLike = number | { fileno(): number };

function fdOf(f: FileLike): number {
  const fd = typeof f === 'number' ? f : typeof f?.fileno === 'function' ? f.fileno() : NaN;
  if (!Number.isInteger(fd)) throw new TypeError('fd must be an integer or an object with a fileno() method');
  if (fd < 0) throw new RangeError(`fd must not be negative, got ${fd}`);
  return fd;
}

function maskArg(mask: unknown): number {
  if (typeof mask !== 'number' || !Number.isInteger(mask)) throw new TypeError('eventmask must be an integer');
  if (mask < 0 || mask > 0xffff) throw new RangeError(`eventmask must be 0-65535, got ${mask}`);
  return mask;
}

// CPython: None or a negative timeout waits forever; milliseconds are
// rounded up (_PyTime_ROUND_CEILING).
function timeoutArg(timeout: unknown): number {
  if (timeout === undefined || timeout === null) return -1;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) throw new TypeError('timeout must be a number of milliseconds or null');
  if (timeout < 0) return -1;
  if (timeout > 0x7fffffff) throw new RangeError('timeout is too large');
  return Math.ceil(timeout);
}

export class Poll {
  readonly #fds = new Map<number, number>();

  /** register(fd, eventmask=POLLIN|POLLPRI|POLLOUT) */
  register(fd: FileLike, eventmask: number = C.POLLIN | C.POLLPRI | C.POLLOUT): void {
    this.#fds.set(fdOf(fd), maskArg(eventmask));
  }

  modify(fd: FileLike, eventmask: number): void {
    const n = fdOf(fd);
    if (!this.#fds.has(n)) throw new Error(`fd ${n} is not registered`);
    this.#fds.set(n, maskArg(eventmask));
  }

  unregister(fd: FileLike): void {
    const n = fdOf(fd);
    if (!this.#delete(n)) throw new Error(`fd ${n} is not registered`);
  }

  #delete(fd: number): boolean {
    return this.#fds.delete(fd);
  }

  #list(): Pollfd[] {
    return [...this.#fds].map(([fd, events]) => ({ fd, events }));
  }

  /** poll(timeout=None) -> [fd, revents][] for the fds with events (timeout in ms). */
  pollSync(timeout?: number | null): [number, number][] {
    const fds = this.#list();
    const [, revents] = blocking('poll', fds, timeoutArg(timeout)).sync();
    return ready(fds, revents);
  }

  async poll(timeout?: number | null, options?: CallOptions): Promise<[number, number][]> {
    const fds = this.#list();
    const [, revents] = await blocking('poll', fds, timeoutArg(timeout)).async(options);
    return ready(fds, revents);
  }
}

function ready(fds: Pollfd[], revents: number[]): [number, number][] {
  const out: [number, number][] = [];
  fds.forEach((f, i) => { if (revents[i] !== 0) out.push([f.fd, revents[i]]); });
  return out;
}

// select.select()'s timeout: None waits forever; seconds, not negative,
// to microseconds rounded away from zero (_PyTime_ROUND_TIMEOUT).
function selectTimeout(timeout: unknown): number | null {
  if (timeout === undefined || timeout === null) return null;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) throw new TypeError('timeout must be a float or None');
  if (timeout < 0) throw new RangeError(`timeout must be non-negative, got ${timeout}`);
  return Math.ceil(timeout * 1e6);
}

function fdList(list: unknown, name: string): [number[], FileLike[]] {
  if (list === null || typeof list !== 'object' || typeof (list as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${name} must be a sequence (arguments 1-3 must be sequences)`);
  }
  const objs = [...(list as Iterable<FileLike>)];
  return [objs.map(fdOf), objs];
}

type Selected<T> = [T[], T[], T[]];

// select_select_impl(): the three lists as fd_sets (NULL for an empty
// one, as CPython 3.11 passes them, measured), nfds the largest fd plus
// one, and each ready list in the order it was given, holding the objects
// given. The kernel sees pselect6(2) (glibc's select on Linux).
function* selectSteps<T extends FileLike>(rlist: Iterable<T>, wlist: Iterable<T>, xlist: Iterable<T>,
  timeout: unknown): Steps<Selected<T>> {
  const sets = [fdList(rlist, 'rlist'), fdList(wlist, 'wlist'), fdList(xlist, 'xlist')];
  const us = selectTimeout(timeout);
  let nfds = 0;
  for (const [fds] of sets) for (const fd of fds) nfds = Math.max(nfds, fd + 1);
  const call: Call<[number, number[], number[], number[]]> = blocking('select', nfds,
    ...sets.map(([fds]) => (fds.length ? fds : null)) as [number[] | null, number[] | null, number[] | null], us);
  const [, ...ready] = (yield call) as [number, number[], number[], number[]];
  return sets.map(([fds, objs], s) => objs.filter((_, i) => ready[s].includes(fds[i]))) as Selected<T>;
}

/** select.select(rlist, wlist, xlist, timeout=None) -> [rready, wready, xready]. */
function selectSync<T extends FileLike>(rlist: Iterable<T>, wlist: Iterable<T>, xlist: Iterable<T>,
  timeout?: number | null): Selected<T> {
  return runSync(selectSteps(rlist, wlist, xlist, timeout));
}

function selectPromise<T extends FileLike>(rlist: Iterable<T>, wlist: Iterable<T>, xlist: Iterable<T>,
  timeout?: number | null, options?: CallOptions): Promise<Selected<T>>;
function selectPromise<T extends FileLike>(rlist: Iterable<T>, wlist: Iterable<T>, xlist: Iterable<T>,
  options?: CallOptions): Promise<Selected<T>>;
function selectPromise<T extends FileLike>(rlist: Iterable<T>, wlist: Iterable<T>, xlist: Iterable<T>,
  ...rest: unknown[]): Promise<Selected<T>> {
  try {
    const [[timeout], options] = splitOptions(rest);
    return runAsync(selectSteps(rlist, wlist, xlist, timeout), options);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Python's select module: poll() and select(). */
export const select = {
  poll: (): Poll => new Poll(),
  select: selectPromise,
  selectSync,
};
