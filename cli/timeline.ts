// What a run's page shows, as data: the system calls with their times and
// threads, the packets a capture saw, and the kernel state of each socket,
// inferred from the two. cli/html.ts draws it; compare, explain (and lab)
// build it from what their runs recorded. Nothing here is invented: a time
// is strace's (-ttt, -T), the tracer's (a duration only), or the kernel's (a
// packet's receive timestamp); a state change is drawn at a measured time or
// as the interval the measurements leave, and says what it is inferred from.
import type { Syscall } from './strace.ts';
import type { Captured, CaptureResult } from './capture-run.ts';
import type { Comparison, Side } from './compare.ts';

// ---- the model the renderer takes --------------------------------------------

/** A system call, as one bar in its thread's lane. */
export interface TimelineCall {
  /** Unique on the page. */
  id: string;
  /** The thread's lane (TimelineThread.key). */
  thread: string;
  /** The line as strace prints it (compare's normalized line, or strace's minus -y's decorations). */
  line: string;
  name: string;
  /** What follows ' = ' ('3', '-1 ECONNREFUSED (Connection refused)'), '?' when it never returned. */
  result: string;
  /** Entry time, seconds since the epoch (strace -ttt), or null when the run gave none (the tracer alone). */
  start: number | null;
  /** Seconds in the call (strace -T, or the tracer's), null when unknown or unfinished. */
  seconds: number | null;
  unfinished: boolean;
  /** The socket the call is made on, by the name the page gives it ('A', 'fd 20'). */
  socket: string | null;
  /** compare: the row of Comparison.rows this call is on. */
  row?: number;
}

export interface TimelineThread { key: string; label: string; detail: string }

/** A packet the capture saw (its incoming copy on the interface). */
export interface WirePacket {
  id: string;
  /** The kernel's receive timestamp, seconds since the epoch. */
  time: number;
  /** As the kernel gave it ("SEC.NSEC"), for the label. */
  stamp: string;
  /** As tcpdump -n prints it. */
  line: string;
  kind: 'udp' | 'tcp' | 'icmp' | 'other';
  /** The interface's lane (default 'lo'). */
  lane?: string;
  /** What the page knows of it: whose socket sent it, which call reported it. */
  note?: string;
}

/** A change of a socket's kernel state. */
export interface KernelEvent {
  id: string;
  /** The socket's lane: one lane per socket that has events. */
  socket: string;
  kind: 'so_error' | 'errqueue';
  /** The state from this event until the next of the same kind: 'SO_ERROR = ECONNREFUSED (111)', 'SO_ERROR = 0', 'queue: 1'. */
  state: string;
  /** Whether the state is "something is pending" (drawn filled). */
  pending: boolean;
  /** The measured instant of the change, or null when only bounds are known (then `span`). */
  time: number | null;
  /** When the instant is unknown: the earliest and latest it can have been. */
  span?: [number, number];
  /** The call that told of it: the one that reported the pending error (for a set), or cleared it. */
  call?: string;
  /** One sentence: what it is inferred from. */
  from: string;
}

/** An arrow from a packet (or a kernel event) to the call that reported it. */
export interface Arrow { from: string; to: string; label: string }

export interface TimelineSide {
  /** The program, or the run's name. */
  title: string;
  /** How the calls' times were obtained: strace's entry times and durations, or the tracer's order and durations only. */
  clock: 'strace' | 'order';
  threads: TimelineThread[];
  calls: TimelineCall[];
  kernel: KernelEvent[];
  packets: WirePacket[];
  /** Why the wire lane is empty or partial, when it is (no privilege, no capture asked for). */
  wireNote: string | null;
  arrows: Arrow[];
  /** When the run ended (an unfinished call's bar ends here), seconds since the epoch. */
  end: number | null;
  /** How this side's times and states were obtained, one sentence each. */
  notes: string[];
  /** How the run ended ("ConnectionRefusedError: [Errno 111] ... (exit status 1)"). */
  outcome?: string;
}

