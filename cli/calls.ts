// Which of a run's system calls are the program's, and the normalized lines
// compare shows for them.
//
// A run holds calls made for the runtime as well as for the program: libuv's
// socketpairs, tsx's IPC socket, the sockets glibc opens inside getaddrinfo.
// Which sockets are the program's is decided by what made them, never by
// the order of a runtime's habits:
//
// - A process that loaded sockcall wrote its own trace (SOCKCALL_TRACE): the
//   addon lists every call it made. Its lines are found again in strace's,
//   thread by thread, and the sockets they name (by inode: strace -y prints
//   `3<socket:[81234]>`) are the program's. Everything else is the runtime's.
// - Any other program (CPython, C, a command): every socket it made (or
//   received in SCM_RIGHTS) is its own, except those the C library makes on
//   its own behalf, inside a call such as getaddrinfo(3), which the tracer
//   never sees either (glibcs()). Sockets it inherited (its stdio, when the
//   parent gave it socketpairs, as libuv does) are not.
//
// Sockets are followed by inode, so a number closed and given to a file or
// to another socket is not mistaken for the first; a call on a number that
// is no longer open (poll's POLLNVAL, EBADF) is the program's if the last
// socket at that number was.
import { readFileSync } from 'node:fs';
import { splitArgs, type StdoutWrite, type Syscall, type TracerFile } from './strace.ts';

/** A file descriptor named by a call, and what it is at that moment. */
interface Ref {
  fd: number;
  /** What -y printed for it ('socket:[81234]', a path...), or null when it was not open. */
  what: string | null;
  /** Inside an SCM_RIGHTS list: a descriptor passed, not one the call is made on. */
  passed: boolean;
  /** The call makes this descriptor (socket's result, accept's, socketpair's pair, a received SCM_RIGHTS fd, a dup, an epoll instance). */
  made: boolean;
  /**
   * A number the program stored as a value that names a descriptor (an
   * epoll event's data, where CPython puts the fd): named like the fd, but
   * never a reason to keep a call, since a runtime's loop stores its own
   * fds there too (libuv's uv__io_poll does).
   */
  value?: boolean;
  /**
   * sendfile(2)'s in_fd: the file sent from, not a socket. It is named FILE1,
   * FILE2... on both sides, since the tracer cannot tell a file's number from
   * a socket's, and a program's file numbers differ from run to run as its
   * sockets' do.
   */
  file?: boolean;
}

/** A call with each file descriptor in its text replaced by a placeholder (\u0000k\u0000). */
interface Tokens { call: Syscall; args: string; result: string; refs: Ref[] }

const CREATORS = new Set(['socket', 'socketpair', 'accept', 'accept4']);
/** Calls whose first argument is not a file descriptor. */
const NO_FD_FIRST = new Set(['socket', 'socketpair', 'poll', 'ppoll', 'select', 'pselect6', 'epoll_create1', 'epoll_create']);
/** Whether a call's result is a descriptor it made: a socket's, an epoll instance's, fcntl(2)'s dup. */
const makesFd = (call: Syscall): boolean => CREATORS.has(call.name) || call.name === 'epoll_create1' ||
  call.name === 'epoll_create' || (call.name === 'fcntl' && /^[^,]*, F_DUPFD(_CLOEXEC)?,/.test(call.args));
/** What -y prints for an epoll instance: no inode, so it is followed by number, from the call that made it. */
const EPOLL = 'anon_inode:[eventpoll]';

const hole = (k: number) => `\u0000${k}\u0000`;
const HOLE = /\u0000(\d+)\u0000/g;

