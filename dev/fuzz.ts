// The fuzzer of sockcall's JavaScript surface:
//   npm run fuzz -- [--seed N] [--count N] [--seconds S]
// A child process calls every exported sys function and facade method, Sync
// and Promise forms, with random and adversarial arguments; each call must
// return, or throw/reject with TypeError, RangeError, an AbortError it asked
// for, a SocketClosedError for a socket it closed under a pending call, or an
// OSError/gaierror whose errno is the kernel's. "The kernel's" is checked
// against the addon's own trace (SOCKCALL_TRACE): the call's segment of the
// trace must hold a system call that failed with that errno. A crash, an
// abort, a hang or any other error is a failure, reported with the seed and
// the call.
//
// What it never does, by construction: touch a descriptor it did not make
// (calls get the fuzzer's own sockets, its own /dev/null, -1, or numbers past
// RLIMIT_NOFILE), send or connect anywhere but 127.0.0.0/8, ::1, its own
// AF_UNIX names, or a malformed address; make a socket of a family that could
// reach a network or the kernel's configuration (no AF_PACKET, AF_NETLINK,
// SOCK_RAW: only AF_INET/AF_INET6/AF_UNIX datagram and stream sockets, and
// family numbers the kernel refuses); set an option outside a list of named
// ones (never SO_BROADCAST, nor netfilter's or multicast's); or block: every
// socket has SO_RCVTIMEO and SO_SNDTIMEO of 50 ms, and poll timeouts are short.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, appendFileSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

// ---- the random source ----------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- the child: makes the calls --------------------------------------------------