export interface TimelineRow { left: number | null; right: number | null; same: boolean; teardown: boolean }

export interface Timeline {
  /** The page's title. */
  title: string;
  /** One line: what the reader is looking at. */
  summary: string;
  sides: TimelineSide[];
  /** compare: its rows, each naming the index of its call in each side's `calls` (two sides only). */
  rows?: TimelineRow[];
  /** compare's verdict, or explain's conclusion. */
  verdict?: string;
  /** Notes for the whole page. */
  notes?: string[];
}

// ---- reading strace's lines ----------------------------------------------------

/** -y's decorations (`3<socket:[81234]>`) dropped, as compare's lines drop them. */
export const undecorate = (text: string): string => text.replace(/(-?\d+)<(?:[^<>]|<[^<>]*>)*>/g, '$1');

/** The line as strace prints it, without -y's decorations. */
export function straceLine(c: Syscall): string {
  return c.unfinished ? `${c.name}(${undecorate(c.args)} <unfinished ...>` : `${c.name}(${undecorate(c.args)}) = ${undecorate(c.result)}`;
}

/**
 * The socket a line's call is made on, as the line names it: the result of
 * socket() and accept(), the first fd of poll(), else the first argument.
 * Works on compare's normalized lines (A, B...) and on strace's (20).
 */
export function socketOf(line: string): string | null {
  let m = /^(?:socket|accept4?)\(.*\) = ([A-Z]\d*|\d+)\b/.exec(line);
  if (m) return m[1];
  if (/^(?:socket|accept4?|socketpair)\(/.test(line)) return null;
  m = /^p?poll\(\[\{fd=([A-Z]\d*|\d+)/.exec(line);
  if (m) return m[1];
  m = /^\w+\(([A-Z]\d*|\d+)[,)]/.exec(line);
  return m ? m[1] : null;
}

interface Endpoint { addr: string; port: number }

/** The first IPv4 or IPv6 address of a text (strace's sockaddr syntax). */
function endpointIn(text: string): Endpoint | null {
  const v4 = /sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)/.exec(text);
  const v6 = /sin6_port=htons\((\d+)\)[^}]*?inet_pton\(AF_INET6, "([^"]+)"/.exec(text);
  const m = v4 && v6 ? (v4.index < v6.index ? v4 : v6) : v4 ?? v6;
  return m ? { port: Number(m[1]), addr: m[2] } : null;
}

const SENDS = new Set(['sendto', 'send', 'sendmsg', 'sendmmsg', 'write', 'writev', 'connect', 'sendfile']);
const ERRQUEUE = /MSG_ERRQUEUE/;

/**
 * The errors the kernel keeps on a socket (sk_err) when an ICMP error or a
 * TCP reset arrives, and hands to the next call: icmp_err_convert[] in
 * net/ipv4/icmp.c, icmpv6_err_convert() in net/ipv6/icmp.c, tcp_reset().
 */
const ASYNC_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENONET', 'EPROTO',
  'ENOPROTOOPT', 'EOPNOTSUPP', 'EMSGSIZE', 'EACCES', 'ECONNRESET']);

const errnoOf = (result: string): string | null => /^-1 (E[A-Z0-9]+)/.exec(result)?.[1] ?? null;

// ---- a side, from a run ----------------------------------------------------------

/** One call of a run, with what the page names it by. */
export interface RunCall {
  call: Syscall;
  /** The line shown (compare's normalized line, or straceLine(call)). */
  line: string;
  row?: number;
}

