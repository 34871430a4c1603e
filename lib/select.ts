// select.poll() from Python's select module: the facade's form of poll(2),
// made once per poll() with the registered fds in registration order, as
// CPython's Modules/selectmodule.c does.
import { start, type CallOptions } from './calls';
import { native, type NativePollfd } from './native';

const C = native.constants;

type FileLike = number | { fileno(): number };

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

  #list(): NativePollfd[] {
    return [...this.#fds].map(([fd, events]) => ({ fd, events }));
  }

  /** poll(timeout=None) -> [fd, revents][] for the fds with events (timeout in ms). */
  pollSync(timeout?: number | null): [number, number][] {
    const fds = this.#list();
    const [, revents] = native.pollSync(fds, timeoutArg(timeout));
    return ready(fds, revents);
  }

  async poll(timeout?: number | null, options?: CallOptions): Promise<[number, number][]> {
    const fds = this.#list();
    const ms = timeoutArg(timeout);
    const [, revents] = await start<[number, number[]]>('poll', options, (ref) => native.poll(fds, ms, ref));
    return ready(fds, revents);
  }
}

function ready(fds: NativePollfd[], revents: number[]): [number, number][] {
  const out: [number, number][] = [];
  fds.forEach((f, i) => { if (revents[i] !== 0) out.push([f.fd, revents[i]]); });
  return out;
}

/** Python's select module, as far as poll(2) goes. */
export const select = {
  poll: (): Poll => new Poll(),
};
