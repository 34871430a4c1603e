// `sockcall explain --lab KIND [--family 4|6] [--html FILE]`: one row of
// the matrix told as `sockcall explain` tells the article's case: the
// kind's cells run in a lab with sockcall's tracer on, each step of the
// program shown with the system calls it made and what came back on the
// wire, and what the kernel did with the ICMP error, read from what was
// measured. With --html, step 1's cell is also drawn on a time line, in the
// same lab: the page `sockcall lab KIND --html FILE` writes (timeline.ts).
import { writeFileSync } from 'node:fs';
import { show } from '../explain.ts';
import { renderTimeline } from '../html.ts';
import { errnoIn, isTraceLine, type CellRun } from './cells.ts';
import { measure } from './matrix.ts';
import { LabError, canMakeLabs, sweep } from './netns.ts';
import { cellPage } from './timeline.ts';
import { Lab, kind, type Cell, type Family, type Kind, type Mode } from './topology.ts';

function fail(msg: string): number {
  process.stderr.write(`sockcall explain: ${msg}\n`);
  return 2;
}

/** The run's steps, each with the trace lines written since the step before it. */
function tracedSteps(run: CellRun): { line: string; calls: string[] }[] {
  const out: { line: string; calls: string[] }[] = [];
  let calls: string[] = [];
  for (const l of run.combined ?? []) {
    if (isTraceLine(l)) calls.push(l);
    else {
      out.push({ line: l, calls });
      calls = [];
    }
  }
  return out;
}

const value = (run: CellRun, call: string, n = 0) => run.steps.filter((s) => s.call === call)[n]?.result;

function wire(run: CellRun): string[] {
  if (run.packets.length === 0) return ['   (nothing of it was seen on the client\'s link)'];
  const t0 = run.packets[0].t;
  return run.packets.map((p) => `      ${((p.t - t0) * 1000).toFixed(3).padStart(8)} ms  ${p.line}`);
}

function told(run: CellRun): boolean {
  if (run.cell.mode === 'tcp') return errnoIn(value(run, 'connect') ?? '') !== null || errnoIn(value(run, 'SO_ERROR') ?? '') !== null;
  return errnoIn(value(run, 'SO_ERROR') ?? '') !== null || errnoIn(value(run, 'recvfrom') ?? '') !== null;
}

function narrateRun(run: CellRun, title: string): string[] {
  const out = [title];
  for (const s of tracedSteps(run)) {
    if (s.line.startsWith('bound: ')) {
      out.push(...show(s.calls), `   ${s.line.replace('bound: ', 'the socket is bound to ')} (this run's own source address)`);
      continue;
    }
    out.push(...show(s.calls), `   ${s.line}`);
  }
  out.push('   on the client\'s link:', ...wire(run));
  return out;
}

function icmpWords(run: CellRun): string {
  const p = run.packets.find((x) => x.icmp !== undefined && x.dir === 'in');
  if (p === undefined) {
    return run.packets.some((x) => x.flags?.includes('R')) ? 'a TCP RST, and no ICMP' : 'nothing';
  }
  const line = p.line.slice(p.line.indexOf(': ') + 2);
  return `${line} (type ${p.icmp!.type}, code ${p.icmp!.code}, from ${p.src})`;
}

