// The run's report: its JSON shape, the Markdown tables, and the issue's
// targets checked against the numbers of the same run.
import type { Machine } from './machine';

export interface Row {
  id: string;
  label: string;
  note?: string;
  reference?: boolean;
  /** Why it has no numbers (a peer that cannot be installed, loaded or called). */
  unavailable?: string;
  /** ns per operation (workloads 1, 2, 4), datagrams/s (3), resolve ns (5). */
  median?: number;
  min?: number;
  max?: number;
  /** Against C in the same run: time ratio (1, 2, 4), C's rate / this rate (3). */
  ratio?: number;
  rounds?: number[];
  n?: number;
  extra?: Record<string, number>;
}

export interface Workload {
  id: string;
  title: string;
  what: string;
  unit: string;
  plan: object;
  rows: Row[];
}

export interface Report {
  machine: Machine;
  quick: boolean;
  workloads: Workload[];
  seconds: number;
  targets?: Target[];
}

export interface Target {
  target: string;
  measured: string;
  met: boolean | null;
}

const us = (ns: number) => (ns / 1000).toFixed(2);
const x = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');
const int = (n: number) => Math.round(n).toLocaleString('en-US');

function row(w: Workload, id: string): Row | undefined {
  return w.rows.find((r) => r.id === id && r.unavailable === undefined);
}

function timedTable(w: Workload): string[] {
  const out = ['| Contender | median µs | × C | min – max µs | CPU µs/op: main thread + others | note |',
    '| --- | ---: | ---: | ---: | ---: | --- |'];
  for (const r of w.rows) {
    if (r.unavailable !== undefined) {
      out.push(`| ${r.label} | unavailable | | | | ${r.unavailable.replace(/\|/g, '\\|')} |`);
      continue;
    }
    const e = r.extra!;
    out.push(`| ${r.label} | ${us(r.median!)} | ${x(r.ratio!)} | ${us(r.min!)} – ${us(r.max!)} | ` +
      `${us(e.cpu_main_ns_per_op)} + ${us(e.cpu_others_ns_per_op)} | ${r.note ?? ''} |`);
  }
  return out;
}

function standaloneTable(w: Workload): string[] {
  const out = ['| Contender | median µs | × C | min – max µs | note |', '| --- | ---: | ---: | ---: | --- |'];
  for (const r of w.rows) {
    if (r.unavailable !== undefined) {
      out.push(`| ${r.label} | unavailable | | | ${r.unavailable.replace(/\|/g, '\\|')} |`);
      continue;
    }
    out.push(`| ${r.label} | ${us(r.median!)} | ${x(r.ratio!)} | ${us(r.min!)} – ${us(r.max!)} | ${r.note ?? ''} |`);
  }
  return out;
}

function throughputTable(w: Workload): string[] {
  const out = ['| Contender | median datagrams/s | C ÷ this | lost (median per round) | lost, all rounds | sender ran at | note |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |'];
  for (const r of w.rows) {
    if (r.unavailable !== undefined) {
      out.push(`| ${r.label} | unavailable | | | | | ${r.unavailable.replace(/\|/g, '\\|')} |`);
      continue;
    }
    const e = r.extra!;
    const pct = (100 * e.lost_total / e.sent_total).toFixed(1);
    out.push(`| ${r.label} | ${int(r.median!)} | ${x(r.ratio!)} | ${int(e.lost_median)} | ${int(e.lost_total)} of ` +
      `${int(e.sent_total)} (${pct}%) | ${int(e.sender_rate_median)}/s | ${r.note ?? ''} |`);
  }
  return out;
}

function pendingTable(w: Workload): string[] {
  const out = ['| Contender | pending calls | start them all, ms | resolve them all, ms | RSS while pending, MiB | RSS added, MiB | threads added | note |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |'];
  for (const r of w.rows) {
    if (r.unavailable !== undefined) {
      out.push(`| ${r.label} | ${int(r.n!)} | unavailable: ${r.unavailable.replace(/\|/g, '\\|')} | | | | | ${r.note ?? ''} |`);
      continue;
    }
    const e = r.extra!;
    out.push(`| ${r.label} | ${int(r.n!)} | ${e.start_ms.toFixed(0)} | ${e.resolve_ms.toFixed(0)} | ` +
      `${e.rss_pending_mib.toFixed(0)} | ${e.rss_added_mib.toFixed(0)} | ${int(e.threads_added)} | ${r.note ?? ''} |`);
  }
  return out;
}