// -y's decorations (`3<socket:[81234]>`) outside quoted strings: each
// becomes a hole, its number and what in refs.
function holes(text: string, refs: Ref[], passedAt: (i: number) => boolean, made: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
      continue;
    }
    if (/\d/.test(ch) && (i === 0 || !/[\w.]/.test(text[i - 1]))) {
      let j = i;
      while (j < text.length && /\d/.test(text[j])) j++;
      if (text[j] === '<') {
        let depth = 0;
        let k = j;
        for (; k < text.length; k++) {
          if (text[k] === '<') depth++;
          else if (text[k] === '>' && --depth === 0) break;
        }
        const negative = text[i - 1] === '-';
        if (negative) out = out.slice(0, -1);
        refs.push({ fd: Number(text.slice(negative ? i - 1 : i, j)), what: text.slice(j + 1, k), passed: passedAt(i),
          made });
        out += hole(refs.length - 1);
        i = k;
        continue;
      }
      out += text.slice(i, j);
      i = j - 1;
      continue;
    }
    out += ch;
  }
  return out;
}

/** The spans of SCM_RIGHTS lists in a text: fds passed, not the call's own. */
function rightsSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  const re = /cmsg_type=SCM_RIGHTS, cmsg_data=\[/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    let depth = 1;
    let k = m.index + m[0].length;
    for (; k < text.length && depth > 0; k++) {
      if (text[k] === '[') depth++;
      else if (text[k] === ']') depth--;
    }
    spans.push([m.index + m[0].length, k]);
  }
  return spans;
}

/**
 * The call's text with every file descriptor made a hole: those -y
 * decorated, and the undecorated numbers where a descriptor stands (the
 * first argument, poll's fd=, socketpair's pair, a creator's result,
 * SCM_RIGHTS lists), which strace leaves bare when the number is not open
 * and sockcall's tracer always does.
 */
export function tokenize(call: Syscall): Tokens {
  const refs: Ref[] = [];
  const spans = rightsSpans(call.args);
  const inRights = (i: number) => spans.some(([a, b]) => i >= a && i < b);
  const receives = call.name === 'recvmsg' || call.name === 'recvmmsg';
  let args = holes(call.args, refs, inRights, false);
  for (const r of refs) if (r.passed && receives) r.made = true;
  const bare = (fd: string, passed: boolean, made: boolean) => {
    refs.push({ fd: Number(fd), what: null, passed, made });
    return hole(refs.length - 1);
  };
  if (!NO_FD_FIRST.has(call.name)) args = args.replace(/^(-?\d+)(?=,|$)/, (fd) => bare(fd, false, false));
  if (call.name === 'sendfile') {
    const parts = splitArgs(args);
    if (parts.length > 1 && /^-?\d+$/.test(parts[1])) parts[1] = bare(parts[1], false, false);
    if (parts.length > 1) for (const [, k] of parts[1].matchAll(HOLE)) refs[Number(k)].file = true;
    args = parts.join(', ');
  }
  if (call.name === 'poll' || call.name === 'ppoll') args = args.replace(/fd=(-?\d+)(?!\d|\u0000)/g, (_, fd) => `fd=${bare(fd, false, false)}`);
  const selects = call.name === 'pselect6' || call.name === 'select';
  if (selects) {
    // The fd_sets, where a number not open (EBADF) and every number of the
    // tracer's are bare; nfds, which select(2) wants as the largest of them
    // plus one, is written so, whatever the numbers of the run were.
    const parts = splitArgs(args);
    const inSets: number[] = [];
    for (let i = 1; i <= 3 && i < parts.length; i++) {
      if (!parts[i].startsWith('[')) continue;
      parts[i] = parts[i].replace(/(?<=[[ ])(\d+)(?=[ \]])/g, (fd) => bare(fd, false, false));
      for (const [, k] of parts[i].matchAll(HOLE)) inSets.push(refs[Number(k)].fd);
    }
    if (inSets.length > 0 && Number(parts[0]) === Math.max(...inSets) + 1) parts[0] = 'MAXFD+1';
    args = parts.join(', ');
  }
  if (call.name === 'epoll_ctl') {
    const parts = splitArgs(args);
    if (parts.length > 2 && /^-?\d+$/.test(parts[2])) parts[2] = bare(parts[2], false, false);
    args = parts.join(', ');
  }
  // CPython's pyepoll_internal_ctl sets ev.data.fd alone, in an event on
  // its stack: the upper half of u64 is whatever was there before
  // (u64=139908559667203 for fd 3), so only the lower half is compared.
  const data = (text: string) => text.replace(/data=\{u32=(\d+), u64=(\d+)\}/g, (whole, a: string, b: string) => {
    if ((BigInt(b) & 0xffffffffn) !== BigInt(a)) return whole;  // not a descriptor CPython stored
    const k = bare(a, false, false);
    refs[refs.length - 1].value = true;
    return `data={u32=${k}, u64=${k}}`;
  });
  // epoll_wait's events are in its arguments, where the kernel wrote them.
  if (/^epoll_(ctl|wait|pwait)$/.test(call.name)) args = data(args);
  if (call.name === 'socketpair') {
    args = args.replace(/\[(\d+), (\d+)\]$/, (_, a, b) => `[${bare(a, false, true)}, ${bare(b, false, true)}]`);
    for (const r of refs) r.made = true;
  }
  // The lists of SCM_RIGHTS, where the tracer writes bare numbers.
  args = args.replace(/(cmsg_type=SCM_RIGHTS, cmsg_data=\[)([^\]]*)\]/g, (whole, head: string, list: string) =>
    /^[-\d, ]+$/.test(list) ? head + list.split(', ').map((fd) => bare(fd, true, receives)).join(', ') + ']' : whole);
  const makes = makesFd(call);
  let result = holes(call.result, refs, () => false, makes);
  if (makes && call.name !== 'socketpair') result = result.replace(/^(\d+)(?=$| )/, (fd) => bare(fd, false, true));
  if (call.name === 'epoll_wait' || call.name === 'epoll_pwait') result = data(result);
  // poll's revents: strace names the fds without -y's decoration.
  if (call.name === 'poll' || call.name === 'ppoll') result = result.replace(/fd=(-?\d+)(?!\d|\u0000)/g, (_, fd) => `fd=${bare(fd, false, false)}`);
  // select's ready sets, "= 2 (in [3], out [3 4], left {...})": bare too.
  if (selects) {
    result = result.replace(/\b(in|out|except) \[([\d ]*)\]/g, (_, kind: string, list: string) =>
      `${kind} [${list.split(' ').map((fd) => bare(fd, false, false)).join(' ')}]`);
  }
  return { call, args, result, refs };
}

