// The soak: npm run soak -- [--scale S] [--json]
// A million Sync calls and a hundred thousand Promise-form calls (S = 1) on
// loopback, with aborts and closes in the middle of pending calls; at the
// end the process's RSS, thread count and open fd count must be within a
// small bound of where they were after warm-up, and every datagram sent must
// have been received (loopback with a receiver waiting loses none; a lost
// one would be a call that took a datagram and did not hand it back).
import { readdirSync, readFileSync } from 'node:fs';
import { socket, AbortError, SocketClosedError, AF_INET, SOCK_DGRAM, type Socket } from 'sockcall';

const status = () => readFileSync('/proc/self/status', 'utf8');
const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status())![1]);
function measure(): { rssKiB: number; threads: number; fds: number } {
  return { rssKiB: field('VmRSS'), threads: field('Threads'), fds: readdirSync('/proc/self/fd').length };
}

const gc = (globalThis as { gc?: () => void }).gc;
async function settle(): Promise<void> {
  // sockcall's idle threads exit after a second without work.
  await new Promise((r) => setTimeout(r, 1500));
  for (let i = 0; i < 3; i++) { gc?.(); await new Promise((r) => setImmediate(r)); }
}

function pair(): [Socket, Socket, [string, number]] {
  const a = socket(AF_INET, SOCK_DGRAM);
  a.bind(['127.0.0.1', 0]);
  const addr = a.getsockname() as [string, number];
  const b = socket(AF_INET, SOCK_DGRAM);
  b.connectSync(addr);
  return [a, b, addr];
}

interface Counters { sent: number; received: number; syncCalls: number; asyncCalls: number; aborted: number; closed: number }

async function workload(scale: number, c: Counters): Promise<void> {
  const payload = Buffer.from('soak');
  const buf = Buffer.alloc(64);
  // a million Sync calls: send, then recvfrom into a reused buffer
  {
    const [a, b] = pair();
    const n = Math.round(500_000 * scale);
    for (let i = 0; i < n; i++) {
      b.sendSync(payload);
      c.sent++;
      const [k] = a.recvfrom_intoSync(buf);
      if (k === payload.length) c.received++;
      c.syncCalls += 2;
    }
    a.close(); b.close();
  }

  // a hundred thousand Promise-form calls, in batches of 100 pending at once;
  // one in ten aborted before its datagram, one in fifty closed under it
  {
    const n = Math.round(100_000 * scale);
    const batch = 100;
    for (let done = 0; done < n; done += batch) {
      const socks = Array.from({ length: 10 }, pair);
      const waits: Promise<void>[] = [];
      for (let k = 0; k < batch; k++) {
        const [a, b] = socks[k % socks.length];
        const i = done + k;
        c.asyncCalls++;
        if (i % 10 === 3) {
          const ac = new AbortController();
          const p = a.recvfrom(64, { signal: ac.signal });
          ac.abort();
          waits.push(p.then(() => { throw new Error('an aborted recvfrom resolved'); },
            (e) => { if (!(e instanceof AbortError)) throw e; c.aborted++; }));
        } else if (i % 50 === 7) {
          const lone = socket(AF_INET, SOCK_DGRAM);
          lone.bind(['127.0.0.1', 0]);
          const p = lone.recvfrom(64);
          lone.close();
          waits.push(p.then(() => { throw new Error('a recvfrom on a closed socket resolved'); },
            (e) => { if (!(e instanceof SocketClosedError)) throw e; c.closed++; }));
        } else {
          const p = a.recvfrom(64);
          b.sendSync(payload);
          c.sent++;
          waits.push(p.then(([d]) => { if (d.length === payload.length) c.received++; }));
        }
      }
      await Promise.all(waits);
      for (const [a, b] of socks) { a.close(); b.close(); }
    }
  }

}

export interface SoakResult {
  syncCalls: number;
  asyncCalls: number;
  aborted: number;
  closed: number;
  sent: number;
  received: number;
  before: ReturnType<typeof measure>;
  middle: ReturnType<typeof measure>;
  after: ReturnType<typeof measure>;
  seconds: number;
  /** false under AddressSanitizer, whose quarantine makes RSS grow by design */
  rssJudged: boolean;
  problems: string[];
}