async function child(seed: number, count: number, seconds: number, traceFile: string): Promise<void> {
  const S = await import('sockcall');
  const { sys } = S;
  const rand = mulberry32(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chance = (p: number) => rand() < p;

  const dir = mkdtempSync(path.join(tmpdir(), 'sockcall-fuzz-'));
  // Relative AF_UNIX names ('x' * 107) are bound here, not in the checkout.
  process.chdir(dir);
  const devnull = openSync('/dev/null', 'r');
  const timeval = Buffer.alloc(16);
  timeval.writeBigInt64LE(0n, 0);
  timeval.writeBigInt64LE(50000n, 8); // 50 ms: no call blocks longer

  // Descriptors the fuzzer made and still owns: raw ones and facade sockets.
  const fds: number[] = [];
  const socks: InstanceType<typeof S.Socket>[] = [];
  const harden = (fd: number) => {
    sys.setsockopt(fd, S.SOL_SOCKET, S.SO_RCVTIMEO, timeval);
    sys.setsockopt(fd, S.SOL_SOCKET, S.SO_SNDTIMEO, timeval);
  };
  const kinds = [[S.AF_INET, S.SOCK_DGRAM], [S.AF_INET, S.SOCK_STREAM], [S.AF_INET6, S.SOCK_DGRAM],
    [S.AF_INET6, S.SOCK_STREAM], [S.AF_UNIX, S.SOCK_DGRAM], [S.AF_UNIX, S.SOCK_STREAM]] as const;
  const newFd = () => {
    const [d, t] = pick(kinds);
    const fd = sys.socket(d, t | S.SOCK_CLOEXEC, 0);
    harden(fd);
    fds.push(fd);
    return fd;
  };
  const newSock = () => {
    const [d, t] = pick(kinds);
    const s = S.socket(d, t);
    harden(s.fileno());
    socks.push(s);
    return s;
  };
  for (let i = 0; i < 6; i++) { newFd(); newSock(); }
  const trim = () => {
    while (fds.length > 24) sys.close(fds.shift()!);
    while (socks.length > 24) socks.shift()!.close();
  };

  // ---- values ----
  const weirdNumbers = [0, 1, -1, 2, 7, 255, 256, 65535, 65536, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32, 2 ** 53,
    -(2 ** 53), NaN, Infinity, -Infinity, 0.5, -0.0, 1e308, 1.5, -1.5];
  const weird = [undefined, null, true, false, '', 'str', '1', '\0', {}, [], () => 0, Symbol('s'), 10n, new Date(0),
    Object.create(null)];
  const anything = (): unknown => (chance(0.5) ? pick(weirdNumbers) : pick(weird));
  const smallInt = () => int(64);
  const intish = (good: () => number) => (chance(0.85) ? good() : anything());
  // For socket()'s family, type and protocol: the good values, or values
  // that cannot name another family or SOCK_RAW.
  const safeBad = [-1, 9999, 2 ** 31, NaN, 0.5, 'x', null, undefined, {}, 10n];
  const intishSafe = (good: () => number) => (chance(0.85) ? good() : pick(safeBad));

  const typedKinds = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array];
  // An ArrayBuffer, and a view made on it before it was detached.
  const detached = (): [ArrayBuffer, Uint8Array] => {
    const ab = new ArrayBuffer(16);
    const view = new Uint8Array(ab, 4);
    structuredClone(ab, { transfer: [ab] });
    return [ab, view];
  };
  const buffer = (): unknown => {
    const n = pick([0, 1, 3, 8, 16, 64, 1500, 65536]);
    switch (int(9)) {
      case 0: return Buffer.alloc(n);
      case 1: { const K = pick(typedKinds); const ab = new ArrayBuffer(n * 8 + 16);
        const off = K.BYTES_PER_ELEMENT * int(3); return new K(ab, off, Math.max(0, Math.floor((ab.byteLength - off) / K.BYTES_PER_ELEMENT) - int(2))); }
      case 2: return new DataView(new ArrayBuffer(n + 4), int(4));
      case 3: return new ArrayBuffer(n);
      case 4: return detached()[1];
      case 5: return detached()[0];
      case 6: return Buffer.alloc(n).subarray(int(Math.max(1, n)));
      case 7: return new Uint8Array(new SharedArrayBuffer(n + 1));
      default: return chance(0.5) ? 'text' : anything();
    }
  };
  const ports = () => pick([0, 1, 9, 1060, 65535, 65536, -1, 0.5, int(65536)]);
  // Hosts whose lookup never leaves the machine: numeric loopback, names
  // glibc refuses itself ('a..b', '::1' for AF_INET), and 'localhost' for
  // AF_INET only (/etc/hosts has it; for AF_INET6 glibc asks DNS, measured).
  // Never a numeric form glibc widens ('1.2.3' is 1.2.0.3).
  const host4 = () => pick(['127.0.0.1', '127.0.0.2', `127.${int(256)}.${int(256)}.${int(256)}`, '127.1', 'localhost',
    '', 'a..b', '::1', '127.0.0.1\0x']);
  const host6 = () => pick(['::1', '::ffff:127.0.0.1', '::1%lo', '::1\0x', 'a..b', '']);
  const unixPath = () => pick([path.join(dir, `s${int(8)}`), `\0sockcall-fuzz-${process.pid}-${int(8)}`, '',
    'x'.repeat(107), 'x'.repeat(200), path.join(dir, 'a\0b')]);
  // sys addresses: loopback, malformed, and wrong families.
  const sysAddr = (): unknown => {
    switch (int(10)) {
      case 0: case 1: return { family: S.AF_INET, addr: pick(['127.0.0.1', '127.0.0.53', '127.9.9.9']), port: ports() };
      case 2: return { family: S.AF_INET6, addr: '::1', port: ports(), flowinfo: intish(() => int(2 ** 20)), scope_id: intish(() => int(4)) };
      case 3: return { family: S.AF_UNIX, path: chance(0.5) ? unixPath() : Buffer.from(unixPath()) };
      case 4: return { family: S.AF_UNSPEC };
      case 5: return { family: S.AF_INET, addr: anything(), port: anything() };
      case 6: return { family: pick([S.AF_PACKET, S.AF_NETLINK, 9999, -1, 0.5]), ifindex: 1, addr: '127.0.0.1', port: 1 };
      case 7: return pick([null, undefined, 'x', ['127.0.0.1', 1], 7, {}]);
      case 8: return { family: S.AF_INET6, addr: pick(['1.2.3.4', 'zz::', '::1\0']), port: 1 };
      default: return { family: S.AF_INET, addr: '127.0.0.1', port: 1, extra: true };
    }
  };
  // facade addresses for a socket of `family`
  const pyAddr = (family: number): unknown => {
    if (chance(0.1)) return anything();
    if (family === S.AF_INET) return chance(0.9) ? [host4(), ports()] : [host4()];
    if (family === S.AF_INET6) return chance(0.9) ? [host6(), ports(), intish(() => int(2 ** 20)), intish(() => int(3))] : [host6(), ports(), 2 ** 21];
    return chance(0.7) ? unixPath() : Buffer.from(unixPath());
  };
  // A descriptor argument: one of the fuzzer's own, or a value that cannot
  // name anyone else's (negative, past RLIMIT_NOFILE, not an integer). Never
  // a small number: 0, 1 and 2 are Node's stdio.
  const notAnFd = [-1, -2, -(2 ** 31), 2 ** 31, 2 ** 32, 1 << 20, (1 << 20) + 7, NaN, Infinity, 0.5, 1e308, '3', null,
    undefined, {}, [], true, 10n, Symbol('fd')];
  const fd = (): unknown => {
    const r = rand();
    if (r < 0.75 && fds.length) return pick(fds);
    if (r < 0.82) return devnull;
    return pick(notAnFd);
  };
  const flags = () => (chance(0.9) ? pick([0, 0, S.MSG_DONTWAIT, S.MSG_PEEK | S.MSG_DONTWAIT, S.MSG_TRUNC | S.MSG_DONTWAIT,
    S.MSG_ERRQUEUE | S.MSG_DONTWAIT, S.MSG_NOSIGNAL, S.MSG_WAITALL | S.MSG_DONTWAIT, S.MSG_OOB | S.MSG_DONTWAIT, 1 << 30]) : anything());
  // Options: named ones that change only the socket itself, and numbers
  // the kernel does not know.
  const opts = [[S.SOL_SOCKET, S.SO_REUSEADDR], [S.SOL_SOCKET, S.SO_REUSEPORT], [S.SOL_SOCKET, S.SO_RCVBUF],
    [S.SOL_SOCKET, S.SO_SNDBUF], [S.SOL_SOCKET, S.SO_ERROR], [S.SOL_SOCKET, S.SO_TYPE], [S.SOL_SOCKET, S.SO_LINGER],
    [S.SOL_SOCKET, S.SO_KEEPALIVE], [S.SOL_SOCKET, S.SO_PASSCRED], [S.SOL_SOCKET, S.SO_TIMESTAMP],
    [S.SOL_SOCKET, S.SO_DOMAIN], [S.SOL_SOCKET, S.SO_PROTOCOL], [S.SOL_SOCKET, S.SO_PRIORITY],
    [S.SOL_IP, S.IP_RECVERR], [S.SOL_IP, S.IP_TTL], [S.SOL_IP, S.IP_TOS], [S.SOL_IP, S.IP_PKTINFO],
    [S.SOL_IP, S.IP_MTU_DISCOVER], [S.SOL_IPV6, S.IPV6_RECVERR], [S.SOL_IPV6, S.IPV6_V6ONLY],
    [S.SOL_IPV6, S.IPV6_UNICAST_HOPS], [S.SOL_TCP, S.TCP_NODELAY], [S.SOL_TCP, S.TCP_MAXSEG],
    [S.SOL_SOCKET, 9999], [S.SOL_IP, 9999], [7777, 1]] as const;
  const optValue = () => pick([0, 1, -1, 65536, 2 ** 31 - 1, Buffer.alloc(0), Buffer.alloc(4, 1), Buffer.alloc(8), Buffer.alloc(3),
    null, 'x', NaN]);
  const signalOpt = (): { signal?: AbortSignal; ref?: boolean; aborts: boolean } => {
    const r = rand();
    if (r < 0.6) return { aborts: false };
    if (r < 0.7) return { signal: AbortSignal.abort(), aborts: true };
    if (r < 0.9) return { signal: AbortSignal.timeout(1 + int(20)), aborts: true, ref: chance(0.5) };
    return { signal: 'x' as never, aborts: false };
  };
  const cmsgs = (): unknown => {
    if (chance(0.2)) return anything();
    return Array.from({ length: int(3) }, () => (chance(0.8) ? {
      level: pick([S.SOL_SOCKET, S.SOL_IP, 0, 9999]),
      // SCM_RIGHTS only with the fuzzer's own descriptors, or -1.
      type: pick([S.SCM_RIGHTS, S.SCM_CREDENTIALS, 7, 0]),
      data: chance(0.5) ? Buffer.from(new Int32Array([fds.length ? pick(fds) : -1, -1]).buffer)
        : Buffer.alloc(pick([0, 3, 12])),
    } : anything()));
  };

  // ---- the calls ----
  type Call = { name: string; run: () => unknown; aborts?: boolean; closes?: boolean };
  const calls: (() => Call)[] = [
    () => { const a = [intishSafe(() => pick([S.AF_INET, S.AF_INET6, S.AF_UNIX, 9999, 46, -1])), intishSafe(() => pick([S.SOCK_DGRAM, S.SOCK_STREAM, 99])), intishSafe(() => pick([0, 17, 6, 255]))];
      return { name: `sys.socket(${show(a)})`, run: () => { const f = sys.socket(...(a as [number, number, number])); harden(f); fds.push(f); } }; },
    () => { const a = [S.AF_UNIX, intishSafe(() => pick([S.SOCK_DGRAM, S.SOCK_STREAM, 99]))];
      return { name: `sys.socketpair(${show(a)})`, run: () => { const p = sys.socketpair(...(a as [number, number])); p.forEach(harden); fds.push(...p); } }; },
    () => { const a = [fd(), sysAddr()]; return { name: `sys.bind(${show(a)})`, run: () => sys.bind(...(a as [number, never])) }; },
    () => { const a = [fd(), intish(() => int(10))]; return { name: `sys.listen(${show(a)})`, run: () => sys.listen(...(a as [number, number])) }; },
    () => { const a = [fd(), intish(() => int(4))]; return { name: `sys.shutdown(${show(a)})`, run: () => sys.shutdown(...(a as [number, number])) }; },
    () => { const i = int(Math.max(1, fds.length)); const f = chance(0.9) && fds.length ? fds[i] : pick([-1, 1 << 20, NaN]);
      return { name: `sys.close(${show([f])})`, run: () => { sys.close(f as number); const k = fds.indexOf(f as number); if (k >= 0) fds.splice(k, 1); } }; },
    () => { const a = [fd(), intish(() => pick([0, 16, 28, 110, 128, 129]))]; return { name: `sys.getsockname(${show(a)})`, run: () => sys.getsockname(...(a as [number, number])) }; },
    () => { const a = [fd(), intish(() => pick([0, 16, 28, 128]))]; return { name: `sys.getpeername(${show(a)})`, run: () => sys.getpeername(...(a as [number, number])) }; },
    () => { const [l, o] = pick(opts); const a = [fd(), l, o, ...(chance(0.5) ? [intish(() => pick([0, 1, 4, 8, 16, 1024, 1 << 21]))] : [])];
      return { name: `sys.getsockopt(${show(a)})`, run: () => (sys.getsockopt as (...x: unknown[]) => unknown)(...a) }; },
    () => { const [l, o] = pick(opts); const a = [fd(), l, o, optValue(), ...(chance(0.3) ? [intish(() => pick([0, 1, 4, 100]))] : [])];
      return { name: `sys.setsockopt(${show(a)})`, run: () => (sys.setsockopt as (...x: unknown[]) => unknown)(...a) }; },
    () => { const a = [fd(), intish(() => pick([S.FIONBIO, S.FIONREAD, S.SIOCGIFINDEX, S.SIOCGIFNAME, 0x8916, 0x5401])), chance(0.5) ? pick(['lo', 'nope0', 'x'.repeat(20), 'a\0b']) : intish(() => int(3))];
      return { name: `sys.ioctl(${show(a)})`, run: () => (sys.ioctl as (...x: unknown[]) => unknown)(...a) }; },
    () => { const host = pick(['localhost', '127.0.0.1', '::1', 'a..b', null, 'local\0host', 5]);
      const family = host === 'localhost' ? S.AF_INET : pick([0, S.AF_INET, S.AF_INET6, 9999]);
      const a = [host, pick(['80', 'http', null, '99999', 7]),
      chance(0.5) || host === 'localhost' ? { family, flags: pick([0, S.AI_NUMERICHOST, S.AI_PASSIVE, -1]) } : undefined];
      return { name: `sys.getaddrinfo(${show(a)})`, run: () => (sys.getaddrinfo as (...x: unknown[]) => unknown)(...a) }; },
    () => { const a = [pick([S.AF_INET, S.AF_INET6, 99]), pick(['127.0.0.1', '::1', 'x', '', 5])]; return { name: `sys.inet_pton(${show(a)})`, run: () => sys.inet_pton(...(a as [number, string])) }; },
    () => { const a = [pick([S.AF_INET, S.AF_INET6, 99]), buffer()]; return { name: `sys.inet_ntop(${show(a)})`, run: () => sys.inet_ntop(...(a as [number, never])) }; },
    () => { const a = [pick(['lo', 'nope0', '', 'a\0b', 5])]; return { name: `sys.if_nametoindex(${show(a)})`, run: () => sys.if_nametoindex(a[0] as string) }; },
    // calls that can block, both forms
    ...(['Sync', ''] as const).flatMap((form) => {
      const asyncArgs = () => { const o = signalOpt(); return { o, extra: form === '' ? [o.signal === undefined && o.ref === undefined ? undefined : { signal: o.signal, ref: o.ref }] : [] }; };
      const mk = (name: string, args: () => unknown[]) => (): Call => {
        const { o, extra } = asyncArgs();
        const a = [...args(), ...extra];
        const fn = (sys as Record<string, unknown>)[`${name}${form}`] as (...x: unknown[]) => unknown;
        return { name: `sys.${name}${form}(${show(a)})`, run: () => fn(...a), aborts: form === '' && o.aborts };
      };
      return [
        mk('connect', () => [fd(), sysAddr()]),
        mk('accept4', () => [fd(), intish(() => pick([0, S.SOCK_CLOEXEC, S.SOCK_NONBLOCK, -1])), intish(() => pick([0, 16, 128, 1000]))]),
        mk('send', () => [fd(), buffer(), flags()]),
        mk('sendto', () => [fd(), buffer(), flags(), chance(0.3) ? null : sysAddr()]),
        mk('sendmsg', () => [fd(), chance(0.9) ? { iov: Array.from({ length: int(4) }, buffer), name: chance(0.5) ? sysAddr() : undefined, control: cmsgs() } : anything(), flags()]),
        mk('recv', () => [fd(), buffer(), flags()]),
        mk('recvfrom', () => [fd(), buffer(), flags(), intish(() => pick([0, 4, 16, 28, 110, 128, 129]))]),
        mk('recvmsg', () => [fd(), chance(0.9) ? { iov: Array.from({ length: int(4) }, buffer), namelen: intish(() => pick([0, 16, 128])), controllen: intish(() => pick([0, 16, 64, 512])) } : anything(), flags()]),
        mk('poll', () => [chance(0.9) ? Array.from({ length: int(4) }, () => ({ fd: fd(), events: intish(() => pick([S.POLLIN, S.POLLOUT, 0, S.POLLIN | S.POLLOUT, 1 << 17])) })) : anything(),
          // A timeout that could block for long is not adversarial, only slow.
          chance(0.9) ? pick([0, 1, 10, 50]) : pick(weird)]),
      ];
    }),
    // the facade
    () => { const a = [intishSafe(() => pick([S.AF_INET, S.AF_INET6, S.AF_UNIX, 9999])), intishSafe(() => pick([S.SOCK_DGRAM, S.SOCK_STREAM, S.SOCK_DGRAM | S.SOCK_NONBLOCK])),
      ...(chance(0.3) ? [intishSafe(() => pick([0, 17]))] : []), ...(chance(0.2) && fds.length ? [fds[0]] : chance(0.1) ? [pick(notAnFd)] : [])];
      return { name: `socket(${show(a)})`, run: () => {
        const s = S.socket(...(a as [number, number]));
        if (a[3] !== undefined) { const k = fds.indexOf(a[3] as number); if (k >= 0) fds.splice(k, 1); }
        harden(s.fileno()); socks.push(s); } }; },
    () => { const a = [pick([S.AF_UNIX, 9999]), pick([S.SOCK_DGRAM, S.SOCK_STREAM])];
      return { name: `socketpair(${show(a)})`, run: () => { for (const s of S.socketpair(...(a as [number, number]))) { harden(s.fileno()); socks.push(s); } } }; },
    ...([
      ['bind', (s) => [pyAddr(s.family)]],
      ['listen', () => (chance(0.5) ? [] : [intish(() => int(10))])],
      ['shutdown', () => [intish(() => int(3))]],
      ['getsockname', () => []], ['getpeername', () => []], ['fileno', () => []], ['gettimeout', () => []], ['getblocking', () => []],
      ['settimeout', () => [chance(0.3) ? null : pick([0, 0.01, 0.05, -1, 'x', NaN, Infinity])]],
      ['setblocking', () => [pick([true, false, 0, 1, 'x'])]],
      ['getsockopt', () => { const [l, o] = pick(opts); return [l, o, ...(chance(0.4) ? [intish(() => pick([1, 4, 8, 1024, 2000, 0]))] : [])]; }],
      ['setsockopt', () => { const [l, o] = pick(opts); const v = optValue(); return v === null ? [l, o, v, ...(chance(0.8) ? [4] : [])] : [l, o, v]; }],
      ['detach', () => []],
    ] as [string, (s: { family: number }) => unknown[]][]).map(([name, args]) => (): Call => {
      const s = socks.length ? pick(socks) : newSock();
      const a = args({ family: s.family.value });
      return { name: `sock.${name}(${show(a)})`, run: () => {
        const r = (s as unknown as Record<string, (...x: unknown[]) => unknown>)[name](...a);
        if (name === 'detach' && typeof r === 'number' && r >= 0) { harden(r); fds.push(r); }
        return r;
      } };
    }),
    () => { const s = socks.length ? pick(socks) : newSock();
      return { name: 'sock.close()', run: () => { s.close(); socks.splice(socks.indexOf(s), 1); } }; },
    ...(['Sync', ''] as const).flatMap((form) => ([
      ['connect', (s) => [pyAddr(s.family)]], ['connect_ex', (s) => [pyAddr(s.family)]], ['accept', () => []],
      ['send', () => [buffer(), ...(chance(0.5) ? [flags()] : [])]],
      ['sendall', () => [buffer(), ...(chance(0.5) ? [flags()] : [])]],
      ['sendto', (s) => (chance(0.5) ? [buffer(), pyAddr(s.family)] : [buffer(), flags(), pyAddr(s.family)])],
      ['sendmsg', (s) => [chance(0.9) ? Array.from({ length: int(3) }, buffer) : anything(),
        chance(0.8) ? [] : [[S.SOL_SOCKET, S.SCM_RIGHTS, Buffer.from(new Int32Array([-1]).buffer)], anything()], flags(), chance(0.5) ? null : pyAddr(s.family)]],
      ['recv', () => [intish(() => pick([0, 1, 100, 65535, -1])), ...(chance(0.5) ? [flags()] : [])]],
      ['recvfrom', () => [intish(() => pick([0, 1, 100, 65535, -1])), ...(chance(0.5) ? [flags()] : [])]],
      ['recv_into', () => [buffer(), ...(chance(0.5) ? [intish(() => pick([0, 1, 8, 100, -1]))] : []), ...(chance(0.3) ? [flags()] : [])]],
      ['recvfrom_into', () => [buffer(), ...(chance(0.5) ? [intish(() => pick([0, 1, 8, 100, -1]))] : []), ...(chance(0.3) ? [flags()] : [])]],
      ['recvmsg', () => [intish(() => pick([0, 100, -1])), intish(() => pick([0, 64, 512, -1])), flags()]],
      ['recvmsg_into', () => [chance(0.9) ? Array.from({ length: int(3) }, buffer) : anything(), intish(() => pick([0, 64, -1])), flags()]],
    ] as [string, (s: { family: number }) => unknown[]][]).map(([name, args]) => (): Call => {
      const s = socks.length ? pick(socks) : newSock();
      const o = form === '' ? signalOpt() : { aborts: false, signal: undefined, ref: undefined };
      const a = [...args({ family: s.family.value }), ...(form === '' && (o.signal !== undefined || o.ref !== undefined) ? [{ signal: o.signal, ref: o.ref }] : [])];
      return { name: `sock.${name}${form}(${show(a)})`, aborts: o.aborts, run: () => {
        const r = (s as unknown as Record<string, (...x: unknown[]) => unknown>)[`${name}${form}`](...a);
        const keep = (v: unknown) => {
          if (name === 'accept' && Array.isArray(v) && v[0] instanceof S.Socket) { harden(v[0].fileno()); socks.push(v[0]); }
          return v;
        };
        return r instanceof Promise ? r.then(keep) : keep(r);
      } };
    })),
    // a pending call ended by close(), the socket gone after
    () => { const s = socks.length ? pick(socks) : newSock();
      return { name: 'sock.recvfrom() pending, then sock.close()', closes: true, run: async () => {
        const p = s.recvfrom(100);
        p.catch(() => {}); // it may fail before the close; returned below
        await new Promise((r) => setTimeout(r, int(5)));
        s.close();
        socks.splice(socks.indexOf(s), 1);
        return p;
      } }; },
    () => { const s = socks.length ? pick(socks) : newSock();
      return { name: 'poll() pending, then an abort', aborts: true, run: () => {
        const p = S.select.poll();
        p.register(s.fileno() >= 0 ? s.fileno() : devnull, 0);
        return p.poll(-1, { signal: AbortSignal.timeout(1 + int(10)) });
      } }; },
  ];

  // ---- the shapes that found issue 13's defects ----
  // An object argument whose property getter runs JavaScript in the middle
  // of the addon's reading of it: aborting the call's own signal, closing
  // one of the fuzzer's descriptors, detaching or resizing a buffer; or the
  // same object behind a Proxy that does it on every property read.
  const mischief = (ac?: AbortController): (() => void) => pick([
    () => ac?.abort(),
    () => { if (fds.length > 1) sys.close(fds.splice(int(fds.length), 1)[0]); },
    () => { try { detached(); } catch { /* nothing to detach */ } },
    () => {},
  ]);
  const hostile = <T extends object>(o: T, act: () => void): T => {
    if (chance(0.5)) {
      return new Proxy(o, { get(t, k, r) { if (typeof k === 'string') act(); return Reflect.get(t, k, r); } });
    }
    const out = { ...o } as Record<string, unknown>;
    const key = pick(Object.keys(o));
    const value = (o as Record<string, unknown>)[key];
    Object.defineProperty(out, key, { enumerable: true, get() { act(); return value; } });
    return out as T;
  };
  // A buffer the call will be pending on, and what is done to it meanwhile.
  const resizable = (): [Uint8Array, () => void] => {
    // (ES2024's resizable ArrayBuffer; Node 20 has it.)
    const ab = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void })(64, { maxByteLength: 256 });
    const view = new Uint8Array(ab);
    return [view, pick([() => ab.resize(0), () => ab.resize(256), () => structuredClone(ab, { transfer: [ab] }), () => {}])];
  };
  const tick = () => new Promise((r) => setTimeout(r, int(3)));
  calls.push(
    // getters and Proxies in the address, msg and options of Promise-form calls
    () => { const ac = new AbortController(); const act = mischief(ac); const f = fd();
      const addr = sysAddr(); const a = [f, Buffer.from('x'), 0, typeof addr === 'object' && addr !== null ? hostile(addr, act) : addr];
      return { name: `sys.sendto(${show(a)}) with a hostile address`, aborts: true, closes: true,
        run: () => sys.sendto(...(a as [number, Buffer, number, never]), { signal: ac.signal }) }; },
    () => { const ac = new AbortController(); const act = mischief(ac);
      const msg = hostile({ iov: [Buffer.alloc(16)], namelen: 128, controllen: pick([0, 64]) }, act);
      return { name: 'sys.recvmsg(fd, a hostile msg) with its signal', aborts: true, closes: true,
        run: () => sys.recvmsg(fd() as number, msg, S.MSG_DONTWAIT, { signal: ac.signal }) }; },
    () => { const ac = new AbortController(); const act = mischief(ac);
      const options = hostile({ signal: ac.signal, ref: chance(0.5) }, act);
      return { name: 'sock.recvfrom(100, hostile options)', aborts: true, closes: true, run: () => {
        const s = socks.length ? pick(socks) : newSock();
        const p = s.recvfrom(100, options);
        setTimeout(() => ac.abort(), int(5));
        return p;
      } }; },
    // detach and resize while a call is pending
    () => { const [view, act] = resizable();
      return { name: 'sys.recv() pending on a buffer resized or detached meanwhile', aborts: true, closes: true, run: async () => {
        const [a, b] = sys.socketpair(S.AF_UNIX, S.SOCK_DGRAM);
        const p = sys.recv(a, view, 0, { signal: AbortSignal.timeout(20) });
        act();
        await tick();
        try { sys.sendSync(b, Buffer.alloc(int(100))); } catch { /* EAGAIN */ }
        try { return await p; } finally { sys.close(a); sys.close(b); }
      } }; },
    // close and abort racing a pending call; the number reused at once
    () => ({ name: 'a pending recvfrom, its fd closed and the number taken again at once', closes: true, run: async () => {
      const f = newFd();
      fds.splice(fds.indexOf(f), 1);
      const p = sys.recvfrom(f, Buffer.alloc(8), 0, undefined).catch((e) => e);
      if (chance(0.5)) await tick();
      sys.close(f);
      const again = newFd();  // most often the same number
      const r = await p;
      if (!(r instanceof S.SocketClosedError) && !(r instanceof S.OSError)) throw new Error(`the old call on ${f} gave ${String(r)} after ${again} took the number`);
      if (r instanceof S.OSError && r.errno !== S.errno.EBADF && r.errno !== S.errno.EAGAIN) throw r;
    } }),
    () => ({ name: 'an abort and a close racing one pending call', aborts: true, closes: true, run: async () => {
      const f = newFd();
      fds.splice(fds.indexOf(f), 1);
      const ac = new AbortController();
      const p = sys.recvfrom(f, Buffer.alloc(8), 0, undefined, { signal: ac.signal });
      if (chance(0.5)) { ac.abort(); sys.close(f); } else { sys.close(f); ac.abort(); }
      return p;
    } }),
    // SCM_RIGHTS descriptors closed while the sendmsg is pending
    () => ({ name: 'sys.sendmsg() with SCM_RIGHTS, the passed fd closed while pending', closes: true, run: async () => {
      const [a, b] = sys.socketpair(S.AF_UNIX, S.SOCK_DGRAM);
      const passed = newFd();
      fds.splice(fds.indexOf(passed), 1);
      const data = Buffer.alloc(4);
      data.writeInt32LE(passed);
      const p = sys.sendmsg(a, { iov: [Buffer.from('m')], control: [{ level: S.SOL_SOCKET, type: S.SCM_RIGHTS, data }] });
      if (chance(0.5)) await tick();
      sys.close(passed);
      try {
        return await p;
      } finally {
        // Whatever arrived is closed again: a received fd is the fuzzer's own.
        for (;;) {
          let got;
          try { got = sys.recvmsgSync(b, { iov: [Buffer.alloc(4)], controllen: 64 }, S.MSG_DONTWAIT); } catch { break; }
          for (const c of got.control) if (c.type === S.SCM_RIGHTS) for (let k = 0; k + 4 <= c.data.length; k += 4) sys.close(c.data.readInt32LE(k));
        }
        sys.close(a);
        sys.close(b);
      }
    } }),
  );

  const started = Date.now();
  const say = (line: string) => process.stdout.write(line + '\n');
  // Calls made with { ref: false } do not keep the process alive, nor do
  // AbortSignal.timeout's timers: this does, while the fuzzer waits on them.
  const alive = setInterval(() => {}, 1000);
  for (let i = 0; i < count && Date.now() - started < seconds * 1000; i++) {
    const call = pick(calls)();
    appendFileSync(traceFile, `#CALL ${i}\n`);
    say(`CALL ${i} ${call.name}`);
    let outcome: Record<string, unknown>;
    try {
      let r = call.run();
      if (r instanceof Promise) r = await r;
      outcome = { ok: true };
    } catch (e) {
      const err = e as { name?: string; errno?: number; syscall?: string; message?: string; code?: string };
      outcome = { ok: false, cls: e instanceof Error ? err.name : typeof e, errno: err.errno, code: err.code,
        syscall: err.syscall, message: String(err.message ?? e).slice(0, 200),
        oserror: e instanceof S.OSError, gai: e instanceof S.gaierror, aborted: e instanceof S.AbortError,
        closed: e instanceof S.SocketClosedError, allowAbort: Boolean(call.aborts), allowClosed: Boolean(call.closes) };
    }
    say(`DONE ${i} ${JSON.stringify(outcome)}`);
    trim();
    if (i % 50 === 49) { for (const f of fds.splice(0)) sys.close(f); for (const s of socks.splice(0)) s.close(); for (let k = 0; k < 4; k++) { newFd(); newSock(); } }
  }
  clearInterval(alive);
  appendFileSync(traceFile, '#END\n');
  for (const f of fds) sys.close(f);
  for (const s of socks) s.close();
  closeSync(devnull);
  rmSync(dir, { recursive: true, force: true });
  say('END');
}