/** A socket's identity: its inode, as -y printed it. */
const inodeOf = (what: string | null): string | null => (what !== null && /^socket:\[\d+\]$/.test(what) ? what : null);
/** The inode of a handle of straceResolver's ('4:socket:[81234]'). */
const inodeOfHandle = (handle: string | null): string | null => (handle === null ? null : inodeOf(handle.slice(handle.indexOf(':') + 1)));

/**
 * What each descriptor is at each call, for calls strace printed with -y:
 * a socket's handle is its number and inode (a dup'd or received fd is a
 * handle of its own, as the program sees it); a number that is not open
 * is resolved to the socket last at that number, if any.
 */
interface Resolved { handle: string | null; inode: string | null; closedLast: string | null }

type Resolver = (t: Tokens) => Resolved[];

function straceResolver(): Resolver {
  const last = new Map<number, { handle: string; inode: string }>();
  const files = new Map<number, { what: string; handle: string }>();
  let gen = 0;
  return (t) => t.refs.map((r) => {
    if (r.what === EPOLL) {
      // An epoll instance's identity: its number from the call that made it
      // (or its first use) until the number is seen holding something else.
      let at = last.get(r.fd);
      if (r.made || at === undefined || !at.inode.startsWith('epoll:')) {
        const handle = `${r.fd}:epoll${++gen}`;
        at = { handle, inode: `epoll:${handle}` };
        last.set(r.fd, at);
      }
      return { handle: at.handle, inode: at.inode, closedLast: null };
    }
    const inode = inodeOf(r.what);
    if (inode !== null) {
      const handle = `${r.fd}:${inode}`;
      last.set(r.fd, { handle, inode });
      return { handle, inode, closedLast: null };
    }
    if (r.what !== null) {  // a file, a pipe...: the number is no longer a socket's
      last.delete(r.fd);
      // A file received in SCM_RIGHTS is followed from there, as the
      // tracer follows every number a call made, so that its close() is
      // named as its arrival was.
      if (r.made) files.set(r.fd, { what: r.what, handle: `${r.fd}:${r.what}#${++gen}` });
      const file = files.get(r.fd);
      if (file !== undefined && file.what !== r.what) files.delete(r.fd);
      return { handle: file?.what === r.what ? file.handle : null, inode: null, closedLast: null };
    }
    return { handle: null, inode: null, closedLast: last.get(r.fd)?.handle ?? null };
  });
}

