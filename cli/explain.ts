// `sockcall explain [--host H] [--port P] [--family 4|6] [--html FILE]`: runs the
// article's sequence on loopback and tells what happened, step by step, each
// with the system calls it made (sockcall's tracer) and what the kernel
// answered: the datagram sent, the ICMP that came back (captured with a
// packet socket when the privilege is there, read from the error queue of a
// probe socket otherwise), SO_ERROR holding 111, recvfrom returning it, and
// an unconnected socket that never hears of it. Where something listens on
// the port, it says that the error did not happen, and why. With --html
// FILE it also writes the run as a page (cli/html.ts): the probe runs under
// strace then, for each call's entry time.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownScript } from './runtime.ts';
import { straceWorks, traceRun } from './strace.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Step { lines: string[]; [k: string]: unknown }
export interface Probe {
  host: string; port: number; family: string;
  steps: {
    capture: Step & { ok: boolean; error?: string };
    send: Step & { sent: number };
    soError: Step & { ready: number; soError: number };
    recvfrom: Step & { error?: string; errno?: number; received?: number };
    packets: Step & { packets: string[]; wire?: { stamp: string | null; hex: string }[] };
    errqueue: Step & { ready: number; error?: string; returned?: string; stamp?: string | null;
      ee: { errno: number; errnoName?: string; originName: string; type: number; code: number;
        offender: { addr?: string } | null } | null };
    unconnected: Step & { error?: string; soError: number };
  };
  /** Each socket's descriptor (the packet socket's is null without one). */
  fds?: { a: number; b: number; c: number; d: number; capture: number | null };
}

// Only loopback: explain sends datagrams, and they must not leave the machine.
function loopback(host: string, family: string): boolean {
  // 'localhost' only for IPv4: /etc/hosts names it; for IPv6, glibc would
  // ask DNS (measured here), and that query leaves the machine.
  if (host === 'localhost') return family === '4';
  if (family === '4') return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  return host === '::1';
}

function fail(msg: string): number {
  process.stderr.write(`sockcall explain: ${msg}\n`);
  return 2;
}

export async function explain(argv: string[]): Promise<number> {
  // `explain --lab KIND`: the same telling, of an ICMP error made in a lab
  // of network namespaces (cli/lab/explain.ts).
  if (argv.some((a) => a === '--lab' || a.startsWith('--lab='))) return (await import('./lab/explain.ts')).explainLab(argv);
  let host: string | undefined;
  let port = 1060;
  let family = '4';
  let html: string | undefined;
  let noCapture = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--no-capture') { noCapture = true; continue; }
    const [k, inline] = argv[i].split('=', 2);
    const v = inline ?? argv[++i];
    if (k === '--host') host = v;
    else if (k === '--port') port = Number(v);
    else if (k === '--family') family = v;
    else if (k === '--html' && v !== undefined) html = v;
    else return fail(`unknown option ${argv[i]}`);
  }
  if (family !== '4' && family !== '6') return fail('--family must be 4 or 6');
  if (!Number.isInteger(port) || port < 1 || port > 65535) return fail('--port must be 1-65535');
  host ??= family === '4' ? '127.0.0.1' : '::1';
  if (!loopback(host, family)) return fail(`${host} is not a loopback address: explain only sends on loopback`);

  // The probe writes its trace (SOCKCALL_TRACE, set by startRun); for a page
  // it runs under strace too, when strace can trace here.
  const st = html !== undefined ? straceWorks() : { ok: false as const, why: 'no page was asked for' };
  const started = Date.now() / 1000;
  const r = await traceRun([...ownScript(here, 'explain-probe'), host, String(port), family,
    noCapture ? 'nocapture' : 'capture'], { strace: st.ok, deadlineMs: 30_000 });
  const window = { start: started, end: Date.now() / 1000 };
  process.stderr.write(r.stderr);
  if (r.status !== 0) throw new Error(`the probe failed (${r.signal ?? `status ${r.status}`})`);
  const probe = JSON.parse(r.stdout) as Probe;
  const story = narrate(probe);
  process.stdout.write(story.join('\n') + '\n');
  if (html !== undefined) {
    const { explainTimeline } = await import('./explain-timeline.ts');
    const { renderTimeline } = await import('./html.ts');
    writeFileSync(html, renderTimeline(explainTimeline(probe, r, window, st.ok ? null : st.why,
      story[story.length - 1])));
    process.stderr.write(`sockcall explain: wrote ${html}\n`);
  }
  return 0;
}