export interface SideInput {
  title: string;
  calls: RunCall[];
  /** 'strace' when the calls carry strace's entry times; 'order' for the tracer's lines alone. */
  clock: 'strace' | 'order';
  /** The capture beside the run: its frames, or why there is none. Null: no capture was asked for. */
  capture: CaptureResult | null;
  /** Why no capture was asked for, when `capture` is null. */
  noCapture?: string;
  /** When the run started and ended (seconds since the epoch): frames outside are not the run's. */
  window?: { start: number; end: number };
  /** The main threads' ids (a process's first thread), when known (the tracer's files name them). */
  mainTids?: number[];
  /** Names for sockets, by the name the lines give them ('20' → 'a: connected, sends, reads SO_ERROR'). */
  socketNames?: Map<string, string>;
  /** Measured times of error-queue entries, by the index in `calls` of the recvmsg(MSG_ERRQUEUE) that read them. */
  errqueueStamps?: Map<number, { time: number; stamp: string }>;
  outcome?: string;
  /** Prefix of the ids on the page ('L', 'R', 'E'). */
  prefix: string;
  /**
   * Where the capture was made, when not on lo: the wire lane's name (the
   * interface) and the note that says how its frames were taken and timed.
   */
  wire?: { lane: string; note: string };
}

interface Sock {
  name: string;
  type: 'dgram' | 'stream' | 'other';
  locals: Set<number>;
  peer: Endpoint | null;
}

const fmtUs = (s: number) => (s < 1e-3 ? `${(s * 1e6).toFixed(1)} µs` : s < 1 ? `${(s * 1e3).toFixed(3)} ms` : `${s.toFixed(3)} s`);

/**
 * Builds one side of the page from a run: threads from the calls' ids,
 * packets kept when they are the run's (to or from a port of its sockets,
 * or an ICMP error about a datagram one of them sent), and the kernel state
 * inferred from packets and results.
 */