// The tracer's lines carry no -y: each number's lifetime is followed instead,
// from the call that made it (or its first use, for an inherited fd) to its
// close(). Every socket in them is the program's.
function tracerResolver(): Resolver {
  const live = new Map<number, string>();
  const closed = new Map<number, string>();
  let gen = 0;
  return (t) => {
    const out = t.refs.map((r): Resolved => {
      if (r.fd < 0) return { handle: null, inode: null, closedLast: null };
      if (r.made) {
        const h = `${r.fd}:t${++gen}`;
        live.set(r.fd, h);
        return { handle: h, inode: h, closedLast: null };
      }
      let h = live.get(r.fd);
      if (h === undefined) {
        const gone = closed.get(r.fd);
        if (gone !== undefined) return { handle: null, inode: null, closedLast: gone };
        h = `${r.fd}:t${++gen}`;
        live.set(r.fd, h);
      }
      return { handle: h, inode: h, closedLast: null };
    });
    if (t.call.name === 'close' && /^0/.test(t.call.result) && t.refs.length > 0) {
      const h = live.get(t.refs[0].fd);
      if (h !== undefined) { closed.set(t.refs[0].fd, h); live.delete(t.refs[0].fd); }
    }
    return out;
  };
}

/** The program's calls, each with what its descriptors are. */
export interface Selected { tokens: Tokens; resolved: Resolved[] }

export interface Selection {
  calls: Selected[];
  /** Tracer lines that strace did not show (there should be none). */
  unmatched: Syscall[];
  /** How the program's sockets were told: from the addon's trace, or as every socket but the C library's. */
  by: 'tracer' | 'sockets';
}

function keep(resolved: Resolved[], refs: Ref[], owned: (inode: string) => boolean, handles: Set<string>): boolean {
  // A call on an epoll instance not the program's is not the program's,
  // whatever it names: libuv's loop adds a program's dgram socket to its
  // own epoll (epoll_ctl(loop, EPOLL_CTL_ADD, sock, ...)) and waits on it.
  const first = resolved[0]?.inode;
  if (first?.startsWith('epoll:') && !owned(first)) return false;
  return resolved.some((r, i) => !refs[i].value && ((r.inode !== null && owned(r.inode)) || refs[i].fd === -1 ||
    (r.closedLast !== null && handles.has(r.closedLast))));
}

/**
 * The calls on the program's sockets, and those `also` names (a call that
 * made no socket: socket() refused by the kernel).
 */
function selectWith(calls: Syscall[], resolver: Resolver, owned: (inode: string) => boolean,
  also: (call: Syscall) => boolean): Selected[] {
  const out: Selected[] = [];
  const handles = new Set<string>();  // handles of the program's sockets seen so far
  for (const call of calls) {
    const tokens = tokenize(call);
    const resolved = resolver(tokens);
    if (!keep(resolved, tokens.refs, owned, handles) && !also(call)) continue;
    resolved.forEach((r) => { if (r.handle !== null && r.inode !== null && owned(r.inode)) handles.add(r.handle); });
    out.push({ tokens, resolved });
  }
  return out;
}

const strip = (text: string) => text.replace(/(-?\d+)<(?:[^<>]|<[^<>]*>)*>/g, '$1');

// A call's identity for matching the tracer's line to strace's: the whole
// line as both print it, -y's decorations dropped (the tracer writes strace's
// syntax; test/tracer.test.ts holds it to that).
const key = (call: Syscall): string => `${call.name}(${strip(call.args)}) = ${strip(call.result)}`;

/**
 * The inodes of the sockets named by the calls the addon made: each
 * tracer file's lines found in strace's calls of the same thread, in order
 * (the first thread's are the process's own id).
 */