function cancelTable(w: Workload): string[] {
  const out = ['| Contender | pending calls | holds the event loop, ms (min-max) | CPU meanwhile, all threads, ms | all settled, ms |',
    '| --- | ---: | ---: | ---: | ---: |'];
  for (const r of w.rows) {
    if (r.unavailable !== undefined) {
      out.push(`| ${r.label} | ${int(r.n!)} | unavailable: ${r.unavailable.replace(/\|/g, '\\|')} | | |`);
      continue;
    }
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    out.push(`| ${r.label} | ${int(r.n!)} | ${ms(r.median!)} (${ms(r.min!)}-${ms(r.max!)}) | ` +
      `${r.extra!.cpu_ms.toFixed(1)} | ${r.extra!.settle_ms.toFixed(1)} |`);
  }
  return out;
}

/** The open issues' targets (16: performance; 13: close()), each against the numbers of this run. */
export function targets(report: Report): Target[] {
  const w = (id: string) => report.workloads.find((v) => v.id === id);
  const out: Target[] = [];
  const add = (target: string, measured: string | null, met: boolean | null) =>
    out.push({ target, measured: measured ?? 'not measured', met: measured === null ? null : met });
  const ratio = (a: Row | undefined, b: Row | undefined) => (a && b ? a.median! / b.median! : NaN);
  const rt = w('rt');
  if (rt) {
    const s = row(rt, 'sys'), k = row(rt, 'koffi');
    add('sync `sys` round trip no slower than koffi\'s', s && k ? `sys ${us(s.median!)} µs, koffi ${us(k.median!)} µs ` +
      `(${ratio(s, k).toFixed(2)}× koffi)` : null, s && k ? s.median! <= k.median! : null);
  }
  for (const [id, where, limit] of [['async', 'in the harness', 1.3], ['async-standalone', 'standalone', 1.1]] as const) {
    const a = w(id);
    if (!a) continue;
    for (const form of ['pending', 'send'] as const) {
      const s = row(a, `sys-${form}`), c = row(a, `c-${form}`), turns = row(a, `c-${form}-turns`);
      const name = form === 'pending' ? 'recvfrom pending, then send' : 'send, then recvfrom';
      // The target is against C's one worker thread (the issue's floor);
      // C over four threads in turn, the way sockcall hands calls out, is
      // shown beside it: the faster of the two when the cores are idle.
      const inTurns = s && turns ? `; C over four threads in turn ${us(turns.median!)} µs: ${ratio(s, turns).toFixed(2)}×` : '';
      add(`Promise-form round trip (${name}) ≤ ${limit}× C's hand-off ${where}`,
        s && c ? `${us(s.median!)} µs vs C ${us(c.median!)} µs: ${ratio(s, c).toFixed(2)}×${inTurns}` : null,
        ratio(s, c) <= limit);
    }
    const slower = a.rows.filter((r) => /^(sys|facade)-(pending|send)$/.test(r.id) && r.unavailable === undefined)
      .map((r) => [r, row(a, `koffi-${r.id.endsWith('pending') ? 'pending' : 'send'}`)] as const)
      .filter(([, k]) => k !== undefined);
    if (slower.length) {
      const behind = slower.filter(([r, k]) => r.median! >= k!.median!);
      add(`every async row ahead of koffi's .async() ${where}`,
        slower.map(([r, k]) => `${r.id} ${us(r.median!)} vs ${us(k!.median!)} µs`).join('; '), behind.length === 0);
    }
    if (id === 'async-standalone') {
      const r = row(a, 'sys-ready'), d = row(a, 'dgram');
      add('readiness-form round trip within 1.2× dgram\'s, standalone',
        r && d ? `${us(r.median!)} µs vs dgram ${us(d.median!)} µs: ${ratio(r, d).toFixed(2)}×` : null, ratio(r, d) <= 1.2);
    }
  }
  for (const id of ['recv', 'recv-fast'] as const) {
    const rv = w(id);
    if (!rv) continue;
    const d = row(rv, 'dgram');
    const c = row(rv, 'c'), cm = row(rv, 'c-mmsg');
    // What batching the receive does in C, with no runtime in the way: the
    // limit of what it can do for sockcall's recvmmsg.
    const inC = c && cm ? `; in C, recvmmsg read ${int(cm.median!)}/s against recvfrom's ${int(c.median!)}/s ` +
      `(${(cm.median! / c.median!).toFixed(2)}×)` : '';
    const from = id === 'recv' ? 'send(2) sender' : 'sendmmsg(2) sender';
    for (const [sid, factor] of [['sys-ready', 1], ['sys-mmsg', 2], ['sys-mmsg-ready', 2]] as const) {
      const s = row(rv, sid);
      if (!s || !d) continue;
      const ok = s.median! >= factor * d.median! && s.extra!.lost_total <= d.extra!.lost_total;
      add(`${s.label.replace(/^sockcall /, '')}: ≥ ${factor === 1 ? '' : `${factor}× `}what dgram reads, losing fewer (${from})`,
        `${int(s.median!)}/s vs dgram ${int(d.median!)}/s (${(s.median! / d.median!).toFixed(2)}×), lost ` +
        `${int(s.extra!.lost_total)} vs ${int(d.extra!.lost_total)}; the sender ran at ${int(s.extra!.sender_rate_median)}/s` +
        (factor > 1 && factor * d.median! > s.extra!.sender_rate_median
          ? `, less than ${factor}× dgram: out of any receiver's reach${inC}` : ''),
        ok);
    }
  }
  const pe = w('pending');
  if (pe) {
    const s = pe.rows.find((r) => r.id === 'sys-10000' && r.unavailable === undefined);
    const c = pe.rows.find((r) => r.id === 'c-10000' && r.unavailable === undefined);
    add('10,000 pending calls in at most 160 MiB RSS', s ? `${s.extra!.rss_pending_mib.toFixed(0)} MiB` +
      (c ? ` (C, a pthread per call, no runtime: ${c.extra!.rss_pending_mib.toFixed(0)} MiB)` : '') : null,
      s ? s.extra!.rss_pending_mib <= 160 : null);
  }
  const ca = w('cancel');
  if (ca) {
    const row10k = (id: string) => ca.rows.find((r) => r.id === `${id}-10000` && r.unavailable === undefined);
    for (const [id, name] of [['sys-close', 'close()'], ['sys-abort', 'abort()'],
      ['sys-close-ready', 'close() of readiness-form calls']] as const) {
      const s = row10k(id), c = row10k('c-close');
      const ms = (ns: number) => (ns / 1e6).toFixed(1);
      out.push({
        target: `${name} of 10,000 pending calls holds the event loop < 50 ms`,
        measured: s
          ? `${ms(s.median!)} ms` + (c && id === 'sys-close'
            ? `; C doing only what the guarantee needs: ${ms(c.median!)} ms, ${c.extra!.cpu_ms.toFixed(1)} ms of CPU, ` +
              `so at least ${(c.extra!.cpu_ms / report.machine.cores).toFixed(1)} ms on ${report.machine.cores} cores`
            : '')
          : 'not measured',
        met: s ? s.median! < 50e6 : null,
      });
    }
  }
  return out;
}

