// Python's select module: select.poll(), made once per poll() with the
// registered fds in registration order, select.select(), and select.epoll,
// as CPython's Modules/selectmodule.c makes them.
import { blocking, runAsync, runSync, type Call, type Steps } from './calls';
import { splitOptions } from './args';
import { KeyError, ValueError } from './builtins';
import { errorFromErrno } from '../errors';
import { native, type Pollfd } from '../native';
import type { CallOptions } from '../promise';
import { pyRepr } from '../repr';

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

  // poll_modify_impl: an fd not registered is OSError(ENOENT), made
  // without a system call; poll_unregister_impl: KeyError(fd).
  modify(fd: FileLike, eventmask: number): void {
    const n = fdOf(fd);
    const mask = maskArg(eventmask);
    // (ENOENT is an errno, not one of the constants: C.ENOENT was undefined.)
    if (!this.#fds.has(n)) throw errorFromErrno(native.errno.ENOENT, 'modify');
    this.#fds.set(n, mask);
  }

  unregister(fd: FileLike): void {
    const n = fdOf(fd);
    if (!this.#delete(n)) throw new KeyError(n);
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

// select.epoll.poll()'s timeout: None, or seconds made milliseconds
// rounded up; any negative number is -1, forever (select_epoll_poll_impl).
function epollTimeout(timeout: unknown): number {
  if (timeout === undefined || timeout === null) return -1;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) throw new TypeError('timeout must be an integer or None');
  const ms = Math.ceil(timeout * 1000);
  if (ms > 0x7fffffff || ms < -0x80000000) throw new RangeError('timeout is too large');
  return ms < 0 ? -1 : ms;
}

function maxeventsArg(maxevents: unknown): number {
  if (maxevents === undefined || maxevents === -1) return C.FD_SETSIZE - 1;
  if (typeof maxevents !== 'number' || !Number.isInteger(maxevents)) throw new TypeError('maxevents must be an integer');
  if (maxevents < 1 || maxevents > 0x7fffffff) throw new RangeError(`maxevents must be greater than 0, got ${maxevents}`);
  return maxevents;
}

// select.epoll.register/modify take `eventmask: unsigned_int(bitwise=True)`
// (Modules/selectmodule.c's clinic input): any integer, its low 32 bits
// kept, never refused. That is also what a port needs: JavaScript's
// `EPOLLOUT | EPOLLET` is negative (EPOLLET is bit 31, and | makes int32).
function epollMask(mask: unknown): number {
  if (typeof mask !== 'number' || !Number.isSafeInteger(mask)) throw new TypeError('eventmask must be an integer');
  return Number(BigInt.asUintN(32, BigInt(mask)));
}

/**
 * select.epoll: an epoll(7) instance made by epoll_create1(EPOLL_CLOEXEC),
 * each registered fd stored as its event's data (CPython's ev.data.fd),
 * poll() giving [fd, events] pairs. EPOLL_CTL_DEL passes an event too, as
 * CPython does for kernels before 2.6.9 (epoll_ctl(2), BUGS).
 */
export class Epoll {
  #epfd: number;

  /** epoll(sizehint=-1, flags=0): sizehint is checked, not used; flags may be 0 or EPOLL_CLOEXEC. */
  constructor(sizehint = -1, flags = 0) {
    if (!Number.isInteger(sizehint)) throw new TypeError('sizehint must be an integer');
    if (sizehint !== -1 && sizehint <= 0) throw new RangeError('negative sizehint');
    if (!Number.isInteger(flags)) throw new TypeError('flags must be an integer');
    // CPython raises OSError("invalid flags"), an OSError without an errno.
    if (flags !== 0 && flags !== C.EPOLL_CLOEXEC) throw new RangeError('invalid flags: must be 0 or EPOLL_CLOEXEC');
    this.#epfd = native.epoll_create1(C.EPOLL_CLOEXEC);
  }

  /** epoll.fromfd(fd): an epoll object over an epoll fd the caller already has. */
  static fromfd(fd: number): Epoll {
    const e = Object.create(Epoll.prototype) as Epoll;
    e.#epfd = fdOf(fd);
    return e;
  }

  get closed(): boolean { return this.#epfd < 0; }

  #open(): number {
    if (this.#epfd < 0) throw new ValueError('I/O operation on closed epoll object');
    return this.#epfd;
  }

  fileno(): number { return this.#open(); }

  close(): void {
    const fd = this.#epfd;
    if (fd < 0) return;
    this.#epfd = -1;
    native.close(fd);
  }

  #ctl(op: number, fd: FileLike, mask: number): void {
    const epfd = this.#open();
    const n = fdOf(fd);
    native.epoll_ctl(epfd, op, n, mask, n);
  }

  /** register(fd, eventmask=EPOLLIN|EPOLLPRI|EPOLLOUT) */
  register(fd: FileLike, eventmask: number = C.EPOLLIN | C.EPOLLPRI | C.EPOLLOUT): void {
    this.#ctl(C.EPOLL_CTL_ADD, fd, epollMask(eventmask));
  }

  modify(fd: FileLike, eventmask: number): void {
    this.#ctl(C.EPOLL_CTL_MOD, fd, epollMask(eventmask));
  }

  unregister(fd: FileLike): void {
    this.#ctl(C.EPOLL_CTL_DEL, fd, 0);
  }

  #wait(timeout: unknown, maxevents: unknown): Call<[number, number][]> {
    const epfd = this.#open();
    const ms = epollTimeout(timeout);
    const max = maxeventsArg(maxevents);
    return blocking('epoll_wait', epfd, max, ms);
  }

  /** poll(timeout=None, maxevents=-1) -> [fd, events][] (timeout in seconds). */
  pollSync(timeout?: number | null, maxevents?: number): [number, number][] {
    return swap(this.#wait(timeout, maxevents).sync());
  }

  poll(timeout?: number | null, maxevents?: number, options?: CallOptions): Promise<[number, number][]>;
  poll(timeout?: number | null, options?: CallOptions): Promise<[number, number][]>;
  poll(options?: CallOptions): Promise<[number, number][]>;
  async poll(...rest: unknown[]): Promise<[number, number][]> {
    const [[timeout, maxevents], options] = splitOptions(rest);
    return swap(await this.#wait(timeout, maxevents).async(options));
  }

  /** `using ep = select.epoll()`: closed at the block's end, as `with select.epoll() as ep:`. */
  [Symbol.dispose](): void { this.close(); }

  [pyRepr](): string { return `<select.epoll object>`; }
}

// The addon gives [events, data]; CPython's tuples are (data.fd, events).
const swap = (events: [number, number][]): [number, number][] => events.map(([ev, fd]) => [fd, ev]);

/** Python's select module: poll(), select() and epoll. */
export const select = {
  poll: (): Poll => new Poll(),
  epoll: (sizehint?: number, flags?: number): Epoll => new Epoll(sizehint, flags),
  select: selectPromise,
  selectSync,
};