export function tracerSockets(calls: Syscall[], tracer: TracerFile[]):
  { inodes: Set<string>; matched: Set<Syscall>; unmatched: Syscall[] } {
  const byTid = new Map<number, Syscall[]>();
  for (const c of calls) {
    if (c.unfinished) continue;
    const list = byTid.get(c.tid) ?? [];
    list.push(c);
    byTid.set(c.tid, list);
  }
  const inodes = new Set<string>();
  const matched = new Set<Syscall>();
  const unmatched: Syscall[] = [];
  for (const file of tracer) {
    const at = new Map<number, number>();
    for (const t of file.calls) {
      const list = byTid.get(t.tid) ?? [];
      const k = key(t);
      let i = at.get(t.tid) ?? 0;
      while (i < list.length && key(list[i]) !== k) i++;
      if (i >= list.length) { unmatched.push(t); continue; }
      at.set(t.tid, i + 1);
      matched.add(list[i]);
      for (const r of tokenize(list[i]).refs) {
        const inode = inodeOf(r.what);
        if (inode !== null && !r.value) inodes.add(inode);
      }
    }
  }
  return { inodes, matched, unmatched };
}

/**
 * The sockets the C library opens on its own behalf, inside a call the
 * program made (and sockcall's tracer never sees, for the same reason):
 * nscd's socket, asked first by every name lookup; the rtnetlink socket of
 * getaddrinfo's AI_ADDRCONFIG (__check_pf), if_nameindex(3) and
 * getifaddrs(3), which ask RTM_GETADDR or RTM_GETLINK; the socket
 * if_nametoindex(3) and if_indextoname(3) make for one SIOCGIF* ioctl; and
 * the resolver's non-blocking sockets to a name server's port 53 (glibc's
 * resolv/res_send.c, inet/check_pf.c, sysdeps/unix/sysv/linux/ifaddrs.c,
 * if_index.c).
 */
export function glibcs(calls: Syscall[]): { made: Set<string>; glibc: Set<string>; idle: Set<string> } {
  const resolve = straceResolver();
  const made = new Map<string, Syscall>();
  const on = new Map<string, Syscall[]>();
  // epoll_ctl(2)'s: the epoll instance and the descriptor it adds.
  const watches: [epoll: string, target: string][] = [];
  for (const call of calls) {
    const t = tokenize(call);
    const resolved = resolve(t);
    resolved.forEach((r, i) => {
      if (r.inode === null || t.refs[i].value) return;
      // A dup or a received descriptor of a socket already known keeps its maker.
      if (t.refs[i].made) { if (!made.has(r.inode)) made.set(r.inode, call); }
      else if (!t.refs[i].passed) on.set(r.inode, [...(on.get(r.inode) ?? []), call]);
    });
    // The target may be a number no longer open (EBADF): the socket last at
    // it; or no socket at all (a pipe, an eventfd: a runtime's loop).
    if (call.name === 'epoll_ctl' && resolved.length > 1 && resolved[0].inode !== null) {
      const target = resolved[1].inode ?? inodeOfHandle(resolved[1].closedLast) ?? `other:${t.refs[1].what}`;
      watches.push([resolved[0].inode, target]);
    }
  }
  const out = new Set<string>();
  for (const [inode, creator] of made) {
    if (inode.startsWith('epoll:')) continue;
    const uses = on.get(inode) ?? [];
    const creation = strip(creator.args);
    const nscd = uses.some((c) => c.name === 'connect' && /sun_path="\/(var\/)?run\/nscd\/socket"/.test(c.args));
    const rtnetlink = creation.startsWith('AF_NETLINK') && uses.some((c) =>
      /^(sendto|sendmsg)$/.test(c.name) && /nlmsg_type=RTM_GET(ADDR|LINK)/.test(c.args));
    if (!CREATORS.has(creator.name)) continue;  // received through SCM_RIGHTS
    const ioctlOnly = creator.name === 'socket' && /SOCK_DGRAM\|SOCK_CLOEXEC, (0|IPPROTO_IP)$/.test(creation) &&
      uses.some((c) => c.name === 'ioctl' && /SIOCGIF(INDEX|NAME)/.test(c.args)) &&
      uses.every((c) => (c.name === 'ioctl' && /SIOCGIF(INDEX|NAME)/.test(c.args)) || c.name === 'close');
    const dns = /SOCK_NONBLOCK/.test(creation) && uses.some((c) => c.name === 'connect' && /htons\(53\)/.test(c.args));
    if (nscd || rtnetlink || ioctlOnly || dns) out.add(inode);
  }
  // An epoll instance is the program's when what it is asked to watch is
  // the program's sockets, and nothing else. CPython's `import socket`
  // makes one and closes it at once (Lib/selectors.py's _can_use('epoll')
  // probe, on import), which watches nothing; libuv's loop watches its own
  // pipe and eventfd before it adds a program's socket (uv__io_poll): both
  // are the runtime's. (A program's epoll that also watches a pipe is then
  // taken for a runtime's: compare leaves its epoll calls out.)
  const socketOwned = (i: string) => made.has(i) && !out.has(i) && !i.startsWith('epoll:');
  const targets = new Map<string, string[]>();
  for (const [ep, target] of watches) targets.set(ep, [...(targets.get(ep) ?? []), target]);
  const watching = new Set([...targets].filter(([, ts]) => ts.every(socketOwned)).map(([ep]) => ep));
  const idle = new Set([...made.keys()].filter((i) => i.startsWith('epoll:') && !watching.has(i)));
  return { made: new Set(made.keys()), glibc: out, idle };
}

