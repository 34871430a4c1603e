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
  const out = ['| Contender | pending calls | start them all, ms | resolve them all, ms | RSS while pending, MiB | RSS added, MiB | threads added |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of w.rows) {
    if (r.unavailable !== undefined) {
      out.push(`| ${r.label} | ${int(r.n!)} | unavailable: ${r.unavailable.replace(/\|/g, '\\|')} | | | | |`);
      continue;
    }
    const e = r.extra!;
    out.push(`| ${r.label} | ${int(r.n!)} | ${e.start_ms.toFixed(0)} | ${e.resolve_ms.toFixed(0)} | ` +
      `${e.rss_pending_mib.toFixed(0)} | ${e.rss_added_mib.toFixed(0)} | ${int(e.threads_added)} |`);
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

/** The issue's targets, each against the numbers of this run. */
export function targets(report: Report): Target[] {
  const w = (id: string) => report.workloads.find((v) => v.id === id);
  const out: Target[] = [];
  const rt = w('rt');
  if (rt) {
    for (const [id, name, limit] of [['sys', '`sys` sync round trip', 1.10], ['facade-into', 'facade sync round trip', 1.25]] as const) {
      const r = row(rt, id), cr = row(rt, 'c');
      if (!r || !cr) {
        out.push({ target: `${name} ≤ ${limit.toFixed(2)}× C`, measured: 'not measured', met: null });
        continue;
      }
      const over = r.median! - limit * cr.median!;
      out.push({
        target: `${name} ≤ ${limit.toFixed(2)}× C`,
        measured: `${x(r.ratio!)} C (${us(r.median!)} µs vs C ${us(cr.median!)} µs)` +
          (over > 0 ? `: missed by ${(r.ratio! - limit).toFixed(2)}× C, ${us(over)} µs per round trip` : ''),
        met: over <= 0,
      });
    }
  }
  const as = w('async');
  if (as) {
    for (const form of ['pending', 'send'] as const) {
      const s = row(as, `sys-${form}`), d = row(as, 'dgram'), k = row(as, `koffi-${form}`);
      const formName = form === 'pending' ? 'recvfrom pending, then send' : 'send, then recvfrom';
      if (s && d) {
        out.push({
          target: `async round trip (${formName}) no slower than Node's dgram`,
          measured: `sockcall ${us(s.median!)} µs, dgram ${us(d.median!)} µs (${(s.median! / d.median!).toFixed(2)}× dgram)` +
            (s.median! > d.median! ? `: missed by ${us(s.median! - d.median!)} µs` : ''),
          met: s.median! <= d.median!,
        });
      }
      if (s && k) {
        const speedup = k.median! / s.median!;
        out.push({
          target: `async round trip (${formName}) ≥ 3× faster than koffi's .async()`,
          measured: `koffi ${us(k.median!)} µs ÷ sockcall ${us(s.median!)} µs = ${speedup.toFixed(2)}×` +
            (speedup < 3 ? `: missed; 3× would be ${us(k.median! / 3)} µs` : ''),
          met: speedup >= 3,
        });
      }
    }
  }
  const rv = w('recv');
  if (rv) {
    const d = row(rv, 'dgram');
    for (const id of ['sys-promise', 'sys-stream', 'sys-batch']) {
      const s = row(rv, id);
      if (!s || !d) continue;
      const rateOk = s.median! >= d.median!;
      const lostOk = s.extra!.lost_total <= d.extra!.lost_total;
      out.push({
        target: `receive throughput (${s.label.replace(/^sockcall /, '')}) ≥ dgram's, losing no more than dgram`,
        measured: `${int(s.median!)}/s vs dgram ${int(d.median!)}/s (${(s.median! / d.median!).toFixed(2)}×); ` +
          `lost ${int(s.extra!.lost_total)} vs dgram ${int(d.extra!.lost_total)} of ${int(s.extra!.sent_total)}`,
        met: rateOk && lostOk,
      });
    }
  }
  const pe = w('pending');
  if (pe) {
    const s = pe.rows.find((r) => r.id === 'sys-10000');
    out.push({
      target: '10,000 pending blocking calls under 1 GiB RSS',
      measured: s && s.unavailable === undefined
        ? `${s.extra!.rss_pending_mib.toFixed(0)} MiB RSS (${s.extra!.rss_added_mib.toFixed(0)} MiB added), ` +
          `${int(s.extra!.threads_added)} threads added`
        : `not measured${s?.unavailable ? `: ${s.unavailable}` : ''}`,
      met: s && s.unavailable === undefined ? s.extra!.rss_pending_mib < 1024 : null,
    });
  }
  const ca = w('cancel');
  if (ca) {
    const row10k = (id: string) => ca.rows.find((r) => r.id === `${id}-10000` && r.unavailable === undefined);
    for (const [id, name] of [['sys-close', 'close()'], ['sys-abort', 'abort()']] as const) {
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
    `Machine: ${m.cpu}, ${m.cores} cores; ${m.kernel}; Node.js ${m.node}; ${m.python}; ${m.cc}. ` +
      `sockcall ${m.sockcall}; koffi ${m.peers.koffi}; posix-socket ${m.peers['posix-socket']}. ` +
      `Run ${m.date}, load average at start ${m.loadavg.join(' ')}, ${report.seconds} s in all` +
      (report.quick ? ' (--quick: a tenth of the work per round)' : '') + '.',
    '',
    'Each contender is a process of its own, set up once; rounds alternate between them and the tables give the ' +
      'median round, with the ratio to C from the same run. CPU per operation is read from /proc/PID/task/*/stat ' +
      'around each round and summed over the rounds (10 ms ticks): the main thread, and all other threads together. ' +
      'A benchmark, not a test: nothing here fails.',
  ];
  for (const w of report.workloads) {
    lines.push('', `## ${w.title}`, '', w.what, '');
    if (w.id === 'recv') lines.push(...throughputTable(w));
    else if (w.id === 'pending') lines.push(...pendingTable(w));
    else if (w.id === 'cancel') lines.push(...cancelTable(w));
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