export function narrate(k: Kind, family: Family, runs: CellRun[]): string[] {
  const get = (mode: Mode, recverr: boolean) => runs.find((r) => r.cell.mode === mode && r.cell.recverr === recverr)!;
  const conn = get('udp-connected', false);
  const unconn = get('udp-unconnected', false);
  const connErr = get('udp-connected', true);
  const unconnErr = get('udp-unconnected', true);
  const tcp = get('tcp', false);
  const tcpErr = get('tcp', true);
  const to = conn.invocation.to;
  const out: string[] = [`sockcall explain --lab ${k.name}: ${k.title}, IPv${family}, in a lab built for this run`, ''];
  out.push(`In the lab, ${k.how}; the client sends to ${to} port ${conn.invocation.args[3]}.`, '');

  out.push(...narrateRun(conn, '1. A connected UDP socket sends, waits, reads SO_ERROR and its error queue, sends again, calls recvfrom:'));
  out.push(`   What came back: ${icmpWords(conn)}.`);
  if (told(conn)) {
    out.push(`   The socket was told: SO_ERROR held ${value(conn, 'SO_ERROR')}, and the next recvfrom after the second datagram ` +
      `ended with ${value(conn, 'recvfrom')}: the error was kept on the socket and handed to the next call. ` +
      'Without IP_RECVERR a UDP socket hears only of a "hard" error, and only when connected: this one is hard.');
  } else if (conn.packets.some((p) => p.icmp !== undefined)) {
    out.push('   The ICMP error reached the client, and the socket was not told: SO_ERROR stayed 0 and recvfrom timed out. ' +
      'Without IP_RECVERR a UDP socket hears only of a "hard" error, and this one is not.');
  } else {
    out.push('   Nothing came back, so there was nothing to tell: recvfrom timed out.');
  }
  out.push('');

  out.push(...narrateRun(unconn, '2. An unconnected UDP socket does the same with sendto:'));
  out.push(told(unconn) ? `   It was told too: ${value(unconn, 'recvfrom')}.`
    : '   It was not told: a socket without a peer, and without IP_RECVERR, hears of no ICMP error.', '');

  const recverr = family === 6 ? 'IPV6_RECVERR' : 'IP_RECVERR';
  out.push(...narrateRun(unconnErr, `3. The same unconnected socket with ${recverr} set:`));
  const q = value(unconnErr, 'error queue') ?? '';
  out.push(q.startsWith('errno ') ? `   The error queue held a sock_extended_err: ${q}. And the error was also set on the socket ` +
    `(SO_ERROR ${value(unconnErr, 'SO_ERROR')}; recvfrom: ${value(unconnErr, 'recvfrom')}), connected or not.`
    : `   Its error queue held nothing (${q}).`);
  out.push(`   (Connected, with ${recverr}: SO_ERROR ${value(connErr, 'SO_ERROR')}, recvfrom: ${value(connErr, 'recvfrom')}.)`, '');

  out.push(...narrateRun(tcp, '4. TCP connects, with a timeout of 0.3 s:'));
  out.push(`   What came back: ${icmpWords(tcp)}. connect: ${value(tcp, 'connect')}; then SO_ERROR ${value(tcp, 'SO_ERROR')}.`);
  if ((value(tcp, 'connect') ?? '').endsWith('timed out') && errnoIn(value(tcp, 'SO_ERROR') ?? '') !== null) {
    out.push('   connect was not ended by the error: the kernel kept it as the socket\'s soft error (sk_err_soft), ' +
      'which getsockopt(SO_ERROR) hands out when no other error is pending.');
  }
  if ((value(tcp, 'error queue') ?? '').startsWith('errno ')) {
    out.push(`   Its error queue held the ICMP error although ${recverr} was not set.`);
  }
  out.push(`   (With ${recverr}: connect: ${value(tcpErr, 'connect')}; SO_ERROR ${value(tcpErr, 'SO_ERROR')}.)`, '');

  const summary = told(conn) ? `a connected UDP socket was told (${value(conn, 'recvfrom')})` : 'a connected UDP socket was not told';
  const withErr = told(unconnErr) ? `an unconnected one with ${recverr} was told too` : `even ${recverr} showed nothing`;
  out.push(`So: ${icmpWords(conn)} came back; ${summary}; an unconnected one ${told(unconn) ? 'was told as well' : 'was not'}; ${withErr}.`);
  return out;
}

export async function explainLab(argv: string[]): Promise<number> {
  let name: string | undefined;
  let family: Family = 4;
  let html: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split('=', 2);
    if (k === '--lab') name = inline ?? argv[++i];
    else if (k === '--html') {
      html = inline ?? argv[++i] ?? null;
      if (html === null || html.startsWith('--')) return fail('--html needs a file name');
    } else if (k === '--family') {
      const f = inline ?? argv[++i];
      if (f !== '4' && f !== '6') return fail('--family must be 4 or 6');
      family = Number(f) as Family;
    } else return fail(`unknown option ${argv[i]} (explain --lab KIND [--family 4|6] [--html FILE])`);
  }
  if (name === undefined) return fail('--lab needs a KIND: port, host, net, unreachable, prohibit, ttl, pmtu or blackhole');
  let k: Kind;
  try { k = kind(name); } catch (e) { return fail((e as Error).message); }
  const can = canMakeLabs();
  if (!can.ok) return fail(can.why);
  try {
    sweep();
    const lab = await Lab.create();
    let runs: CellRun[];
    let page: Awaited<ReturnType<typeof cellPage>> | null = null;
    try {
      const cells: Cell[] = (['udp-connected', 'udp-unconnected', 'tcp'] as Mode[])
        .flatMap((mode) => [false, true].map((recverr) => ({ kind: k.name, family, mode, recverr })));
      runs = (await measure(lab, cells, 6, true)).runs;
      if (html !== null) page = await cellPage(lab, cells[0]);
    } finally {
      lab.remove();
    }
    process.stdout.write(narrate(k, family, runs).join('\n') + '\n');
    if (html !== null && page !== null) {
      if (page.timeline === null) return fail(`${page.result.id}: no page: ${page.result.error ?? page.result.verdict}`);
      writeFileSync(html, renderTimeline(page.timeline));
      process.stdout.write(`\nStep 1 on a time line, udp.py and udp.ts under strace in the same lab (${page.result.verdict}): ${html}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof LabError) return fail(e.message);
    throw e;
  }
}