/**
 * The calls of a run that are the program's: found through the addon's
 * trace when the program loaded sockcall, else every socket's but the C
 * library's.
 */
export function programCalls(calls: Syscall[], tracer: TracerFile[]): Selection {
  if (tracer.some((f) => f.calls.length > 0)) {
    const { inodes, matched, unmatched } = tracerSockets(calls, tracer);
    return { calls: selectWith(calls, straceResolver(), (i) => inodes.has(i), (c) => matched.has(c)), unmatched,
      by: 'tracer' };
  }
  // A socket() or socketpair() the kernel refused made no socket to follow,
  // but it is the program's call: the C library's own do not fail so.
  const refused = (c: Syscall) => (c.name === 'socket' || c.name === 'socketpair') && c.result.startsWith('-1 ');
  const { made, glibc, idle } = glibcs(calls);
  return { calls: selectWith(calls, straceResolver(), (i) => made.has(i) && !glibc.has(i) && !idle.has(i), refused),
    unmatched: [],
    by: 'sockets' };
}

/** The addon's own lines as a selection: every one of them is the program's. */
export function tracerCalls(tracer: TracerFile[]): Selection {
  const calls: Selected[] = [];
  for (const file of tracer) {
    const resolve = tracerResolver();
    for (const call of file.calls) {
      const tokens = tokenize(call);
      calls.push({ tokens, resolved: resolve(tokens) });
    }
  }
  return { calls, unmatched: [], by: 'tracer' };
}

/** /proc/sys/net/ipv4/ip_local_port_range: the ports the kernel picks for bind(port 0). */
export function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return [lo, hi];
  } catch {
    return [32768, 60999];
  }
}

export interface NormalizeOptions {
  /** Ports the programs chose themselves, never normalized. */
  keepPorts?: number[];
}

/** Normalized lines, and the names given to what varies, for the program's output too. */
export interface Normalized {
  lines: string[];
  /** Each call's line, beside the call (for the timeline). */
  calls: { line: string; call: Syscall }[];
  /** Ports the kernel picked, and their names P1, P2... */
  ports: Map<number, string>;
  /** The program's socket numbers, and their letters (the last socket at each number). */
  fds: Map<number, string>;
  /**
   * Each number's letters over time: the entry time of every call that
   * named it, with the letter it had there, in order. The kernel gives a
   * closed socket's number to the next one (socket(2), "the lowest-numbered
   * file descriptor not currently open"), so a number names different
   * sockets at different times.
   */
  fdHistory: Map<number, { time: number; letter: string }[]>;
}