export function renderMarkdown(report: Report): string {
  const m = report.machine;
  report.targets = targets(report);
  const lines = [
    '# sockcall benchmarks',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.cpuidle ?? 'cpuidle not recorded'}; ${m.kernel}; Node.js ${m.node}; ${m.python}; ${m.cc}. ` +
      `sockcall ${m.sockcall}; koffi ${m.peers.koffi}; posix-socket ${m.peers['posix-socket']}. ` +
      `Run ${m.date}, load average at start ${m.loadavg.join(' ')}, ${report.seconds} s in all` +
      (report.quick ? ' (--quick: a tenth of the work per round)' : '') + '.',
    '',
    'Each contender is a process of its own, set up once (the Node.js ones transpiled from bench/node/ and run as ' +
      'plain JavaScript, with no loader); rounds alternate between them and the tables give the ' +
      'median round, with the ratio to C from the same run. CPU per operation is read from /proc/PID/task/*/stat ' +
      'around each round and summed over the rounds (10 ms ticks): the main thread, and all other threads together. ' +
      'A benchmark, not a test: nothing here fails.',
  ];
  for (const w of report.workloads) {
    lines.push('', `## ${w.title}`, '', w.what, '');
    if (w.id === 'recv' || w.id === 'recv-fast') lines.push(...throughputTable(w));
    else if (w.id === 'pending') lines.push(...pendingTable(w));
    else if (w.id === 'cancel') lines.push(...cancelTable(w));
    else if (w.id === 'async-standalone') lines.push(...standaloneTable(w));
    else lines.push(...timedTable(w));
  }
  if (report.targets.length) {
    lines.push('', '## Targets', '', '| Target | Measured | Met |', '| --- | --- | --- |');
    for (const t of report.targets) {
      lines.push(`| ${t.target} | ${t.measured} | ${t.met === null ? '–' : t.met ? 'yes' : '**no**'} |`);
    }
  }
  return lines.join('\n') + '\n';
}