export function buildSide(input: SideInput): TimelineSide {
  const p = input.prefix;
  const timed = input.clock === 'strace';
  const mains = new Set(input.mainTids ?? []);
  const threads: TimelineThread[] = [];
  const seenTid = new Map<number, string>();
  const calls: TimelineCall[] = input.calls.map((rc, i) => {
    const c = rc.call;
    let thread = seenTid.get(c.tid);
    if (thread === undefined) {
      thread = `${p}t${c.tid}`;
      seenTid.set(c.tid, thread);
    }
    const result = c.unfinished ? '?' : /\) = (.*)$/s.exec(rc.line)?.[1] ?? c.result;
    const sockName = socketOf(rc.line);
    return {
      id: `${p}c${i}`, thread, line: rc.line, name: c.name, result,
      start: timed ? c.time ?? null : null, seconds: c.unfinished ? null : c.seconds ?? null, unfinished: c.unfinished,
      socket: sockName, row: rc.row,
    };
  });
  const tids = [...seenTid.keys()];
  for (const tid of tids) {
    const main = mains.has(tid);
    const only = tids.length === 1;
    threads.push({ key: seenTid.get(tid)!, label: main ? 'main thread' : only ? 'thread' : 'thread',
      detail: main ? `tid ${tid} (the process's first thread)`
        : only ? `tid ${tid} (the only thread that made these calls)`
        : mains.size > 0 ? `tid ${tid} (another thread of the process: sockcall's Promise forms call on the addon's threads)`
        : `tid ${tid}` });
  }

  // Sockets: their type, their local ports and their peer, from the calls.
  const socks = new Map<string, Sock>();
  const sockOf = (name: string) => {
    let s = socks.get(name);
    if (s === undefined) { s = { name, type: 'other', locals: new Set(), peer: null }; socks.set(name, s); }
    return s;
  };
  input.calls.forEach((rc, i) => {
    const name = calls[i].socket;
    if (name === null) return;
    const s = sockOf(name);
    const c = rc.call;
    const ok = !c.unfinished && !c.result.startsWith('-1');
    if (c.name === 'socket' && ok) s.type = /SOCK_DGRAM/.test(c.args) ? 'dgram' : /SOCK_STREAM/.test(c.args) ? 'stream' : 'other';
    const ep = endpointIn(c.args);
    if (ep === null) return;
    if ((c.name === 'bind' || c.name === 'getsockname') && ok && ep.port !== 0) s.locals.add(ep.port);
    if ((c.name === 'connect' && (ok || /EINPROGRESS/.test(c.result))) || (c.name === 'getpeername' && ok)) s.peer = ep;
  });

  // The run's frames: in its window, timed; each sent datagram or segment is
  // told by the sending call it falls in (the kernel's work on a call lies
  // between strace's entry stamp and the thread's next one), which names
  // the socket's port the kernel picked.
  const notes: string[] = [];
  let frames: Captured[] = [];
  let wireNote: string | null = null;
  if (input.capture === null) wireNote = `no capture: ${input.noCapture ?? 'none was asked for'}`;
  else if (!input.capture.ok) wireNote = `no capture: ${input.capture.why}`;
  else {
    const w = input.window;
    frames = input.capture.frames.filter((f) => f.time !== null && (w === undefined || (f.time >= w.start && f.time <= w.end)));
    if (input.capture.untimed > 0) notes.push(`${input.capture.untimed} frames came without a kernel timestamp and are not drawn.`);
  }
  const order = calls.map((_, i) => i);
  const nextOnThread = new Map<number, number | null>();
  if (timed) {
    const byThread = new Map<string, number[]>();
    for (const i of order) {
      if (calls[i].start === null) continue;
      const l = byThread.get(calls[i].thread) ?? [];
      l.push(i);
      byThread.set(calls[i].thread, l);
    }
    for (const l of byThread.values()) {
      l.sort((a, b) => calls[a].start! - calls[b].start!);
      l.forEach((i, k) => nextOnThread.set(i, k + 1 < l.length ? calls[l[k + 1]].start : null));
    }
  }
  const endBound = (i: number): number | null => {
    const c = calls[i];
    if (c.start === null) return null;
    if (c.unfinished) return input.window?.end ?? null;
    return nextOnThread.get(i) ?? (c.start + (c.seconds ?? 0) + 0.001);
  };
  const portsOf = (f: Captured): { sport?: number; dport?: number } => f.tcp ?? { sport: f.packet.sport, dport: f.packet.dport };
  // ICMP errors (RFC 792: destination unreachable, time exceeded, parameter
  // problem; RFC 4443: destination unreachable, packet too big, time
  // exceeded, parameter problem): each quotes the packet it is about. Only
  // the port unreachable is seen on lo; the lab makes the others.
  const isError = (f: Captured) => (f.packet.protocol === 'icmp' && [3, 11, 12].includes(f.packet.type ?? -1)) ||
    (f.packet.protocol === 'icmp6' && [1, 2, 3, 4].includes(f.packet.type ?? -1));
  const sentBy = new Map<Captured, { sock: Sock; call: number }>();
  // A datagram socket's send, but sendmmsg, makes one datagram: the first
  // frame to its destination in its window; any later one is another's.
  const spent = new Set<number>();
  frames.sort((a, b) => a.time! - b.time!);
  if (timed) {
    for (const f of frames) {
      if (isError(f) || f.packet.protocol === 'other' && f.tcp === null) continue;
      const { sport, dport } = portsOf(f);
      const candidates: { sock: Sock; call: number }[] = [];
      input.calls.forEach((rc, i) => {
        const c = calls[i];
        if (!SENDS.has(c.name) || c.start === null || c.socket === null || spent.has(i)) return;
        if (c.result.startsWith('-1 E') && c.name !== 'connect') return;
        const s = sockOf(c.socket);
        if (c.name === 'connect' && s.type === 'dgram') return;  // a UDP connect sends nothing
        const end = endBound(i);
        if (f.time! < c.start || end === null || f.time! > end) return;
        const to = endpointIn(rc.call.args) ?? s.peer;
        if (to === null || to.port !== dport) return;
        candidates.push({ sock: s, call: i });
      });
      if (candidates.length === 1 && sport !== undefined) {
        const { sock, call } = candidates[0];
        sock.locals.add(sport);
        sentBy.set(f, candidates[0]);
        if (sock.type === 'dgram' && calls[call].name !== 'sendmmsg') spent.add(call);
      }
    }
  }
  const owner = (port: number | undefined) => [...socks.values()].find((s) => port !== undefined && s.locals.has(port)) ?? null;
  const kept: { f: Captured; sock: Sock | null; about: Sock | null }[] = [];
  for (const f of frames) {
    if (isError(f)) {
      // An ICMP error quotes the datagram it is about: its source port is the sender's.
      const about = owner(f.packet.sport);
      if (about !== null) kept.push({ f, sock: null, about });
      continue;
    }
    const { sport, dport } = portsOf(f);
    const s = owner(sport) ?? owner(dport);
    if (s !== null) kept.push({ f, sock: s, about: null });
  }
  kept.sort((a, b) => a.f.time! - b.f.time!);
  const packets: WirePacket[] = kept.map(({ f, sock, about }, k) => {
    const kind: WirePacket['kind'] = f.tcp ? 'tcp' : f.packet.protocol === 'udp' ? 'udp'
      : f.packet.protocol === 'icmp' || f.packet.protocol === 'icmp6' ? 'icmp' : 'other';
    const by = sentBy.get(f);
    const name = (s: Sock) => input.socketNames?.get(s.name) ?? s.name;
    const note = by ? `sent by ${calls[by.call].name} on ${name(by.sock)}`
      : about ? `an ICMP error about a ${about.type === 'stream' ? 'segment' : 'datagram'} ${name(about)} sent`
      : sock ? `to ${name(sock)}` : undefined;
    return { id: `${p}p${k}`, time: f.time!, stamp: f.stamp!, line: f.line, kind, note,
      ...(input.wire ? { lane: input.wire.lane } : {}) };
  });
  if (input.capture?.ok && input.wire) {
    notes.push(input.wire.note);
  } else if (input.capture?.ok) {
    notes.push('Wire: the frames a packet socket on lo saw during the run (the incoming copy, as tcpdump shows it), each at ' +
      'the kernel\'s receive timestamp (SO_TIMESTAMPNS: CLOCK_REALTIME, the clock of strace -ttt), kept when they are to or ' +
      'from a port of the run\'s sockets, or an ICMP error about a datagram one of them sent.');
  }

  // The kernel state, socket by socket.
  const kernel: KernelEvent[] = [];
  const arrows: Arrow[] = [];
  let ke = 0;
  // Each cause is claimed once per kind of state it sets: with IP_RECVERR one
  // ICMP error both sets SO_ERROR and queues an entry (ip_icmp_error() and
  // then sk->sk_err in __udp4_lib_err), each told by its own call.
  const causes = new Map<string, { packet: WirePacket; used: { so_error: boolean; errqueue: boolean }; f: Captured }[]>();
  kept.forEach(({ f, sock, about }, k) => {
    const target = about ?? (f.tcp && /R/.test(f.tcp.flags) ? sock : null);
    if (target === null) return;
    const l = causes.get(target.name) ?? [];
    l.push({ packet: packets[k], used: { so_error: false, errqueue: false }, f });
    causes.set(target.name, l);
  });
  const timeKey = (i: number) => (timed ? calls[i].start ?? Infinity : i);
  const bySocket = new Map<string, number[]>();
  order.forEach((i) => {
    const s = calls[i].socket;
    if (s === null) return;
    const l = bySocket.get(s) ?? [];
    l.push(i);
    bySocket.set(s, l);
  });
  let boundedAny = false;
  // What the inferences rest on, for the page's note.
  const grounds = new Set<'udp' | 'tcp' | 'tcp-icmp' | 'queue'>();
  for (const [name, idx] of bySocket) {
    const s = sockOf(name);
    const label = input.socketNames?.get(name) ?? name;
    idx.sort((a, b) => timeKey(a) - timeKey(b));
    const pendingOf = causes.get(name) ?? [];
    let lastSend: number | null = null;
    for (const i of idx) {
      const c = calls[i];
      const raw = input.calls[i].call;
      const end = c.start !== null && c.seconds !== null ? c.start + c.seconds : null;
      const before = (t: number) => end === null || t <= (endBound(i) ?? end);
      const take = (kind: 'so_error' | 'errqueue') => {
        const open = pendingOf.filter((x) => !x.used[kind] && before(x.packet.time));
        // Those that arrived before the bar's end; only when none did, the
        // first one after it (in strace's decoding, before the thread's next
        // call): a thread's next call can be far off while other threads
        // call, and a later packet is another call's.
        const inBar = end === null ? open : open.filter((x) => x.packet.time <= end);
        if (inBar.length === 0) {
          if (open.length === 0) return null;
          open[0].used[kind] = true;
          return open[0];
        }
        // SO_ERROR: the last that arrived, an earlier one's error was
        // overwritten (sk_err holds one error). The error queue: the oldest,
        // the queue is first in, first out.
        if (kind === 'errqueue') {
          inBar[0].used.errqueue = true;
          return inBar[0];
        }
        inBar.forEach((x) => { x.used.so_error = true; });
        return inBar[inBar.length - 1];
      };
      const errno = errnoOf(c.result);
      const soErrorRead = c.name === 'getsockopt' && /SOL_SOCKET, SO_ERROR/.test(c.line) && c.result === '0'
        ? /SO_ERROR, \[(\w+)\]/.exec(c.line)?.[1] ?? null : null;
      const reportsPending = (errno !== null && ASYNC_ERRORS.has(errno) && !ERRQUEUE.test(raw.args) &&
        (s.type === 'dgram' || (s.type === 'stream' && c.name === 'connect'))) ||
        (soErrorRead !== null && soErrorRead !== '0');
      // A recvmsg(MSG_ERRQUEUE) that returns takes one entry off the queue,
      // whether or not strace decodes its control message (it does not
      // decode IPV6_RECVERR's).
      const readsQueue = ERRQUEUE.test(raw.args) && c.name === 'recvmsg' && !c.unfinished && !c.result.startsWith('-1');
      if (reportsPending) {
        const e = errno ?? soErrorRead!;
        const cause = take('so_error');
        // A stream socket's error is told only when its reset was seen.
        if (s.type === 'stream' && cause === null) continue;
        const how = c.name === 'getsockopt' ? 'getsockopt(SO_ERROR) read it, which clears it'
          : `${c.name} returned it (sock_error() hands the pending error over and clears it)`;
        const state = `SO_ERROR = ${e}`;
        grounds.add(s.type !== 'stream' ? 'udp' : cause?.packet.kind === 'icmp' ? 'tcp-icmp' : 'tcp');
        if (cause !== null) {
          kernel.push({ id: `${p}k${ke++}`, socket: label, kind: 'so_error', state, pending: true, time: cause.packet.time,
            call: c.id, from: `set when ${cause.packet.kind === 'tcp' ? 'the reset' : 'the ICMP error'} arrived (the capture's time); ` +
              `that this packet set it is inferred from ${c.name}'s result`, });
          arrows.push({ from: cause.packet.id, to: c.id, label: `${e}` });
          cause.packet.note = `${cause.packet.note ?? ''}; reported by ${c.name} on ${label}`.replace(/^; /, '');
        } else if (c.start !== null && end !== null) {
          const lo = lastSend !== null ? calls[lastSend].start! : calls[idx[0]].start!;
          kernel.push({ id: `${p}k${ke++}`, socket: label, kind: 'so_error', state, pending: true, time: null, span: [lo, end],
            call: c.id, from: `set at some time in this interval (after the datagram's send began, before ${c.name} returned): no ` +
              'captured packet times it', });
          boundedAny = true;
        } else {
          kernel.push({ id: `${p}k${ke++}`, socket: label, kind: 'so_error', state, pending: true, time: null,
            from: `set before ${c.name} (no entry times: the order of the tracer's lines only)`, call: c.id });
          boundedAny = true;
        }
        kernel.push({ id: `${p}k${ke++}`, socket: label, kind: 'so_error', state: 'SO_ERROR = 0', pending: false,
          time: end, call: c.id, from: `cleared by ${c.name}: ${how}` });
      } else if (readsQueue) {
        const cause = take('errqueue');
        const stamp = input.errqueueStamps?.get(i) ?? stampIn(raw.args);
        const m = /ee_errno=(\w+)/.exec(raw.args);
        const state = m ? `error queue: 1 (ee_errno ${m[1]})` : 'error queue: 1';
        if (cause !== null) {
          kernel.push({ id: `${p}k${ke++}`, socket: label, kind: 'errqueue', state, pending: true, time: cause.packet.time,
            call: c.id, from: 'queued when the ICMP error arrived (the capture\'s time; IP_RECVERR queues a sock_extended_err)' });
          arrows.push({ from: cause.packet.id, to: c.id, label: 'queued' });
          cause.packet.note = `${cause.packet.note ?? ''}; read from the error queue by recvmsg on ${label}`.replace(/^; /, '');
        } else if (stamp !== null) {
          const id = `${p}k${ke++}`;
          kernel.push({ id, socket: label, kind: 'errqueue', state, pending: true, time: stamp.time, call: c.id,
            from: `queued at ${stamp.stamp}: the entry's own kernel timestamp (SCM_TIMESTAMPNS), the ICMP's arrival` });
          arrows.push({ from: id, to: c.id, label: 'read' });
        } else if (c.start !== null && end !== null) {
          const lo = lastSend !== null ? calls[lastSend].start! : calls[idx[0]].start!;
          kernel.push({ id: `${p}k${ke++}`, socket: label, kind: 'errqueue', state, pending: true, time: null, span: [lo, end],
            call: c.id, from: 'queued at some time in this interval: no captured packet times it' });
          boundedAny = true;
        } else {
          kernel.push({ id: `${p}k${ke++}`, socket: label, kind: 'errqueue', state, pending: true, time: null, call: c.id,
            from: 'queued before this recvmsg (no entry times)' });
        }
        kernel.push({ id: `${p}k${ke++}`, socket: label, kind: 'errqueue', state: 'error queue: 0', pending: false, time: end,
          call: c.id, from: 'taken off the queue by recvmsg(MSG_ERRQUEUE)' });
        grounds.add('queue');
      }
      if (SENDS.has(c.name) && c.name !== 'connect' && !c.result.startsWith('-1')) lastSend = i;
    }
  }
  for (const [name, l] of causes) {
    for (const x of l) {
      if (!x.used.so_error && !x.used.errqueue) x.packet.note = `${x.packet.note ?? ''}; no call on ${input.socketNames?.get(name) ?? name} reported it`.replace(/^; /, '');
    }
  }
  if (timed) {
    notes.unshift('Calls: strace -f -ttt -T. A bar starts at strace\'s entry stamp, taken before strace decodes the ' +
      'arguments, and lasts -T\'s time, counted from after the decoding to the return: the kernel ran the call between the ' +
      'bar\'s start and a few microseconds (strace\'s decoding, not measured) past its end, and before the thread\'s next bar.');
  } else {
    notes.unshift('Calls: sockcall\'s tracer alone (strace could not run): its lines give each call\'s duration and ' +
      'their order, not when each began. The calls are drawn in that order, one row each; the rows are not a time axis.');
  }
  if (grounds.size > 0) {
    const why: string[] = [];
    if (grounds.has('udp')) {
      why.push('An ICMP error about a UDP socket\'s datagram sets the socket\'s SO_ERROR (__udp4_lib_err, ' +
        '__udp6_lib_err: a hard error on a connected socket, or any error with IP_RECVERR on); the next call on the socket is ' +
        'handed the error and clears it (sock_error()).');
    }
    if (grounds.has('tcp')) {
      why.push('A reset that answers a connecting TCP socket sets its SO_ERROR (tcp_reset()), and connect returns it (sock_error()).');
    }
    if (grounds.has('tcp-icmp')) {
      why.push('An ICMP error about a connecting TCP socket\'s SYN sets its SO_ERROR (tcp_v4_err, tcp_v6_err), or, while a call ' +
        'holds the socket, its soft error (sk_err_soft), which getsockopt(SO_ERROR) hands out when no other error is pending.');
    }
    if (grounds.has('queue')) {
      why.push('With IP_RECVERR an ICMP error also queues a sock_extended_err, and each recvmsg(MSG_ERRQUEUE) that returns takes one off.');
    }
    notes.push(`Kernel state is not observed directly: it is inferred from the calls' results and the packets' times. ${why.join(' ')}` +
      (boundedAny ? ' Where no packet times a change, the lane shows the interval it must lie in, hatched.' : ''));
  }
  const ends = [input.window?.end ?? null];
  return { title: input.title, clock: input.clock, threads, calls, kernel, packets, wireNote, arrows,
    end: ends[0], notes, outcome: input.outcome };
}

