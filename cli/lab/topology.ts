// The lab's network: a client, a router that forwards, a server, two veth
// links, IPv4 and IPv6, every address from the documentation ranges (RFC
// 5737: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24; RFC 3849:
// 2001:db8::/32) and only on the lab's own interfaces, inside its own
// namespaces. The client routes only the lab's ranges, to the router; no
// namespace has a default route or a link to anything outside the lab.
//
//   client c0 ---- r0 router r1 ---- s0 server
//   192.0.2.2/24     .1   198.51.100.1/24   .2 (and .3, .128-.191)
//   2001:db8:1::2/64 ::1  2001:db8:2::1/64  ::2 (and ::3, ::1:0/112)
//                         mtu 1280
//
// Each ICMP error is made by a kernel, from the state set up here; no packet
// is crafted:
//   port         nothing is bound on the server's port: the server's ICMP port unreachable (TCP: a RST)
//   host         198.51.100.99 is on the router's far link and nobody has it: its neighbour
//                resolution fails and it answers host unreachable (address unreachable)
//   net          the router has no route to 203.0.113.0/26: net unreachable (no route)
//   unreachable  the router's `unreachable 203.0.113.64/26` route
//   prohibit     the router's `prohibit 203.0.113.128/26` route: administratively prohibited
//   ttl          IP_TTL / IPV6_UNICAST_HOPS 1: the router's time exceeded
//   pmtu         1400 bytes through the router's 1280-byte far link: fragmentation needed
//                (IP_PMTUDISC_DO) / packet too big
//   blackhole    the router's `blackhole 203.0.113.192/26` route: nothing comes back
import { LabError, Namespaces, ip } from './netns.ts';

export type Family = 4 | 6;
export type Mode = 'udp-connected' | 'udp-unconnected' | 'tcp';
export const MODES: Mode[] = ['udp-connected', 'udp-unconnected', 'tcp'];
export const FAMILIES: Family[] = [4, 6];

/** The port the experiments send to (the article's): nothing in the lab listens on it. */
export const PORT = 1060;
/** The port of the lab's one listener, for the TCP pmtu cells. */
export const SINK_PORT = 1061;

export interface Kind {
  name: string;
  /** What the ICMP is called in RFC 792 / RFC 4443 terms. */
  title: string;
  /** What in the lab makes it. */
  how: string;
  /** The destination, by family; for TCP the pmtu kind has its own (see Lab.destination). */
  to: Record<Family, string>;
  /** The options the cell's program is given (besides recverr). */
  options(family: Family, mode: Mode): string[];
}

const none = () => [];

export const KINDS: Kind[] = [
  { name: 'port', title: 'port unreachable', how: 'nothing is bound on the server\'s port 1060',
    to: { 4: '198.51.100.2', 6: '2001:db8:2::2' }, options: none },
  { name: 'host', title: 'host unreachable / address unreachable',
    how: 'the router\'s neighbour resolution of 198.51.100.99 (2001:db8:2::99) on its far link fails',
    to: { 4: '198.51.100.99', 6: '2001:db8:2::99' }, options: none },
  { name: 'net', title: 'net unreachable / no route to destination', how: 'the router has no route to 203.0.113.0/26 (2001:db8:3::/64)',
    to: { 4: '203.0.113.1', 6: '2001:db8:3::1' }, options: none },
  { name: 'unreachable', title: 'the router\'s `unreachable` route',
    how: 'ip route add unreachable 203.0.113.64/26 (2001:db8:3:1::/64) on the router',
    to: { 4: '203.0.113.65', 6: '2001:db8:3:1::1' }, options: none },
  { name: 'prohibit', title: 'administratively prohibited',
    how: 'ip route add prohibit 203.0.113.128/26 (2001:db8:3:2::/64) on the router',
    to: { 4: '203.0.113.129', 6: '2001:db8:3:2::1' }, options: none },
  { name: 'ttl', title: 'time exceeded in transit', how: 'IP_TTL 1 (IPV6_UNICAST_HOPS 1): the router may not forward it',
    to: { 4: '198.51.100.2', 6: '2001:db8:2::2' }, options: () => ['hops=1'] },
  { name: 'pmtu', title: 'fragmentation needed / packet too big',
    how: '1400 bytes through the router\'s 1280-byte far link, DF set (IPv4: IP_PMTUDISC_DO, the route\'s MTU locked; ' +
      'IPv6, whose routers never fragment: IPV6_PMTUDISC_PROBE); TCP: 1400 bytes once connected, to port 1061, where the server listens',
    to: { 4: '198.51.100.3', 6: '2001:db8:2::3' },
    // IPv4: IP_PMTUDISC_DO, and the client's route to 198.51.100.3 has its
    // MTU locked, so that no run learns the path MTU from an earlier one.
    // IPv6 ignores that lock (measured: `ip -6 route show cache` then holds
    // an exception "mtu lock 1280"), so the IPv6 cells ask for
    // IPV6_PMTUDISC_PROBE: DF as always, and the learned path MTU ignored.
    // TCP sends 1400 bytes once connected, to a server that listens.
    options: (family, mode) => ['size=1400', ...(mode === 'tcp' ? family === 4 ? ['pmtudisc=do'] : []
      : [family === 4 ? 'pmtudisc=do' : 'pmtudisc=probe'])] },
  { name: 'blackhole', title: 'none (a silent drop)', how: 'ip route add blackhole 203.0.113.192/26 (2001:db8:3:3::/64) on the router',
    to: { 4: '203.0.113.193', 6: '2001:db8:3:3::1' }, options: none },
];

