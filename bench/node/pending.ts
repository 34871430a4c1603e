// Workload 5 of `npm run bench`, one process per measurement:
//
//   node --import tsx bench/node/pending.ts sys|koffi N
//   node --import tsx bench/node/pending.ts close|close-ready|abort N   (workload 6)
//
// Starts N blocking recvfrom calls on one UDP socket, each on a thread (for
// sockcall, a thread of its own; for koffi, its .async() queue), measures
// RSS and the process's threads while they wait, then sends N datagrams and
// times until every call has resolved. Prints one JSON line.
// close|abort: ends the N sockcall calls with sys.close() of the socket, or
// with abort() of the AbortController they share, and times how long that
// call holds the event loop, and until every Promise has settled;
// close-ready: the same close() of N readiness-form calls (no threads).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { sys } from 'sockcall';
import { BUFSIZE, PAYLOAD, say, now, sysPair } from './common';

const require = createRequire(import.meta.url);

function status(field: string): number {
  const m = readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s+(\\d+)`, 'm'));
  return m ? Number(m[1]) : -1;
}

/** Datagrams in flight at once while resolving (as bench.c). */
const WINDOW = 64;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const [impl, count] = process.argv.slice(2);
  const n = Number(count);
  const [a, b] = sysPair();
  const msg = Buffer.alloc(PAYLOAD, 1);
  if (impl === 'close' || impl === 'close-ready' || impl === 'abort') return end(impl, b, n);
  let startOne: () => Promise<unknown>;
  if (impl === 'sys') {
    const buf = Buffer.alloc(BUFSIZE);
    startOne = () => sys.recvfrom(b, buf);
  } else if (impl === 'koffi') {
    let koffi;
    try {
      koffi = require('koffi');
      // The most koffi allows (its default is 256 queued calls).
      koffi.config({ max_async_calls: 4096 });
    } catch (err) {
      say(`unavailable ${JSON.stringify({ reason: String(err) })}`);
      return;
    }
    const recvfrom = koffi.load('libc.so.6')
      .func('long recvfrom(int fd, void *buf, size_t len, int flags, void *addr, void *addrlen)');
    startOne = () => {
      let settle!: (err: unknown, r: number) => void;
      const p = new Promise((resolve, reject) => {
        settle = (err, r) => (err ? reject(err) : resolve(r));
      });
      const buf = Buffer.alloc(BUFSIZE), addr = Buffer.alloc(16), alen = new Uint32Array([16]);
      recvfrom.async(b, buf, BUFSIZE, 0, addr, alen, settle);  // throws when koffi's queue is full
      return p;
    };
  } else {
    throw new Error(`unknown implementation ${impl}`);
  }
  await sleep(50);
  const rss0 = status('VmRSS'), threads0 = status('Threads');
  const calls: Promise<unknown>[] = [];
  const t0 = now();
  try {
    for (let i = 0; i < n; i++) calls.push(startOne());
  } catch (err) {
    say(`unavailable ${JSON.stringify({ reason: `call ${calls.length + 1} of ${n}: ${(err as Error).message}` })}`);
    // koffi's calls left blocked on libuv's threadpool would make
    // process.exit() wait for ever.
    process.kill(process.pid, 'SIGKILL');
  }
  const t1 = now();
  await sleep(300);
  const rss1 = status('VmRSS'), threads1 = status('Threads');
  // At most WINDOW datagrams not yet taken by a call: more would overflow
  // the socket's receive buffer, and a lost datagram leaves a call pending
  // for ever.
  let taken = 0;
  let progress: () => void = () => {};
  for (const c of calls) void c.then(() => { taken++; progress(); });
  const t2 = now();
  for (let sent = 0; sent < n;) {
    if (sent - taken >= WINDOW) {
      await new Promise<void>((r) => { progress = r; });
      continue;
    }
    sys.sendSync(a, msg);
    sent++;
  }
  await Promise.all(calls);
  const t3 = now();

  say(JSON.stringify({
    start_ns: t1 - t0, resolve_ns: t3 - t2, rss_before_kib: rss0, rss_pending_kib: rss1,
    threads_before: threads0, threads_pending: threads1,
  }));
  process.exit(0);
}

async function end(how: 'close' | 'close-ready' | 'abort', fd: number, n: number): Promise<void> {
  const buf = Buffer.alloc(BUFSIZE);
  const ac = new AbortController();
  const options = how === 'abort' ? { signal: ac.signal } : how === 'close-ready' ? { wait: 'readiness' as const } : undefined;
  const calls = Array.from({ length: n }, () => sys.recvfrom(fd, buf, 0, undefined, options).then(
    () => { throw new Error('a call received a datagram nobody sent'); }, () => undefined));
  await sleep(300);
  const c0 = process.cpuUsage(), t0 = now();
  if (how !== 'abort') sys.close(fd);
  else ac.abort();
  const t1 = now(), c1 = process.cpuUsage(c0);
  await Promise.all(calls);
  const t2 = now();
  // process.cpuUsage(): getrusage(RUSAGE_SELF), every thread's CPU, in µs.
  say(JSON.stringify({ end_ns: t1 - t0, settle_ns: t2 - t0, cpu_ns: (c1.user + c1.system) * 1e3 }));
  process.exit(0);
}

void main();