/**
 * One line per call, as strace prints it, with what differs from run to run
 * replaced: sockets by letters (A = the program's first, in order of
 * appearance), descriptors passed in SCM_RIGHTS that have no letter by FD1,
 * FD2..., the files sendfile(2) sends from by FILE1, FILE2..., pointers by
 * PTR, ports the kernel picked by P1, P2..., netlink port ids by PID,
 * select(2)'s nfds by MAXFD+1 and what it left of its timeout by {...}, and
 * -y's decorations dropped.
 */
export function normalize(selection: Selection, options: NormalizeOptions = {}): Normalized {
  const [lo, hi] = ephemeralRange();
  const keepPorts = new Set(options.keepPorts ?? []);
  const ports = new Map<number, string>();
  const labels = new Map<string, string>();
  const passed = new Map<string, string>();
  const fds = new Map<number, string>();
  const fdHistory = new Map<number, { time: number; letter: string }[]>();
  const files = new Map<string, string>();
  const letter = (n: number) => String.fromCharCode(65 + (n % 26)) + (n >= 26 ? String(Math.floor(n / 26)) : '');
  const out: { line: string; call: Syscall }[] = [];
  for (const { tokens, resolved } of selection.calls) {
    const name = (k: number): string => {
      const ref = tokens.refs[k];
      const r = resolved[k];
      if (ref.file) {
        const id = r.handle ?? `${ref.fd}:${ref.what}`;
        if (!files.has(id)) files.set(id, `FILE${files.size + 1}`);
        return files.get(id)!;
      }
      if (r.handle !== null) {
        let l = labels.get(r.handle);
        // A descriptor that arrived in SCM_RIGHTS keeps its FDn wherever it is used.
        if (l === undefined && passed.has(r.handle)) return passed.get(r.handle)!;
        if (l === undefined && !ref.passed) {
          l = letter(labels.size);
          labels.set(r.handle, l);
        }
        if (l !== undefined) {
          fds.set(ref.fd, l);
          if (tokens.call.time !== undefined) {
            const h = fdHistory.get(ref.fd) ?? [];
            if (h.at(-1)?.letter !== l) h.push({ time: tokens.call.time, letter: l });
            fdHistory.set(ref.fd, h);
          }
          return l;
        }
        if (!passed.has(r.handle)) passed.set(r.handle, `FD${passed.size + 1}`);
        return passed.get(r.handle)!;
      }
      if (r.closedLast !== null && labels.has(r.closedLast)) return labels.get(r.closedLast)!;
      if (ref.passed && ref.what !== null) {
        const id = `${ref.fd}:${ref.what}`;
        if (!passed.has(id)) passed.set(id, `FD${passed.size + 1}`);
        return passed.get(id)!;
      }
      return String(ref.fd);
    };
    const fill = (text: string) => text.replace(HOLE, (_, k: string) => name(Number(k)));
    const port = (text: string) => text.replace(/htons\((\d+)\)/g, (whole, p: string) => {
      const n = Number(p);
      if (keepPorts.has(n) || n < lo || n > hi) return whole;
      if (!ports.has(n)) ports.set(n, `P${ports.size + 1}`);
      return `htons(${ports.get(n)})`;
    });
    const rest = (text: string) => port(strip(text)).replace(/0x[0-9a-f]{6,}/g, 'PTR')
      .replace(/\b(nl_pid|nlmsg_pid)=[1-9]\d*/g, '$1=PID')
      // What select(2) left of its timeout: the time it waited, never the same twice.
      .replace(/\bleft \{tv_sec=\d+, tv_(nsec|usec)=\d+\}/g, 'left {...}');
    const call = tokens.call;
    const args = rest(fill(tokens.args));
    const result = rest(fill(tokens.result));
    out.push({ call, line: call.unfinished ? `${call.name}(${args} <unfinished ...>` : `${call.name}(${args}) = ${result}` });
  }
  return { lines: out.map((o) => o.line), calls: out, ports, fds, fdHistory };
}