export function kind(name: string): Kind {
  const k = KINDS.find((x) => x.name === name);
  if (k === undefined) throw new LabError(`no ICMP kind "${name}"; the kinds: ${KINDS.map((x) => x.name).join(', ')}`);
  return k;
}

// The client's source addresses: each run of a cell sends from one of its
// own. A router answers no more than a few ICMP errors per source host at
// once: net/ipv4/route.c's ip_error() charges each unreachable or prohibit
// error to an inet_peer bucket of the sender's address (5 at once, then one
// a second: net.ipv4.route.error_burst and error_cost, sysctls of the host's
// namespace only, which the lab leaves alone).
const SOURCES = 200;
const source = (family: Family, n: number) => (family === 4 ? `192.0.2.${10 + n}` : `2001:db8:1::1:${(n + 1).toString(16)}`);
// The server's addresses for the TCP pmtu cells, one per run: the client
// learns the path MTU of each (TCP has to), so each run starts afresh.
const TCP_PMTU = 64;
const tcpPmtu = (family: Family, n: number) => (family === 4 ? `198.51.100.${128 + n}` : `2001:db8:2::1:${(n + 1).toString(16)}`);

/** The router's neighbour settings on its far link (measured in the matrix's "host" rows). */
export const NEIGH = { mcast_solicit: 1, retrans_time_ms: 10 };

export interface Cell {
  kind: string;
  family: Family;
  mode: Mode;
  recverr: boolean;
}

/** The program and the arguments of a cell: experiments/lab/udp.{py,ts} or tcp.{py,ts}. */
export interface Invocation {
  program: 'udp' | 'tcp';
  args: string[];
  from: string;
  to: string;
}

export function cellName(c: Cell): string {
  return `${c.kind}/ipv${c.family}/${c.mode}${c.recverr ? '/recverr' : ''}`;
}

export function allCells(): Cell[] {
  const cells: Cell[] = [];
  for (const k of KINDS) {
    for (const family of FAMILIES) {
      for (const mode of MODES) for (const recverr of [false, true]) cells.push({ kind: k.name, family, mode, recverr });
    }
  }
  return cells;
}

export class Lab {
  readonly ns: Namespaces;
  #sources: Record<Family, number> = { 4: 0, 6: 0 };
  #tcpPmtu: Record<Family, number> = { 4: 0, 6: 0 };
  #sink: ReturnType<typeof import('node:child_process').spawn> | null = null;
  /** Milliseconds the lab took to build. */
  readonly buildMs: number;

  private constructor(ns: Namespaces, buildMs: number) {
    this.ns = ns;
    this.buildMs = buildMs;
  }

  /** Builds a lab (after sweeping stale ones); the caller removes it (remove(), in a finally). */
  static async create(): Promise<Lab> {
    const t0 = performance.now();
    const ns = new Namespaces();
    try {
      build(ns);
      const lab = new Lab(ns, 0);
      await lab.#startSink();
      return Object.assign(lab, { buildMs: Math.round(performance.now() - t0) });
    } catch (err) {
      ns.remove();
      throw err;
    }
  }

