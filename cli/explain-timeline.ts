// explain's page: the probe's run (cli/explain-probe.ts) as a Timeline.
// Under strace, every call the probe made on its sockets, with strace's
// entry times and durations; without strace, the tracer's lines, in their
// order, with their durations. The packets are those the probe's own
// packet socket saw, each with its kernel timestamp; socket c's error-queue
// entry carries its own (SO_TIMESTAMPNS), so the ICMP's arrival is timed
// even without the privilege to capture.
import { programCalls, tracerCalls } from './calls.ts';
import { parseFrameLine, type CaptureResult, type Captured } from './capture-run.ts';
import type { Probe } from './explain.ts';
import type { TraceResult } from './strace.ts';
import { buildSide, straceLine, socketOf, type RunCall, type Timeline } from './timeline.ts';

export function explainTimeline(p: Probe, r: TraceResult, window: { start: number; end: number }, noStrace: string | null,
  conclusion: string): Timeline {
  const where = p.family === '6' ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`;
  const timed = noStrace === null;
  const selection = timed ? programCalls(r.calls, r.tracer) : tracerCalls(r.tracer);
  const calls: RunCall[] = selection.calls.map((s) => ({ call: s.tokens.call, line: straceLine(s.tokens.call) }));
  const names = new Map<string, string>();
  const fds = p.fds;
  if (fds) {
    names.set(String(fds.a), `a (fd ${fds.a})`);
    names.set(String(fds.b), `b (fd ${fds.b})`);
    names.set(String(fds.c), `c (fd ${fds.c})`);
    names.set(String(fds.d), `d (fd ${fds.d})`);
    if (fds.capture !== null) names.set(String(fds.capture), `capture (fd ${fds.capture})`);
  }
  const stamps = new Map<number, { time: number; stamp: string }>();
  const stamp = p.steps.errqueue.stamp;
  if (fds && stamp) {
    const i = calls.findIndex((c) => c.call.name === 'recvmsg' && socketOf(c.line) === String(fds.c) && /MSG_ERRQUEUE/.test(c.call.args));
    if (i >= 0) stamps.set(i, { time: Number(stamp), stamp });
  }
  let capture: CaptureResult;
  if (p.steps.capture.ok) {
    const frames = (p.steps.packets.wire ?? []).map((f) => parseFrameLine(`p ${f.stamp ?? '-'} ${f.hex}`))
      .filter((f): f is Captured => f !== null);
    capture = { ok: true, frames, untimed: frames.filter((f) => f.time === null).length };
  } else {
    capture = { ok: false, why: `${p.steps.capture.error ?? 'no packet socket'}` +
      (/^not asked/.test(p.steps.capture.error ?? '') ? '' : ': capturing needs CAP_NET_RAW, run as root') };
  }
  const side = buildSide({
    title: `the probe (${where})`, prefix: 'E', clock: timed ? 'strace' : 'order', calls, capture, window,
    mainTids: r.tracer.map((t) => t.pid), socketNames: names, errqueueStamps: stamps,
  });
  const notes = [
    'The probe is one process, one thread, making every call in its Sync form. Its sockets: a, connected, sends, then reads ' +
      'SO_ERROR; b, connected, sends, then recvfrom under a 0.5 s timeout (poll first); c, unconnected with ' +
      `${p.family === '6' ? 'IPV6_RECVERR' : 'IP_RECVERR'} and SO_TIMESTAMPNS, sends, then reads its error queue; d, unconnected, ` +
      'sends, then waits 0.5 s' + (fds?.capture != null ? '; capture, the packet socket on lo, read once the steps are done.' : '.'),
  ];
  if (!timed) notes.push(`No entry times: ${noStrace}.`);
  return {
    title: `sockcall explain: the article's sequence against ${where}`,
    summary: 'What each step of the article\'s sequence asked of the kernel, on a real time axis: the probe\'s system calls, ' +
      'each socket\'s kernel state, and the packets on lo, the ICMP error joined to the call it was reported to.',
    sides: [side], verdict: conclusion, notes,
  };
}
