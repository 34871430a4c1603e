// `sockcall lab`: builds the lab (topology.ts), runs an experiment in it,
// and removes it, whatever happens.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { formatGrid, formatRuns, matrixJson, measure, selectCells } from './matrix.ts';
import { LabError, canMakeLabs, sweep } from './netns.ts';
import { labDir, runInLab } from './run.ts';
import type { CompareResult, CompareJob } from './runner.ts';
import { cellPage, cellWords } from './timeline.ts';
import { renderTimeline } from '../html.ts';
import { KINDS, MODES, allCells, cellName, kind, type Cell, type Family, type Mode, Lab } from './topology.ts';

export const LAB_USAGE = `usage: sockcall lab [KIND...] [--family 4|6] [--mode MODE] [--recverr on|off] [--packets]
       sockcall lab --matrix [--json FILE] [--packets]
       sockcall lab --compare [KIND...] [--family 4|6] [--mode MODE] [--recverr on|off] [--json FILE]
       sockcall lab KIND [--family 4|6] [--mode MODE] [--recverr on|off] --html FILE
       sockcall lab -- COMMAND [ARG...]
       sockcall lab --plan | --sweep

Builds a lab of three network namespaces (a client, a router that forwards, a
server; veth links; IPv4 and IPv6; documentation addresses only), runs an
experiment in it, and removes it, also on Ctrl-C and on failure. A lab left
by a process killed with SIGKILL is removed by the next run (or --sweep).
Needs root (CAP_NET_ADMIN).

  KIND...        the ICMP kinds to run (${KINDS.map((k) => k.name).join(', ')}); default all
  --matrix       every kind x {UDP connected, UDP unconnected, TCP connect} x
                 {IP_RECVERR off, on} x {IPv4, IPv6}, measured now, as tables
  --json FILE    also write the measurements (or the comparisons) as JSON
  --packets      show each run's packets, as tcpdump shows them
  --compare      run each cell's Python program and its TypeScript port under
                 sockcall compare, in the lab: MATCH, or the rows that differ
  --mode MODE    ${MODES.join(', ')}
  --recverr on|off
                 only the cells with IP_RECVERR (IPV6_RECVERR) set, or not set
  --html FILE    one cell on a time line: its Python program and its TypeScript
                 port, each under strace (as --compare runs them) while the
                 client's link is captured, side by side on compare's rows, with
                 their threads, the socket's kernel state and the packets on c0,
                 the ICMP error joined to the call it was reported to; written to
                 FILE (one self-contained HTML page). One cell: KIND, and
                 --family (default 4), --mode (udp-connected), --recverr (off).
                 Not with --matrix: a time line needs each call's entry and
                 return from strace and one pair at a time on the link, where the
                 matrix runs its 96 cells untraced, eight at once; 96 sections of
                 lanes would bury the one cell a reader came for, and the grid
                 already compares the cells. Draw the cell the grid points to.
  -- COMMAND     run COMMAND in the client's namespace (exit status: COMMAND's)
  --plan         print the lab's addresses and what makes each ICMP error
  --sweep        remove labs whose owner is gone, and nothing else
`;

function fail(msg: string): number {
  process.stderr.write(`sockcall lab: ${msg}\n`);
  return 2;
}

function plan(): string {
  const lines = [
    'the lab: client c0 --- r0 router r1 --- s0 server (veth links, in namespaces sockcall-lab-PID-START-N-{client,router,server})',
    '  client  192.0.2.2/24, 2001:db8:1::2/64; each run sends from an address of its own (192.0.2.10-209, 2001:db8:1::1:1-c8)',
    '  router  192.0.2.1/24 and 2001:db8:1::1/64 (r0); 198.51.100.1/24 and 2001:db8:2::1/64 (r1, mtu 1280); forwarding on',
    '  server  198.51.100.2/24, 2001:db8:2::2/64 (s0); nothing listens on port 1060',
    '',
    'the ICMP kinds (destination IPv4 / IPv6):',
    ...KINDS.map((k) => `  ${k.name.padEnd(12)} ${k.to[4]} / ${k.to[6]}: ${k.how}`),
  ];
  return lines.join('\n') + '\n';
}

interface Options {
  kinds: string[]; family: Family | null; mode: Mode | null; recverr: boolean | null; json: string | null; packets: boolean;
  html: string | null;
}

async function withLab<T>(fn: (lab: Lab) => Promise<T>): Promise<T> {
  const stale = sweep();
  if (stale.length > 0) process.stderr.write(`sockcall lab: removed ${stale.length} namespaces of labs whose owner is gone\n`);
  const lab = await Lab.create();
  try {
    return await fn(lab);
  } finally {
    lab.remove();
  }
}