  /** The next unused source address of the client, or a LabError when the lab has given them all. */
  source(family: Family): string {
    const n = this.#sources[family]++;
    if (n >= SOURCES) throw new LabError(`the lab has given all its ${SOURCES} IPv${family} source addresses; make another lab`);
    return source(family, n);
  }

  /** How a cell is run in this lab: its program, its own source address, and its destination. */
  invocation(c: Cell): Invocation {
    const k = kind(c.kind);
    const from = this.source(c.family);
    let to = k.to[c.family];
    if (c.kind === 'pmtu' && c.mode === 'tcp') {
      const n = this.#tcpPmtu[c.family]++;
      if (n >= TCP_PMTU) throw new LabError(`the lab has given all its ${TCP_PMTU} TCP pmtu destinations; make another lab`);
      to = tcpPmtu(c.family, n);
    }
    const program = c.mode === 'tcp' ? 'tcp' : 'udp';
    const head = c.mode === 'tcp' ? [] : [c.mode === 'udp-connected' ? 'connected' : 'unconnected'];
    const port = c.kind === 'pmtu' && c.mode === 'tcp' ? SINK_PORT : PORT;
    return { program, from, to, args: [...head, from, to, String(port), ...(c.recverr ? ['recverr'] : []), ...k.options(c.family, c.mode)] };
  }

  // The TCP pmtu cells need a server that accepts and reads: this one, on
  // SINK_PORT; nothing in the lab listens on PORT. It is Node's own `net` (no sockcall), and it ends
  // when its stdin does, so that it dies with the lab's owner even when
  // that is killed with SIGKILL.
  async #startSink(): Promise<void> {
    const { spawn } = await import('node:child_process');
    const code = `const net = require('node:net');
      const s = net.createServer((c) => { c.on('error', () => {}); c.resume(); });
      s.listen({ host: '::', port: ${SINK_PORT}, ipv6Only: false }, () => process.stdout.write('listening\\n'));
      process.stdin.on('end', () => process.exit(0)).resume();`;
    const child = spawn('ip', ['netns', 'exec', this.ns.server, process.execPath, '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#sink = child;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new LabError('the lab\'s TCP listener did not start within 5 s')), 5000);
      child.stdout!.setEncoding('utf8').on('data', (d: string) => { if (d.includes('listening')) { clearTimeout(t); resolve(); } });
      child.on('exit', (status) => { clearTimeout(t); reject(new LabError(`the lab's TCP listener exited (status ${status})`)); });
    });
    child.removeAllListeners('exit');
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
  }

  /** Removes the lab: its listener, its namespaces and everything still running in them. */
  remove(): void {
    if (this.#sink && this.#sink.exitCode === null) {
      try { this.#sink.kill('SIGKILL'); } catch { /* gone */ }
    }
    this.ns.remove();
  }
}

/** Writes sysctls inside a namespace (through /proc/sys, which shows the namespace of the process reading it). */
function sysctl(ns: string, settings: Record<string, string | number>): void {
  const args = Object.entries(settings).map(([k, v]) => `${k.replace(/\./g, '/')}=${v}`);
  const script = 'for kv; do printf "%s\\n" "${kv#*=}" > "/proc/sys/${kv%%=*}" || exit 1; done';
  ip(['netns', 'exec', ns, 'sh', '-c', script, 'sh', ...args]);
}

function batch(ns: string, lines: string[]): void {
  ip(['-n', ns, '-batch', '-'], lines.join('\n') + '\n');
}