/** An SCM_TIMESTAMPNS control message in strace's syntax: its time. */
function stampIn(args: string): { time: number; stamp: string } | null {
  const m = /SO_TIMESTAMPNS(?:_OLD)?, cmsg_data=\{tv_sec=(\d+), tv_nsec=(\d+)\}/.exec(args);
  if (m === null) return null;
  const stamp = `${m[1]}.${m[2].padStart(9, '0')}`;
  return { time: Number(stamp), stamp };
}

export { fmtUs };

// ---- compare's page ---------------------------------------------------------------

/**
 * compare's two sides as one page: each side's calls (body, then the
 * runtime's teardown) on the rows compare aligned them on.
 */
export function compareTimeline(c: Comparison, options: { noCapture?: string; wire?: SideInput['wire'] } = {}): Timeline {
  const rows: TimelineRow[] = [];
  const counters = { left: 0, right: 0 };
  const teardownAt = { left: c.left.calls.length, right: c.right.calls.length };
  const rowOf = { left: new Map<number, number>(), right: new Map<number, number>() };
  c.rows.forEach((row, r) => {
    const at = (k: 'left' | 'right') => {
      if (row[k] === null) return null;
      const i = row.teardown ? teardownAt[k]++ : counters[k]++;
      rowOf[k].set(i, r);
      return i;
    };
    rows.push({ left: at('left'), right: at('right'), same: row.same, teardown: row.teardown });
  });
  const sides = (['left', 'right'] as const).map((k) => {
    const s: Side = c[k];
    const timed = s.source === 'strace' && s.timeline.some((t) => t.call.time !== undefined);
    return buildSide({
      title: s.program, prefix: k === 'left' ? 'L' : 'R', clock: timed ? 'strace' : 'order',
      calls: s.timeline.map(({ line, call }, i) => ({ call, line, row: rowOf[k].get(i) })),
      capture: c.capture, noCapture: options.noCapture, wire: options.wire, window: s.window, mainTids: s.mainTids,
      outcome: `${s.program}: ${s.outcome.text}`,
    });
  });
  const notes = [
    `The two programs ran one after the other${c.left.fixture ? `, each with the ${c.left.fixture.role} \`${c.left.fixture.command}\`` : ''}; ` +
      'each side has its own time axis, starting at its first event, and both are drawn to one scale. Rows are compare\'s: ' +
      'a row holds the same call on both sides, ≠ marks a row where they differ, t the runtime\'s teardown (not counted).',
  ];
  if (c.warning) notes.push(...c.warning.split('\n').map((w) => `note: ${w}`));
  return {
    title: `sockcall compare: ${c.left.program} and ${c.right.program}`,
    summary: 'The system calls each program made on its own sockets, each a bar from its entry to its return on a real ' +
      'time axis, with each socket\'s kernel state and the packets on lo; the two programs side by side, aligned by row.',
    sides, rows, verdict: c.verdict, notes,
  };
}