async function cmdMatrix(o: Options, all: boolean): Promise<number> {
  const t0 = performance.now();
  const cells = all ? allCells() : selectCells(allCells(), o.kinds, o.family, o.mode, o.recverr);
  const m = await withLab((lab) => measure(lab, cells));
  const total = performance.now() - t0;
  if (!m.capture.ok) process.stdout.write(`(no capture of the client's link: ${m.capture.error})\n`);
  if (all) {
    process.stdout.write(formatGrid(m).join('\n') + '\n');
    process.stdout.write('Each cell: what the socket was told. UDP: the errno of SO_ERROR after the first datagram and of the next\n' +
      'recvfrom after the second ("—": nothing, recvfrom timed out); TCP: connect\'s outcome (timeout 0.3 s). q: the error\n' +
      'queue held the ICMP error. The runs, one a line:\n\n');
  }
  process.stdout.write(formatRuns(m, o.packets || !all).join('\n') + '\n');
  const failed = m.runs.filter((r) => r.status !== 0);
  process.stdout.write(`\n${m.runs.length} runs in ${(total / 1000).toFixed(1)} s (the lab built in ${m.buildMs} ms, ` +
    `the runs took ${(m.runMs / 1000).toFixed(1)} s); the lab is removed\n`);
  if (o.json !== null) writeFileSync(o.json, JSON.stringify({ ...(matrixJson(m) as object), totalMs: Math.round(total) }, null, 2) + '\n');
  if (failed.length > 0) {
    process.stderr.write(`sockcall lab: ${failed.length} programs did not end normally: ${failed.map((r) => r.name).join(', ')}\n`);
    return 1;
  }
  return 0;
}

async function cmdCompare(o: Options): Promise<number> {
  const t0 = performance.now();
  const cells = selectCells(allCells(), o.kinds, o.family, o.mode, o.recverr);
  const results = await withLab(async (lab) => {
    const jobs: CompareJob[] = cells.map((c) => {
      const inv = lab.invocation(c);
      return { type: 'compare', id: cellName(c), left: `${inv.program}.py`, right: `${inv.program}.ts`, args: inv.args, cwd: labDir,
        deadline: 5 };
    });
    const out = await runInLab(lab, jobs, { concurrency: 4, capture: false });
    return out.results as CompareResult[];
  });
  const width = Math.max(...results.map((r) => r.id.length));
  for (const r of results) {
    process.stdout.write(`${r.id.padEnd(width)}  ${r.verdict}\n`);
    if (!r.match && r.text) process.stdout.write(r.text.split('\n').map((l) => `    ${l}`).join('\n') + '\n');
  }
  const bad = results.filter((r) => !r.match);
  process.stdout.write(`\n${bad.length === 0 ? `all ${results.length} pairs matched` : `${bad.length} of ${results.length} pairs diverged`}` +
    ` (${((performance.now() - t0) / 1000).toFixed(1)} s); the lab is removed\n`);
  if (o.json !== null) writeFileSync(o.json, JSON.stringify(results.map((r) => ({ id: r.id, match: r.match, verdict: r.verdict,
    comparison: r.json })), null, 2) + '\n');
  return bad.length === 0 ? 0 : 1;
}

/**
 * The one cell --html draws: KIND, and the family, mode and IP_RECVERR
 * given, or the article's case (IPv4, UDP connected, no IP_RECVERR).
 */
export function htmlCell(kinds: string[], family: Family | null, mode: Mode | null, recverr: boolean | null): Cell | string {
  if (kinds.length !== 1) {
    return `--html draws one cell: name one KIND (${KINDS.map((k) => k.name).join(', ')})` +
      `${kinds.length > 1 ? `, not ${kinds.length}` : ''}, e.g. sockcall lab port --family 4 --html lab.html`;
  }
  return { kind: kinds[0], family: family ?? 4, mode: mode ?? 'udp-connected', recverr: recverr ?? false };
}

async function cmdHtml(o: Options, cell: Cell, file: string): Promise<number> {
  const t0 = performance.now();
  const { result, timeline, packets } = await withLab(async (lab) => {
    const page = await cellPage(lab, cell);
    return { ...page, packets: o.packets ? page.packets : [] };
  });
  process.stdout.write(`${result.id}  (${cellWords(cell)})  ${result.verdict}\n`);
  if (result.text) process.stdout.write(result.text.split('\n').map((l) => `    ${l}`).join('\n') + '\n');
  if (packets.length > 0) {
    const first = packets[0].t;
    for (const p of packets) process.stdout.write(`    ${((p.t - first) * 1000).toFixed(3).padStart(9)} ms  ${p.line}\n`);
  }
  if (o.json !== null) writeFileSync(o.json, JSON.stringify([{ id: result.id, match: result.match, verdict: result.verdict,
    comparison: result.json }], null, 2) + '\n');
  if (timeline === null) return fail(`${result.id}: no page: ${result.error ?? result.verdict}`);
  writeFileSync(file, renderTimeline(timeline));
  process.stdout.write(`\n(${((performance.now() - t0) / 1000).toFixed(1)} s); the lab is removed\n`);
  process.stderr.write(`sockcall lab: wrote ${file}\n`);
  return result.match ? 0 : 1;
}