function build(ns: Namespaces): void {
  const { client: C, router: R, server: S } = ns;
  // No duplicate address detection: an address is usable as soon as it is
  // added (a tentative IPv6 address cannot be bound to).
  for (const n of ns.all()) sysctl(n, { 'net.ipv6.conf.all.accept_dad': 0, 'net.ipv6.conf.default.accept_dad': 0 });
  // The links are made inside the namespaces, one end in each. Each end
  // is set to hand the network at most one segment per packet
  // (gso_max_segs 1): a veth passes segmentation-offload packets whole, so
  // a capture would show a retransmission of 1400 bytes where TCP sent
  // segments of 1228 and 172 (measured, with and without).
  ip(['-n', C, 'link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 'r0', 'netns', R]);
  ip(['-n', R, 'link', 'add', 'r1', 'type', 'veth', 'peer', 'name', 's0', 'netns', S]);

  // The router: forwarding, the far link's small MTU, the special routes,
  // and its neighbour resolution on the far link tuned to give up after
  // one probe 10 ms long (the default, 3 probes a second apart, takes 3 s).
  sysctl(R, {
    'net.ipv4.ip_forward': 1, 'net.ipv6.conf.all.forwarding': 1,
    // No rate limit on the ICMP errors that icmp_send()/icmpv6_send() limit
    // per destination (icmpv4_xrlim_allow): that bucket is the same
    // inet_peer as ip_error()'s, and a ratelimit of 0 would empty it on
    // every error. A ratemask of 0 leaves the peer alone.
    'net.ipv4.icmp_ratemask': 0, 'net.ipv6.icmp.ratelimit': 0,
    'net.ipv4.neigh.r1.mcast_solicit': NEIGH.mcast_solicit, 'net.ipv4.neigh.r1.retrans_time_ms': NEIGH.retrans_time_ms,
    'net.ipv6.neigh.r1.mcast_solicit': NEIGH.mcast_solicit, 'net.ipv6.neigh.r1.retrans_time_ms': NEIGH.retrans_time_ms,
  });
  batch(R, [
    'link set lo up',
    'link set r0 gso_max_segs 1 up',
    'link set r1 gso_max_segs 1 mtu 1280 up',
    'addr add 192.0.2.1/24 dev r0',
    'addr add 2001:db8:1::1/64 dev r0 nodad',
    'addr add 198.51.100.1/24 dev r1',
    'addr add 2001:db8:2::1/64 dev r1 nodad',
    'route add unreachable 203.0.113.64/26',
    'route add prohibit 203.0.113.128/26',
    'route add blackhole 203.0.113.192/26',
    'route add unreachable 2001:db8:3:1::/64',
    'route add prohibit 2001:db8:3:2::/64',
    'route add blackhole 2001:db8:3:3::/64',
  ]);

  // The client: its address, its pool of source addresses, routes to the
  // lab's ranges through the router, and the locked MTU to the IPv4 pmtu
  // destination.
  const client = [
    'link set lo up',
    'link set c0 gso_max_segs 1 up',
    'addr add 192.0.2.2/24 dev c0',
    'addr add 2001:db8:1::2/64 dev c0 nodad',
    'route add 198.51.100.0/24 via 192.0.2.1',
    'route add 203.0.113.0/24 via 192.0.2.1',
    'route add 198.51.100.3/32 via 192.0.2.1 mtu lock 1500',
    'route add 2001:db8:2::/64 via 2001:db8:1::1',
    'route add 2001:db8:3::/48 via 2001:db8:1::1',
  ];
  for (let n = 0; n < SOURCES; n++) {
    client.push(`addr add ${source(4, n)}/32 dev c0`, `addr add ${source(6, n)}/128 dev c0 nodad`);
  }
  batch(C, client);

  // The server: its addresses (the pmtu destinations among them), the
  // route back, and no rate limit on its port unreachables.
  sysctl(S, { 'net.ipv4.icmp_ratemask': 0, 'net.ipv6.icmp.ratelimit': 0 });
  const server = [
    'link set lo up',
    'link set s0 gso_max_segs 1 up',
    'addr add 198.51.100.2/24 dev s0',
    'addr add 198.51.100.3/32 dev s0',
    'addr add 2001:db8:2::2/64 dev s0 nodad',
    'addr add 2001:db8:2::3/128 dev s0 nodad',
    'route add 192.0.2.0/24 via 198.51.100.1',
    'route add 2001:db8:1::/64 via 2001:db8:2::1',
  ];
  for (let n = 0; n < TCP_PMTU; n++) {
    server.push(`addr add ${tcpPmtu(4, n)}/32 dev s0`, `addr add ${tcpPmtu(6, n)}/128 dev s0 nodad`);
  }
  batch(S, server);
}