/**
 * CPython's finalizer of a socket left open at exit asks for its repr()
 * (getsockname, getpeername) and closes it. Those trailing calls are the
 * runtime's teardown, not the script's: they are split off here so that a
 * port need not make them.
 */
export function splitTeardown(lines: string[]): { body: string[]; teardown: string[] } {
  let end = lines.length;
  const fdOf = (line: string) => /^\w+\(([A-Z]\d*)[,)]/.exec(line)?.[1];
  for (;;) {
    const close = lines[end - 1];
    if (close === undefined || !close.startsWith('close(')) break;
    const fd = fdOf(close);
    let start = end - 1;
    while (start > 0 && /^(getsockname|getpeername)\(/.test(lines[start - 1]) && fdOf(lines[start - 1]) === fd) start--;
    if (start === end - 1) break;
    end = start;
  }
  return { body: lines.slice(0, end), teardown: lines.slice(end) };
}

/**
 * A program's output with what varies from run to run named as in its
 * calls: each port the kernel picked (P1...) where it stands as a number of
 * its own, and the program's socket numbers where they follow "fd="
 * (CPython's repr of a socket, `<socket.socket fd=3, ...>`). With the times
 * of the program's writes to stdout, a number is named after the socket
 * that had it when its stretch of output was written: the last call to
 * name the number before that write began. Without them, or past them, it
 * is named after the last socket to have it.
 */
export function maskOutput(text: string, n: Pick<Normalized, 'ports' | 'fds'> & Partial<Pick<Normalized, 'fdHistory'>>,
  writes: readonly StdoutWrite[] = []): string {
  // Where each write's bytes end in the output, for the write a byte is in.
  const ends: number[] = [];
  for (const w of writes) ends.push((ends.at(-1) ?? 0) + w.bytes);
  let bytes = 0;
  let seen = 0;
  const named = text.replace(/\bfd=(\d+)/g, (whole, digits: string, index: number) => {
    bytes += Buffer.byteLength(text.slice(seen, index));
    seen = index;
    const fd = Number(digits);
    if (!n.fds.has(fd)) return whole;
    const k = ends.findIndex((end) => bytes < end);
    const history = n.fdHistory?.get(fd);
    if (k < 0 || history === undefined) return `fd=${n.fds.get(fd)}`;
    const before = history.filter((h) => h.time <= writes[k].time);
    return `fd=${(before.at(-1) ?? history[0]).letter}`;
  });
  return named.replace(/(?<![\w.])(\d{1,5})(?![\w.])/g, (whole, p: string) => n.ports.get(Number(p)) ?? whole);
}

/**
 * The normalized lines of a run's program calls: what compare shows,
 * teardown split off; with the names given to ports and fds, for
 * maskOutput() of the run's output.
 */
export function programLines(run: { calls: Syscall[]; tracer: TracerFile[] }, options: NormalizeOptions = {}):
  { body: string[]; teardown: string[]; unmatched: Syscall[]; by: Selection['by'] } & Pick<Normalized, 'ports' | 'fds' | 'fdHistory'> {
  const selection = programCalls(run.calls, run.tracer);
  const n = normalize(selection, options);
  return { ...splitTeardown(n.lines), unmatched: selection.unmatched, by: selection.by, ports: n.ports, fds: n.fds,
    fdHistory: n.fdHistory };
}

/**
 * Whether the addon's own trace of a run says what strace saw: the tracer's
 * lines, every one, against strace's calls on the sockets they name (a call
 * still pending when the run ended has no line of the tracer's yet). Null
 * when the run loaded no addon.
 */
export function tracerAgreement(run: { calls: Syscall[]; tracer: TracerFile[] }):
  { tracer: string[]; strace: string[]; unmatched: Syscall[] } | null {
  if (!run.tracer.some((f) => f.calls.length > 0)) return null;
  const selected = programCalls(run.calls, run.tracer);
  const finished = { ...selected, calls: selected.calls.filter((c) => !c.tokens.call.unfinished) };
  return { tracer: normalize(tracerCalls(run.tracer)).lines, strace: normalize(finished).lines, unmatched: selected.unmatched };
}