// The trace lines, indented, without the duration strace -T would show.
export const show = (lines: string[]) => lines.map((l) => `      ${l.replace(/ <\d+\.\d+>$/, '')}`);

export function narrate(p: Probe): string[] {
  const s = p.steps;
  const where = p.family === '6' ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`;
  const out: string[] = [`sockcall explain: the article's sequence against ${where}`, ''];
  const refused = s.recvfrom.error?.startsWith('ConnectionRefusedError') ?? false;
  const icmpSeen = s.packets.packets.some((l) => l.includes('unreachable'));
  const queued = s.errqueue.ee;

  out.push(`1. A connected UDP socket sends 3 bytes to ${where}.`, ...show(s.send.lines));
  out.push(`   sendto returned ${s.send.sent}: the kernel took the datagram; nothing is known yet about the port.`, '');

  out.push('2. What came back:');
  if (s.capture.ok) {
    out.push('   a packet socket on lo saw, for that datagram (tcpdump -i lo would show the same):');
    out.push(...s.packets.packets.map((l) => `      ${l}`));
    if (icmpSeen) out.push('   the datagram went out, and an ICMP "port unreachable" came back for it.');
    else out.push('   the datagram went out, and no ICMP came back for it.');
  } else {
    out.push(`   (no capture: ${s.capture.error}${/^not asked/.test(s.capture.error ?? '') ? '' : '; run as root to see the packets'})`);
  }
  out.push(`   A probe socket that asked for the error queue (${p.family === '6' ? 'IPV6_RECVERR' : 'IP_RECVERR'}) ` +
    'sent the same datagram:', ...show(s.errqueue.lines));
  if (queued) {
    out.push(`   its queue held a sock_extended_err: errno ${queued.errno} (${queued.errnoName}), origin ${queued.originName}, ` +
      `ICMP type ${queued.type} code ${queued.code}, from ${queued.offender?.addr ?? 'an unknown host'}.`);
  } else {
    out.push(`   its queue stayed empty (${s.errqueue.error ?? 'nothing queued'}): no ICMP error came back.`);
  }
  out.push('');

  out.push('3. The first socket\'s pending error, SO_ERROR:', ...show(s.soError.lines));
  out.push(s.soError.soError === 0 ? '   SO_ERROR is 0: no error is waiting on the socket.'
    : `   SO_ERROR held ${s.soError.soError}: the error waits on the socket for the next call, and reading it clears it.`, '');

  out.push('4. A second connected socket sends, then calls recvfrom (with a 0.5 s timeout):', ...show(s.recvfrom.lines));
  if (refused) {
    out.push(`   recvfrom failed with errno ${s.recvfrom.errno}: ${s.recvfrom.error}. sendto had succeeded; the error ` +
      'arrived later, asynchronously, and was handed to the next call on the socket.');
  } else {
    out.push(`   recvfrom ended with ${s.recvfrom.error ?? `${s.recvfrom.received} bytes received`}.`);
  }
  out.push('');

  out.push('5. An unconnected socket sends the same datagram and waits (0.5 s):', ...show(s.unconnected.lines));
  out.push(`   it ended with ${s.unconnected.error ?? 'data'}, and its SO_ERROR is ${s.unconnected.soError}: ` +
    (refused ? 'the error is reported only to a connected socket, one that named its peer.' : 'nothing to report here either.'), '');

  if (refused) {
    out.push(`So: nothing listens on ${where}; the kernel answered with ICMP port unreachable, kept it as the connected ` +
      'socket\'s error, and gave it to the next call: errno 111.');
  } else {
    const why = !queued && !icmpSeen && s.soError.soError === 0
      ? `Something is listening on ${where}: the kernel delivered the datagram to it, so no ICMP port unreachable ` +
        'came back and there was no error to hand to recvfrom, which simply waited for a reply.'
      : 'the runs above show what the kernel answered instead.';
    out.push(`So: the error did not happen. ${why}`);
  }
  return out;
}