async function cmdRun(argv: string[]): Promise<number> {
  return withLab(async (lab) => {
    process.stderr.write(`sockcall lab: running in ${lab.ns.client}: ${argv.join(' ')}\n`);
    const cmd = lab.ns.exec(lab.ns.client, argv);
    return new Promise<number>((resolve, reject) => {
      const child = spawn(cmd[0], cmd.slice(1), { stdio: 'inherit' });
      child.on('error', reject);
      child.on('close', (status, signal) => resolve(status ?? (signal ? 128 : 1)));
    });
  });
}

export async function lab(argv: string[]): Promise<number> {
  const dashdash = argv.indexOf('--');
  const command = dashdash >= 0 ? argv.slice(dashdash + 1) : null;
  const args = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
  const o: Options = { kinds: [], family: null, mode: null, recverr: null, json: null, packets: false, html: null };
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const [k, inline] = args[i].split('=', 2);
    const value = () => inline ?? args[++i];
    if (k === '--help' || k === '-h') { process.stdout.write(LAB_USAGE); return 0; }
    if (k === '--family') {
      const f = value();
      if (f !== '4' && f !== '6') return fail('--family must be 4 or 6');
      o.family = Number(f) as Family;
    } else if (k === '--mode') {
      const m = value();
      if (!MODES.includes(m as Mode)) return fail(`--mode must be one of ${MODES.join(', ')}`);
      o.mode = m as Mode;
    } else if (k === '--recverr') {
      const r = value();
      if (r !== 'on' && r !== 'off') return fail('--recverr must be on or off');
      o.recverr = r === 'on';
    } else if (k === '--html') {
      o.html = value() ?? null;
      if (o.html === null || o.html.startsWith('--')) return fail('--html needs a file name');
    } else if (k === '--json') {
      o.json = value() ?? null;
      if (o.json === null) return fail('--json needs a file name');
    } else if (k === '--packets') {
      o.packets = true;
    } else if (['--matrix', '--compare', '--plan', '--sweep'].includes(k)) {
      flags.add(k);
    } else if (k.startsWith('-')) {
      return fail(`unknown option ${args[i]}\n${LAB_USAGE}`);
    } else {
      try { kind(k); } catch (e) { return fail((e as Error).message); }
      o.kinds.push(k);
    }
  }
  if (flags.has('--plan')) { process.stdout.write(plan()); return 0; }
  // What --html cannot draw is said before anything is built.
  let htmlCellOf: Cell | null = null;
  if (o.html !== null) {
    if (command !== null) return fail('--html draws a cell\'s two programs, not a command: sockcall lab KIND --html FILE');
    if (flags.has('--matrix')) {
      return fail('--html draws one cell, not the matrix (96 cells, run untraced, eight at once): ' +
        'sockcall lab KIND [--family 4|6] [--mode MODE] [--recverr on|off] --html FILE (sockcall lab --help says why)');
    }
    const cell = htmlCell(o.kinds, o.family, o.mode, o.recverr);
    if (typeof cell === 'string') return fail(cell);
    htmlCellOf = cell;
  }
  const can = canMakeLabs();
  if (!can.ok) return fail(can.why);
  try {
    if (flags.has('--sweep')) {
      const removed = sweep();
      process.stdout.write(removed.length ? `removed ${removed.join(', ')}\n` : 'no stale lab\n');
      return 0;
    }
    if (command !== null) {
      if (command.length === 0) return fail('-- needs a command');
      return await cmdRun(command);
    }
    if (htmlCellOf !== null) return await cmdHtml(o, htmlCellOf, o.html!);
    if (flags.has('--compare')) return await cmdCompare(o);
    const all = flags.has('--matrix');
    if (all && (o.kinds.length > 0 || o.family !== null || o.mode !== null || o.recverr !== null)) {
      return fail('--matrix runs every cell; leave out KIND, --family, --mode and --recverr');
    }
    return await cmdMatrix(o, all);
  } catch (e) {
    if (e instanceof LabError) return fail(e.message);
    throw e;
  }
}