function show(args: unknown[]): string {
  return args.map((a) => {
    if (typeof a === 'string') return JSON.stringify(a.length > 24 ? `${a.slice(0, 24)}…(${a.length})` : a);
    if (typeof a === 'bigint') return `${a}n`;
    if (typeof a === 'symbol' || typeof a === 'function') return typeof a;
    if (a instanceof ArrayBuffer) return `ArrayBuffer(${a.byteLength})`;
    if (ArrayBuffer.isView(a)) return `${a.constructor.name}(${a.byteLength})`;
    if (a instanceof AbortSignal) return `AbortSignal(${a.aborted ? 'aborted' : 'pending'})`;
    if (Array.isArray(a)) return `[${show(a)}]`;
    if (a !== null && typeof a === 'object') {
      try { return `{${Object.entries(a).map(([k, v]) => `${k}: ${show([v])}`).join(', ')}}`; } catch { return 'object'; }
    }
    return String(a);
  }).join(', ');
}

// ---- the parent: watches the child, then checks every errno against the trace --

export interface FuzzResult { seed: number; calls: number; failures: string[]; outcomes: Record<string, number> }

/** strace's errno names (the tracer's), by value: EAGAIN for 11, as strace prints it. */
async function errnoNames(): Promise<Map<number, string>> {
  const S = await import('sockcall');
  const names = new Map<number, string>();
  for (const [name, v] of Object.entries(S.errno)) if (!names.has(v) || ['EAGAIN', 'EDEADLK', 'EOPNOTSUPP'].includes(name)) names.set(v, name);
  return names;
}

