// `npm run bench`: sockcall against C, CPython, Node's dgram and the FFI
// peers (koffi, posix-socket), in one run. It builds the C reference with the
// system compiler, starts every contender as a process of its own, runs them
// in alternating rounds (the machine has 2 cores and is shared), and reports
// medians and the ratio to C measured in the same run, as Markdown and JSON
// in bench/results/. It reports; it never fails on a number.
//
//   npm run bench                 the full run
//   npm run bench -- --readme     ... and write the tables into README.md
//   npm run bench -- --quick      a tenth of the rounds' work, to try it out
//   npm run bench -- --only rt,gso   some workloads only (rt async async-standalone recv recv-fast gso pending cancel)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { Contender, cpuDelta, oneShot, threadCpu } from './lib/proc';
import { machine } from './lib/machine';
import { renderMarkdown, type Report, type Row, type Workload } from './lib/report';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'bench', 'results');
const buildDir = path.join(results, 'build');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const scale = quick ? 0.1 : 1;
const count = (n: number) => Math.max(1, Math.round(n * scale));

/** Per-workload sizes; the README and the report state them. */
const plan = {
  rt: { rounds: 20, perRound: count(10_000), warmup: count(20_000) },
  async: { rounds: 20, perRound: count(2_000), warmup: count(2_000) },
  recv: { rounds: 3, perRound: count(1_000_000), warmup: count(100_000) },
  gso: { rounds: 20, perRound: count(50_000), warmup: count(20_000) },
  pending: { rounds: 3, sizes: [1_000, 10_000] },
  cancel: { rounds: 5, sizes: [1_000, 10_000] },
  standalone: { runs: 5, perRound: count(20_000) },
};

function log(line: string): void {
  process.stderr.write(line + '\n');
}

// ---- building what the run needs ------------------------------------------------

interface Built { cbench: string | null; cReason: string; floor: string | null; floorReason: string }