function asanLoaded(): boolean {
  return /\/libasan[^/\n]*\.so/.test(readFileSync('/proc/self/maps', 'utf8'));
}

export async function soak(scale = 1): Promise<SoakResult> {
  const started = performance.now();
  // Warm-up: the whole workload at 0.3 of full scale, so that what grows
  // once to a plateau (V8's heap spaces, glibc's malloc arenas for
  // sockcall's threads) has grown before the first measure: measured here,
  // RSS rises by about 25 MiB up to that point and then stays.
  const counters = { sent: 0, received: 0, syncCalls: 0, asyncCalls: 0, aborted: 0, closed: 0 };
  await workload(0.3, counters);
  await settle();
  const before = measure();
  Object.assign(counters, { sent: 0, received: 0, syncCalls: 0, asyncCalls: 0, aborted: 0, closed: 0 });
  // The workload twice, RSS judged over the second: V8 grows its heap once
  // more after warm-up, by 16-17 MiB here whatever the scale (0.05 to 0.4;
  // 1-2 MiB with the facade's FinalizationRegistry off: heapTotal grows,
  // heapUsed does not), and then stays (under 1 MiB over the second half),
  // while a leak grows with every call, in both halves.
  await workload(scale / 2, counters);
  await settle();
  const middle = measure();
  await workload(scale / 2, counters);
  const { sent, received, syncCalls, asyncCalls, aborted, closed } = counters;

  await settle();
  const after = measure();
  const problems: string[] = [];
  if (received !== sent) problems.push(`${sent - received} of ${sent} datagrams sent were not received`);
  if (after.threads !== before.threads) problems.push(`threads: ${before.threads} after warm-up, ${after.threads} at the end`);
  if (after.fds !== before.fds) problems.push(`open fds: ${before.fds} after warm-up, ${after.fds} at the end`);
  // V8 keeps some of what it grew; a leak per call would be many MiB here.
  // Under AddressSanitizer (its runtime preloaded, as test/sanitizers.test.ts
  // runs this) every free goes to a quarantine that holds up to
  // quarantine_size_mb (256 MiB by default) before any memory is reused, so
  // RSS grows by design and says nothing of leaks there: threads, fds and
  // datagrams are still judged, RSS only in an uninstrumented run.
  const rssJudged = !asanLoaded();
  const growthKiB = after.rssKiB - middle.rssKiB;
  if (rssJudged && growthKiB > 16 * 1024) problems.push(`RSS grew by ${growthKiB} KiB over the second half (bound: 16 MiB)`);
  return { syncCalls, asyncCalls, aborted, closed, sent, received, before, middle, after, rssJudged,
    seconds: (performance.now() - started) / 1000, problems };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const i = process.argv.indexOf('--scale');
  const scale = i >= 0 ? Number(process.argv[i + 1]) : 1;
  if (!gc) process.stderr.write('soak: run with --expose-gc for a steadier RSS figure\n');
  const r = await soak(scale);
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(r) + '\n');
  } else {
    process.stdout.write(`sockcall soak (scale ${scale}): ${r.syncCalls} Sync calls, ${r.asyncCalls} Promise-form calls ` +
      `(${r.aborted} aborted, ${r.closed} closed while pending) in ${r.seconds.toFixed(1)} s\n` +
      `datagrams: ${r.sent} sent, ${r.received} received\n` +
      `after warm-up: RSS ${r.before.rssKiB} KiB, ${r.before.threads} threads, ${r.before.fds} fds\n` +
      `at the end:    RSS ${r.after.rssKiB} KiB, ${r.after.threads} threads, ${r.after.fds} fds\n` +
      (r.rssJudged ? '' : 'RSS not judged: AddressSanitizer\'s quarantine keeps freed memory by design\n') +
      (r.problems.length ? r.problems.map((p) => `FAIL ${p}`).join('\n') + '\n' : 'no leak, no loss\n'));
  }
  process.exitCode = r.problems.length ? 1 : 0;
}