export async function fuzz(seed: number, count: number, seconds: number, env: NodeJS.ProcessEnv = process.env): Promise<FuzzResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockcall-fuzztrace-'));
  const traceFile = path.join(dir, 'trace');
  writeFileSync(traceFile, '');
  const failures: string[] = [];
  const outcomes: Record<string, number> = {};
  let lastCall = '';
  let done = 0;
  const results = new Map<number, Record<string, unknown>>();
  const names = new Map<number, string>();
  try {
    const { status, signal, stderr, hung } = await new Promise<{ status: number | null; signal: string | null; stderr: string; hung: boolean }>((resolve) => {
      const c = spawn(process.execPath, [...process.execArgv, self, '--child', '--seed', String(seed), '--count', String(count), '--seconds', String(seconds)],
        { env: { ...env, SOCKCALL_TRACE: traceFile }, stdio: ['ignore', 'pipe', 'pipe'] });
      let buf = '';
      let stderr = '';
      let hung = false;
      let watchdog = setTimeout(() => { hung = true; c.kill('SIGKILL'); }, 20_000);
      c.stdout.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const m = /^(CALL|DONE) (\d+) (.*)$/.exec(line);
          if (!m) continue;
          clearTimeout(watchdog);
          watchdog = setTimeout(() => { hung = true; c.kill('SIGKILL'); }, 20_000);
          if (m[1] === 'CALL') { lastCall = `#${m[2]} ${m[3]}`; names.set(Number(m[2]), m[3]); } else { results.set(Number(m[2]), JSON.parse(m[3])); done++; }
        }
      });
      c.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      c.on('close', (status, signal) => { clearTimeout(watchdog); resolve({ status, signal, stderr, hung }); });
    });
    if (hung) failures.push(`hang: no progress for 20 s in ${lastCall} (seed ${seed})`);
    else if (status !== 0 || signal) failures.push(`crash: the child ended with ${signal ?? `status ${status}`} in ${lastCall} (seed ${seed})\n${stderr.slice(-2000)}`);
    // Each call's slice of the trace: the errno it reports must be one a
    // system call in that slice failed with.
    const segments = new Map<number, string[]>();
    let cur = -1;
    for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
      const m = /^#CALL (\d+)$/.exec(line);
      if (m) { cur = Number(m[1]); segments.set(cur, []); continue; }
      if (line.startsWith('#END')) { cur = -1; continue; }
      if (cur >= 0 && line) segments.get(cur)!.push(line);
    }
    const enames = await errnoNames();
    for (const [i, r] of results) {
      const key = r.ok ? 'returned' : String(r.cls);
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (r.ok) continue;
      const where = `#${i} ${names.get(i)} (seed ${seed})`;
      if (r.cls === 'TypeError' || r.cls === 'RangeError') continue;
      if (r.aborted) { if (!r.allowAbort) failures.push(`AbortError with no signal aborted: ${where}`); continue; }
      if (r.closed) { if (!r.allowClosed) failures.push(`SocketClosedError with no close: ${where}`); continue; }
      if (r.gai) { if (!(typeof r.errno === 'number' && r.errno < 0 && String(r.code).startsWith('EAI_'))) failures.push(`gaierror without an EAI code: ${where}: ${r.message}`); continue; }
      if (r.oserror && r.errno === undefined) {
        if (r.cls === 'TimeoutError' && r.message === 'timed out') continue;
        if (['wildcard resolved to multiple address', 'unsupported address family', 'unknown address family'].includes(String(r.message))) continue;
        failures.push(`OSError without errno: ${where}: ${r.message}`);
        continue;
      }
      if (r.oserror && typeof r.errno === 'number') {
        // Not system calls of sockcall's own: pthread_create, and the libc
        // functions whose errno is libc's answer (inet_ntop's EAFNOSUPPORT)
        // or comes from system calls libc makes itself.
        if (['pthread_create', 'inet_pton', 'inet_ntop', 'if_nametoindex', 'if_indextoname', 'getaddrinfo'].includes(String(r.syscall))) continue;
        const name = enames.get(r.errno) ?? `E${r.errno}`;
        const seg = segments.get(i) ?? [];
        // The errno a call failed with, or the pending error SO_ERROR read
        // (connect under a timeout reports the connection's outcome so).
        if (!seg.some((l) => l.includes(` = -1 ${name} (`) || l.includes(`SO_ERROR, [${name}]`))) {
          failures.push(`errno ${r.errno} (${name}) from ${r.syscall} is not in the trace of the call: ${where}\n  ${seg.join('\n  ')}`);
        }
        continue;
      }
      failures.push(`${r.cls}: ${r.message}: ${where}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { seed, calls: done, failures, outcomes };
}

// ---- command line ------------------------------------------------------------------

const argv = process.argv.slice(2);
const arg = (name: string, def: number) => { const i = argv.indexOf(name); return i >= 0 ? Number(argv[i + 1]) : def; };
if (argv.includes('--child')) {
  await child(arg('--seed', 1), arg('--count', 1000), arg('--seconds', 60), process.env.SOCKCALL_TRACE!);
} else if (process.argv[1] === self) {
  const seed = arg('--seed', Date.now() % 1_000_000);
  const r = await fuzz(seed, arg('--count', 1_000_000), arg('--seconds', 60));
  process.stdout.write(`sockcall fuzz: seed ${r.seed}, ${r.calls} calls: ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  for (const f of r.failures) process.stdout.write(`FAIL ${f}\n`);
  process.exitCode = r.failures.length ? 1 : 0;
}