function nodeApiHeaders(): string | null {
  const candidates = [
    path.join(path.dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
    path.join(root, 'node_modules', 'koffi', 'vendor', 'node-api-headers', 'include'),
  ];
  return candidates.find((d) => existsSync(path.join(d, 'node_api.h'))) ?? null;
}

function build(): Built {
  mkdirSync(buildDir, { recursive: true });
  const out: Built = { cbench: null, cReason: '', floor: null, floorReason: '' };
  const cbench = path.join(buildDir, 'bench');
  try {
    execFileSync('cc', ['-O2', '-Wall', '-o', cbench, path.join(root, 'bench', 'c', 'bench.c'), '-lpthread'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    out.cbench = cbench;
  } catch (err) {
    out.cReason = `cc -O2 failed: ${(err as Error).message.split('\n')[0]}`;
  }
  // The Node.js contenders, as JavaScript that node runs with no loader:
  // the state of a user's compiled program, without a TypeScript loader's
  // memory (tsx is 30 MiB of RSS) or start-up in every measurement.
  const jsDir = path.join(buildDir, 'node');
  mkdirSync(jsDir, { recursive: true });
  for (const name of ['common', 'contender', 'pending']) {
    const source = readFileSync(path.join(root, 'bench', 'node', `${name}.ts`), 'utf8');
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText.replace(/from '\.\/common'/g, "from './common.mjs'");
    writeFileSync(path.join(jsDir, `${name}.mjs`), js);
  }
  const headers = nodeApiHeaders();
  if (headers === null) {
    out.floorReason = 'no node_api.h found';
  } else {
    const floor = path.join(buildDir, 'floor.node');
    try {
      execFileSync('cc', ['-O2', '-Wall', '-shared', '-fPIC', `-I${headers}`, '-o', floor,
        path.join(root, 'bench', 'c', 'floor.c')], { stdio: ['ignore', 'pipe', 'pipe'] });
      out.floor = floor;
    } catch (err) {
      out.floorReason = `cc -O2 -shared failed: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  return out;
}

// ---- contenders ---------------------------------------------------------------------

interface Spec {
  id: string;
  label: string;
  /** [command, args] or a reason it cannot run. */
  cmd: [string, string[]] | string;
  reference?: boolean;
  note?: string;
}

let built: Built;

const node = (spec: string): [string, string[]] => [process.execPath, [path.join(buildDir, 'node', 'contender.mjs'), spec]];
const py = (mode: string): [string, string[]] => ['python3', [path.join(root, 'bench', 'py', 'contender.py'), mode]];
const c = (mode: string): [string, string[]] | string => (built.cbench ? [built.cbench, [mode]] : built.cReason);
const floor = (spec: string): [string, string[]] | string => (built.floor ? node(spec) : built.floorReason);

function contenders(workload: string): Spec[] {
  switch (workload) {
    case 'rt': return [
      { id: 'c', label: 'C (send, recvfrom)', cmd: c('rt') },
      { id: 'sys', label: 'sockcall `sys` sync: `sendSync`, `recvfromSync(fd, buf)`', cmd: node('rt:sys') },
      { id: 'sys-noaddr', label: 'sockcall `sys` sync, no address: `recvfromSync(fd, buf, 0, null)`', cmd: node('rt:sys-noaddr') },
      { id: 'facade-into', label: 'sockcall facade sync: `sendSync`, `recvfrom_intoSync(buf)`', cmd: node('rt:facade-into') },
      { id: 'facade', label: 'sockcall facade sync: `recvfromSync(2048)` (new bytes)', cmd: node('rt:facade') },
      { id: 'py-into', label: 'CPython `recvfrom_into(buf)`', cmd: py('rt-recvfrom_into') },
      { id: 'py', label: 'CPython `recvfrom(2048)`', cmd: py('rt-recvfrom') },
      { id: 'koffi', label: 'koffi sync calls (libc `send`, `recvfrom`)', cmd: node('rt:koffi'),
        note: 'the address stays raw bytes' },
      { id: 'posix-socket', label: 'posix-socket `send`, `recvfrom`', cmd: node('rt:posix-socket'),
        note: 'its recvfrom writes the address into the flags argument (a bug in 1.1.4): JS never gets it' },
      { id: 'floor', label: 'reference: minimal N-API addon (bench/c/floor.c)', cmd: floor('rt:floor'), reference: true,
        note: 'no checks, no address: the floor for any addon' },
    ];
    case 'async': return [
      { id: 'c-pending', label: 'C: recvfrom on a pthread, then send; semaphore back', cmd: c('async-pending') },
      { id: 'c-send', label: 'C: send, then recvfrom on a pthread; semaphore back', cmd: c('async-send') },
      { id: 'c-pending-turns', label: 'C: recvfrom on four pthreads in turn, then send; semaphore back',
        cmd: c('async-pending-turns'), note: "libuv's and sockcall's pools hand calls out in turn" },
      { id: 'c-send-turns', label: 'C: send, then recvfrom on four pthreads in turn; semaphore back',
        cmd: c('async-send-turns') },
      { id: 'sys-pending', label: 'sockcall `sys.recvfrom()` pending, then `sendSync`', cmd: node('async:sys-pending') },
      { id: 'sys-send', label: 'sockcall `sendSync`, then `await sys.recvfrom()`', cmd: node('async:sys-send') },
      { id: 'sys-ready', label: "sockcall readiness form: `sys.recvfrom(..., { wait: 'readiness' })` pending, then `sendSync`",
        cmd: node('async:sys-ready') },
      { id: 'facade-pending', label: 'sockcall facade `recvfrom(2048)` pending, then `sendSync`', cmd: node('async:facade-pending') },
      { id: 'facade-send', label: 'sockcall facade `sendSync`, then `await recvfrom(2048)`', cmd: node('async:facade-send') },
      { id: 'sys-pending-64k', label: 'sockcall `sys.recvfrom()` into a 65,535-byte buffer pending, then `sendSync`',
        cmd: node('async:sys-pending-64k'), note: "the article's size" },
      { id: 'facade-pending-64k', label: 'sockcall facade `recvfrom(65535)` pending, then `sendSync`',
        cmd: node('async:facade-pending-64k'), note: "the article's call" },
      { id: 'dgram', label: "Node dgram: `send`, wait for 'message'", cmd: node('async:dgram') },
      { id: 'koffi-pending', label: 'koffi `recvfrom.async()` pending, then `send`', cmd: node('async:koffi-pending') },
      { id: 'koffi-send', label: 'koffi `send`, then `recvfrom.async()`', cmd: node('async:koffi-send') },
    ];
    case 'recv': return [
      { id: 'c', label: 'C `recvfrom` loop', cmd: c('recv') },
      { id: 'c-mmsg', label: 'C `recvmmsg` loop of up to 64, MSG_WAITFORONE', cmd: c('recv-mmsg'),
        note: 'what batching saves with no runtime in the way' },
      { id: 'sys-promise', label: 'sockcall `await sys.recvfrom()` in a loop', cmd: node('recv:sys-promise') },
      { id: 'sys-ready', label: "sockcall `await sys.recvfrom(..., { wait: 'readiness' })` in a loop", cmd: node('recv:sys-ready') },
      { id: 'sys-stream', label: 'sockcall stream: `await sys.poll()`, then `recvfromSync(MSG_DONTWAIT)` until EAGAIN', cmd: node('recv:sys-stream'),
        note: 'built in bench/ on the public API' },
      { id: 'sys-batch', label: 'sockcall batch: `await sys.recvfrom()`, then `recvfromSync(MSG_DONTWAIT)` until EAGAIN', cmd: node('recv:sys-batch'),
        note: 'built in bench/ on the public API' },
      { id: 'sys-mmsg', label: 'sockcall `await sys.recvmmsg()` of up to 64, MSG_WAITFORONE, in a loop', cmd: node('recv:sys-mmsg') },
      { id: 'sys-mmsg-ready', label: "sockcall `await sys.recvmmsg(..., { wait: 'readiness' })` of up to 64, MSG_WAITFORONE",
        cmd: node('recv:sys-mmsg-ready') },
      { id: 'dgram', label: "Node dgram 'message' events", cmd: node('recv:dgram') },
      { id: 'py', label: 'CPython `recvfrom_into` loop', cmd: py('recv') },
    ];
    case 'gso': return [
      { id: 'c', label: 'C `getsockopt`', cmd: c('gso') },
      { id: 'sys', label: 'sockcall `sys.getsockopt(fd, SOL_SOCKET, SO_ERROR)`', cmd: node('gso:sys') },
      { id: 'facade', label: 'sockcall facade `getsockopt(SOL_SOCKET, SO_ERROR)`', cmd: node('gso:facade') },
      { id: 'py', label: 'CPython `getsockopt(SOL_SOCKET, SO_ERROR)`', cmd: py('gso') },
      { id: 'koffi', label: 'koffi sync `getsockopt`', cmd: node('gso:koffi') },
      { id: 'posix-socket', label: 'posix-socket `getsockopt`', cmd: node('gso:posix-socket') },
      { id: 'floor', label: 'reference: minimal N-API addon', cmd: floor('gso:floor'), reference: true },
    ];
  }
  throw new Error(workload);
}

// ---- running --------------------------------------------------------------------

const live = new Set<Contender>();
process.on('exit', () => { for (const p of live) p.kill(); });
process.on('SIGINT', () => process.exit(130));

async function startAll(specs: Spec[]): Promise<Map<string, { spec: Spec; proc?: Contender; info?: Record<string, unknown>; reason?: string }>> {
  const out = new Map<string, { spec: Spec; proc?: Contender; info?: Record<string, unknown>; reason?: string }>();
  for (const spec of specs) {
    if (typeof spec.cmd === 'string') {
      out.set(spec.id, { spec, reason: spec.cmd });
      continue;
    }
    const proc = new Contender(spec.cmd[0], spec.cmd[1]);
    live.add(proc);
    const r = await proc.ready();
    if (r.ok) {
      out.set(spec.id, { spec, proc, info: r.info });
    } else {
      live.delete(proc);
      proc.kill();
      out.set(spec.id, { spec, reason: r.reason });
    }
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function rotate<T>(xs: T[], k: number): T[] {
  const i = k % xs.length;
  return [...xs.slice(i), ...xs.slice(0, i)];
}

/** Workloads 1, 2 and 4: time per operation, rounds alternating between contenders. */
async function timed(id: string, title: string, what: string, p: { rounds: number; perRound: number; warmup: number },
  timeoutMs: number): Promise<Workload> {
  log(`\n== ${title}`);
  const procs = await startAll(contenders(id));
  const perOp = new Map<string, number[]>();
  // CPU of the main thread and of the others, summed over the rounds.
  const cpu = new Map<string, { main: number; others: number; ops: number }>();
  const failed = new Map<string, string>();
  const running = () => [...procs.values()].filter((x) => x.proc && !failed.has(x.spec.id));
  for (const x of running()) {
    try {
      await x.proc!.run(p.warmup, timeoutMs);
    } catch (err) {
      failed.set(x.spec.id, (err as Error).message);
    }
  }
  for (let r = 0; r < p.rounds; r++) {
    for (const x of rotate(running(), r)) {
      try {
        const pid = x.proc!.child.pid!;
        const before = threadCpu(pid);
        const res = await x.proc!.run(p.perRound, timeoutMs);
        const [main, others] = cpuDelta(pid, before, threadCpu(pid));
        const acc = cpu.get(x.spec.id) ?? { main: 0, others: 0, ops: 0 };
        cpu.set(x.spec.id, { main: acc.main + main, others: acc.others + others, ops: acc.ops + res.n });
        const list = perOp.get(x.spec.id) ?? [];
        list.push(res.ns / res.n);
        perOp.set(x.spec.id, list);
      } catch (err) {
        failed.set(x.spec.id, (err as Error).message);
      }
    }
    log(`  round ${r + 1}/${p.rounds}: ${[...perOp].map(([k, v]) => `${k} ${(v[v.length - 1] / 1000).toFixed(2)}`).join(', ')}`);
  }
  await Promise.all([...procs.values()].map(async (x) => { if (x.proc) { await x.proc.quit(); live.delete(x.proc); } }));
  const cMedian = perOp.has(id === 'async' ? 'c-pending' : 'c') ? median(perOp.get(id === 'async' ? 'c-pending' : 'c')!) : NaN;
  const rows: Row[] = [...procs.values()].map(({ spec, reason }) => {
    const v = perOp.get(spec.id);
    const why = reason ?? failed.get(spec.id);
    if (!v || why) return { id: spec.id, label: spec.label, note: spec.note, reference: spec.reference, unavailable: why ?? 'no result' };
    const m = median(v);
    const c = cpu.get(spec.id)!;
    return {
      id: spec.id, label: spec.label, note: spec.note, reference: spec.reference,
      median: m, min: Math.min(...v), max: Math.max(...v), ratio: m / cMedian, rounds: v,
      extra: { cpu_main_ns_per_op: c.main / c.ops, cpu_others_ns_per_op: c.others / c.ops },
    };
  });
  return { id, title, what, unit: 'ns/op', plan: p, rows };
}

/**
 * Workload 2b: the async round trip as a user's script meets it: each
 * contender a process of its own, started for one run of `perRound` round
 * trips and ended, nothing else running (no other contender is alive), as
 * `node script.ts` is. Its first round trips are part of the run, JIT
 * warm-up included, as they are a script's.
 */
async function standalone(p: { runs: number; perRound: number }): Promise<Workload> {
  const title = '2b. Async round trip, standalone';
  log(`\n== ${title}`);
  const what = `Each contender of workload 2 as a process of its own, started for one run of ` +
    `${p.perRound.toLocaleString('en-US')} round trips and ended, with nothing else running; ${p.runs} runs each, ` +
    'alternating: the state of a script run alone. What a thread\'s sleep and wake-up cost depends on what an ' +
    'idle CPU does (cpuidle, in the Machine line: in a VM whose guest does not poll, an idle CPU halts and is ' +
    'woken through the host) and on the state the host keeps the CPUs in, which the harness of workload 2, where ' +
    'the contenders take turns, keeps faster. "× C" is against C\'s pending-first loop run the same way.';
  const specs = contenders('async');
  const perOp = new Map<string, number[]>();
  const failed = new Map<string, string>();
  for (let r = 0; r < p.runs; r++) {
    for (const spec of rotate(specs, r)) {
      if (failed.has(spec.id)) continue;
      if (typeof spec.cmd === 'string') {
        failed.set(spec.id, spec.cmd);
        continue;
      }
      const proc = new Contender(spec.cmd[0], spec.cmd[1]);
      live.add(proc);
      try {
        const ready = await proc.ready();
        if (!ready.ok) {
          failed.set(spec.id, ready.reason);
          continue;
        }
        const res = await proc.run(p.perRound, 120_000);
        perOp.set(spec.id, [...(perOp.get(spec.id) ?? []), res.ns / res.n]);
        await proc.quit();
      } catch (err) {
        failed.set(spec.id, (err as Error).message);
        proc.kill();
      } finally {
        live.delete(proc);
      }
    }
    log(`  run ${r + 1}/${p.runs}: ${[...perOp].map(([k, v]) => `${k} ${(v[v.length - 1] / 1000).toFixed(2)}`).join(', ')}`);
  }
  const cMedian = perOp.has('c-pending') ? median(perOp.get('c-pending')!) : NaN;
  const rows: Row[] = specs.map((spec) => {
    const v = perOp.get(spec.id);
    const why = typeof spec.cmd === 'string' ? spec.cmd : failed.get(spec.id);
    if (!v || why) return { id: spec.id, label: spec.label, note: spec.note, unavailable: why ?? 'no result' };
    const m = median(v);
    return { id: spec.id, label: spec.label, note: spec.note, median: m, min: Math.min(...v), max: Math.max(...v),
      ratio: m / cMedian, rounds: v };
  });
  return { id: 'async-standalone', title, what, unit: 'ns/op', plan: p, rows };
}

/**
 * Workload 3: a sender process blasts datagrams at each receiver in turn;
 * 3b: the same from a sender that batches them with sendmmsg(2), fast
 * enough that a receiver, not the sender, sets the rate.
 */
const FAST_RECEIVERS = ['c', 'c-mmsg', 'sys-ready', 'sys-mmsg', 'sys-mmsg-ready', 'dgram'];
async function throughput(fast = false): Promise<Workload> {
  const p = plan.recv;
  const title = fast ? '3b. Receive throughput from a faster sender (sendmmsg)' : '3. Receive throughput';
  log(`\n== ${title}`);
  const what = `${p.perRound.toLocaleString('en-US')} datagrams of 64 bytes per round from a C sender process ` +
    (fast ? '(sendmmsg(2) of 64 at a time, as fast as it goes)' : '(send(2) as fast as it goes)') +
    ` into one socket with the default receive buffer; ${p.rounds} rounds per contender, ` +
    'alternating; rate = datagrams received / time from the first to the end marker. Lost = sent - received.';
  const procs = await startAll(contenders('recv').filter((s) => !fast || FAST_RECEIVERS.includes(s.id)));
  const res = new Map<string, { rate: number; received: number; lost: number; sendRate: number }[]>();
  const failed = new Map<string, string>();
  let round = 1;
  const once = async (id: string, proc: Contender, port: number, n: number) => {
    const r = round++;
    proc.send(`run ${n} ${r}`);
    const armed = await proc.nextLine(60_000);
    if (armed !== 'armed') throw new Error(`said ${JSON.stringify(armed)} instead of armed`);
    const sender = new Contender(built.cbench!, [fast ? 'send-mmsg' : 'send', String(port), String(n), String(r)]);
    live.add(sender);
    try {
      const sent = await sender.result(120_000);
      const got = await proc.result(180_000);
      return {
        rate: got.received / (got.ns / 1e9), received: got.received, lost: n - got.received,
        sendRate: sent.sent / (sent.send_ns / 1e9),
      };
    } finally {
      sender.kill();
      live.delete(sender);
    }
  };
  const running = () => [...procs.values()].filter((x) => x.proc && !failed.has(x.spec.id));
  if (built.cbench) {
    for (const x of running()) {
      try {
        await once(x.spec.id, x.proc!, x.info!.port as number, p.warmup);
      } catch (err) {
        failed.set(x.spec.id, (err as Error).message);
      }
    }
    for (let r = 0; r < p.rounds; r++) {
      for (const x of rotate(running(), r)) {
        try {
          const o = await once(x.spec.id, x.proc!, x.info!.port as number, p.perRound);
          res.set(x.spec.id, [...(res.get(x.spec.id) ?? []), o]);
          log(`  round ${r + 1}/${p.rounds} ${x.spec.id}: ${Math.round(o.rate).toLocaleString('en-US')}/s, lost ${o.lost}`);
        } catch (err) {
          failed.set(x.spec.id, (err as Error).message);
        }
      }
    }
  }
  await Promise.all([...procs.values()].map(async (x) => { if (x.proc) { await x.proc.quit(); live.delete(x.proc); } }));
  const cRate = res.has('c') ? median(res.get('c')!.map((o) => o.rate)) : NaN;
  const rows: Row[] = [...procs.values()].map(({ spec, reason }) => {
    const v = res.get(spec.id);
    const why = reason ?? failed.get(spec.id) ?? (built.cbench ? undefined : `no sender: ${built.cReason}`);
    if (!v || why) return { id: spec.id, label: spec.label, note: spec.note, unavailable: why ?? 'no result' };
    const rates = v.map((o) => o.rate);
    const m = median(rates);
    return {
      id: spec.id, label: spec.label, note: spec.note, median: m, min: Math.min(...rates), max: Math.max(...rates),
      ratio: cRate / m, rounds: rates,
      extra: {
        lost_median: median(v.map((o) => o.lost)), lost_total: v.reduce((s, o) => s + o.lost, 0),
        sent_total: v.length * p.perRound, sender_rate_median: median(v.map((o) => o.sendRate)),
      },
    };
  });
  return { id: fast ? 'recv-fast' : 'recv', title, what, unit: 'datagrams/s', plan: p, rows };
}

/**
 * Workloads 5 and 6: for each size, `rounds` runs of each contender,
 * alternating, each a fresh process given the size as its last argument;
 * what each printed (shaped by `shape`), and why a contender has none.
 */
async function freshRuns(impls: Spec[], sizes: number[], rounds: number,
  shape: (o: Record<string, number>) => Record<string, number>,
  describe: (n: number, id: string, v: Record<string, number>) => string,
): Promise<Map<number, { got: Map<string, Record<string, number>[]>; failed: Map<string, string> }>> {
  const out = new Map<number, { got: Map<string, Record<string, number>[]>; failed: Map<string, string> }>();
  for (const n of sizes) {
    const got = new Map<string, Record<string, number>[]>();
    const failed = new Map<string, string>();
    for (let r = 0; r < rounds; r++) {
      for (const spec of rotate(impls, r)) {
        if (failed.has(spec.id)) continue;
        if (typeof spec.cmd === 'string') {
          failed.set(spec.id, spec.cmd);
          continue;
        }
        const o = await oneShot(spec.cmd[0], [...spec.cmd[1], String(n)], 180_000);
        if ('unavailable' in o) {
          failed.set(spec.id, String(o.unavailable));
          log(`  ${n} ${spec.id}: ${o.unavailable}`);
          continue;
        }
        const v = shape(o);
        got.set(spec.id, [...(got.get(spec.id) ?? []), v]);
        log(describe(n, spec.id, v));
      }
    }
    out.set(n, { got, failed });
  }
  return out;
}

/** Workload 5: N blocking recvfroms pending at once. */
async function pending(): Promise<Workload> {
  const p = plan.pending;
  const title = '5. Concurrency: pending blocking recvfroms';
  log(`\n== ${title}`);
  const what = 'N recvfrom calls started on one UDP socket, each blocking on a thread; RSS and threads read from ' +
    '/proc/self/status 300 ms after the last was started; then N datagrams are sent (at most 64 not yet taken, so ' +
    `that none is dropped) and timed until every call has returned. Median of ${p.rounds} runs, each a fresh process.`;
  const pendingJs = path.join(buildDir, 'node', 'pending.mjs');
  const impls: Spec[] = [
    { id: 'sys', label: 'sockcall `sys.recvfrom()` (a thread per call)', cmd: [process.execPath, [pendingJs, 'sys']] },
    { id: 'c', label: 'C: a pthread per call (default attributes)', cmd: built.cbench ? [built.cbench, ['pending']] : built.cReason },
    { id: 'py', label: 'CPython: a threading.Thread per call', cmd: ['python3', [path.join(root, 'bench', 'py', 'contender.py'), 'pending']] },
    // Run by tsx: as plain JavaScript (pending.mjs) koffi 3.3.4 crashes here
    // with 1,000 calls pending (SIGSEGV in libuv's worker(), uv_mutex_lock
    // of a null loop), every time; under tsx's loader it does not.
    { id: 'koffi', label: 'koffi `recvfrom.async()` (max_async_calls raised to its maximum, 4096)',
      cmd: [process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'node', 'pending.ts'), 'koffi']],
      note: "under tsx (its RSS includes the loader's ~30 MiB): as plain JavaScript koffi crashes here (SIGSEGV)" },
  ];
  const rows: Row[] = [];
  const runs = await freshRuns(impls, p.sizes, p.rounds, (o) => o, (n, id, o) =>
    `  ${n} ${id}: start ${(o.start_ns / 1e6).toFixed(0)} ms, resolve ${(o.resolve_ns / 1e6).toFixed(0)} ms, ` +
    `RSS ${(o.rss_pending_kib / 1024).toFixed(0)} MiB, ${o.threads_pending} threads`);
  for (const n of p.sizes) {
    const { got, failed } = runs.get(n)!;
    for (const spec of impls) {
      const v = got.get(spec.id);
      if (!v || failed.has(spec.id)) {
        rows.push({ id: `${spec.id}-${n}`, label: spec.label, note: spec.note, n, unavailable: failed.get(spec.id) ?? 'no result' });
        continue;
      }
      const med = (k: string) => median(v.map((o) => o[k]));
      rows.push({
        id: `${spec.id}-${n}`, label: spec.label, note: spec.note, n, median: med('resolve_ns'),
        extra: {
          start_ms: med('start_ns') / 1e6, resolve_ms: med('resolve_ns') / 1e6,
          rss_pending_mib: med('rss_pending_kib') / 1024,
          rss_added_mib: median(v.map((o) => o.rss_pending_kib - o.rss_before_kib)) / 1024,
          threads_pending: med('threads_pending'), threads_added: median(v.map((o) => o.threads_pending - o.threads_before)),
        },
      });
    }
  }
  return { id: 'pending', title, what, unit: 'see columns', plan: p, rows };
}

/**
 * Workload 6: N blocking recvfroms ended at once, by close() of their socket
 * or by abort() of the signal they share, against C doing what close() must
 * before close(2) (signal each thread, wait until each has left the kernel).
 */
async function cancel(): Promise<Workload> {
  const p = plan.cancel;
  const title = '6. Cancellation: ending N pending recvfroms at once';
  log(`\n== ${title}`);
  const what = 'N recvfrom calls blocked on one UDP socket, each on a thread (in the readiness form, waiting in the event loop), ended at once 300 ms after the last ' +
    'started. "holds the event loop" is how long the call that ends them takes on the JavaScript thread (C: its ' +
    'main thread); "CPU" is the CPU time of all the process\'s threads meanwhile (getrusage), "all settled" the ' +
    'time until the last Promise has settled. close() returns only once no call is in the kernel or on its way ' +
    "there (a number freed before would reach it), which is what C's row does and nothing else: its CPU divided " +
    'by the cores is the least any close() with that guarantee can hold the loop here. abort() returns at once. ' +
    'The readiness form\'s calls have no thread: close() ends them on the JavaScript thread. CPython cannot end a recv blocked in another thread. ' +
    `Median of ${p.rounds} runs, each a fresh process.`;
  const pendingJs = path.join(buildDir, 'node', 'pending.mjs');
  const impls: Spec[] = [
    { id: 'sys-close', label: 'sockcall `sys.close(fd)`', cmd: [process.execPath, [pendingJs, 'close']] },
    { id: 'c-close', label: 'C: pthread_kill each thread, wait for each out of recvfrom, close(2)',
      cmd: built.cbench ? [built.cbench, ['close']] : built.cReason },
    { id: 'sys-abort', label: 'sockcall `abort()` of the AbortSignal the calls share',
      cmd: [process.execPath, [pendingJs, 'abort']] },
    { id: 'sys-close-ready', label: "sockcall `sys.close(fd)` of readiness-form calls (`{ wait: 'readiness' }`: no threads)",
      cmd: [process.execPath, [pendingJs, 'close-ready']] },
  ];
  const rows: Row[] = [];
  // C's close_ns is both: nothing is left to settle once it returns.
  const runs = await freshRuns(impls, p.sizes, p.rounds,
    (o) => ({ end_ns: o.end_ns ?? o.close_ns, settle_ns: o.settle_ns ?? o.close_ns, cpu_ns: o.cpu_ns }),
    (n, id, v) => `  ${n} ${id}: holds the loop ${(v.end_ns / 1e6).toFixed(1)} ms (CPU ${(v.cpu_ns / 1e6).toFixed(1)} ms), ` +
      `all settled ${(v.settle_ns / 1e6).toFixed(1)} ms`);
  for (const n of p.sizes) {
    const { got, failed } = runs.get(n)!;
    for (const spec of impls) {
      const v = got.get(spec.id);
      if (!v || failed.has(spec.id)) {
        rows.push({ id: `${spec.id}-${n}`, label: spec.label, n, unavailable: failed.get(spec.id) ?? 'no result' });
        continue;
      }
      const ends = v.map((o) => o.end_ns);
      rows.push({
        id: `${spec.id}-${n}`, label: spec.label, n, median: median(ends), min: Math.min(...ends), max: Math.max(...ends),
        extra: {
          end_ms: median(ends) / 1e6, settle_ms: median(v.map((o) => o.settle_ns)) / 1e6,
          cpu_ms: median(v.map((o) => o.cpu_ns)) / 1e6,
        },
      });
    }
  }
  return { id: 'cancel', title, what, unit: 'ms', plan: p, rows };
}

// ---- main ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const t0 = Date.now();
  built = build();
  log(`C reference: ${built.cbench ?? built.cReason}; N-API floor: ${built.floor ?? built.floorReason}`);
  if (built.floor) process.env.BENCH_FLOOR = built.floor;
  const report: Report = { machine: machine(root), quick, workloads: [], seconds: 0 };
  const want = (id: string) => only === null || only.includes(id);
  if (want('rt')) {
    report.workloads.push(await timed('rt', '1. Sync round trip',
      `send(2) 64 bytes on one connected UDP socket on 127.0.0.1, recvfrom(2) them on the other into a reused ` +
      `2048-byte buffer; ${plan.rt.rounds} rounds of ${plan.rt.perRound.toLocaleString('en-US')} round trips per contender ` +
      `(after ${plan.rt.warmup.toLocaleString('en-US')} unmeasured), alternating.`, plan.rt, 120_000));
  }
  if (want('async')) {
    report.workloads.push(await timed('async', '2. Async round trip',
      `The receive made on another thread while the event loop (or C's main thread) waits; ${plan.async.rounds} rounds of ` +
      `${plan.async.perRound.toLocaleString('en-US')} round trips per contender (after ${plan.async.warmup.toLocaleString('en-US')} ` +
      'unmeasured), alternating. "× C" is against C\'s pending-first loop.', plan.async, 120_000));
  }
  if (want('async-standalone')) report.workloads.push(await standalone(plan.standalone));
  if (want('recv')) report.workloads.push(await throughput());
  if (want('recv-fast')) report.workloads.push(await throughput(true));
  if (want('gso')) {
    report.workloads.push(await timed('gso', '4. A cheap system call alone: getsockopt(SO_ERROR)',
      `${plan.gso.rounds} rounds of ${plan.gso.perRound.toLocaleString('en-US')} calls per contender ` +
      `(after ${plan.gso.warmup.toLocaleString('en-US')} unmeasured), alternating.`, plan.gso, 120_000));
  }
  if (want('pending')) report.workloads.push(await pending());
  if (want('cancel')) report.workloads.push(await cancel());
  report.seconds = Math.round((Date.now() - t0) / 1000);
  const md = renderMarkdown(report);
  const json = JSON.stringify(report, null, 2) + '\n';
  mkdirSync(results, { recursive: true });
  const stamp = report.machine.date.replace(/[:.]/g, '-');
  for (const name of ['latest', stamp]) {
    writeFileSync(path.join(results, `${name}.md`), md);
    writeFileSync(path.join(results, `${name}.json`), json);
  }
  if (args.includes('--readme')) updateReadme(md);
  process.stdout.write(md);
  log(`\nwritten: bench/results/latest.md, bench/results/latest.json (and ${stamp}.*)` +
    (args.includes('--readme') ? ', README.md' : ''));
}

// README.md's "## Benchmarks" section holds the latest tables between two
// markers; everything else in the file is left as it is.
function updateReadme(md: string): void {
  const file = path.join(root, 'README.md');
  const text = readFileSync(file, 'utf8');
  const begin = '<!-- bench:begin -->', end = '<!-- bench:end -->';
  const i = text.indexOf(begin), j = text.indexOf(end);
  if (i < 0 || j < i) {
    log('README.md has no <!-- bench:begin --> ... <!-- bench:end --> markers; not updated');
    return;
  }
  const body = md.replace(/^# .*\n+/, '').replace(/^## /gm, '### ');
  writeFileSync(file, text.slice(0, i + begin.length) + '\n' + body.trim() + '\n' + text.slice(j));
}

main().catch((err) => {
  log(String(err?.stack ?? err));
  process.exitCode = 1;
});
