// A cell of the lab's matrix, UDP: the TypeScript port of udp.py, line for
// line (sockcall lab --compare shows both make the same system calls and
// print the same lines). A datagram to a destination that makes an ICMP
// error; whether the socket is woken, SO_ERROR, the error queue; then a
// second datagram and the next recvfrom.
//
//   npx tsx udp.ts connected|unconnected FROM TO PORT [recverr] [hops=N] [size=N] [pmtudisc=do|probe]
import {
  socket, select, errorcode, decodeSockExtendedErr, OSError, AF_INET, AF_INET6, SOCK_DGRAM, SOL_SOCKET, SO_ERROR,
  IPPROTO_IP, IPPROTO_IPV6, IP_RECVERR, IPV6_RECVERR, IP_TTL, IPV6_UNICAST_HOPS, IP_MTU_DISCOVER, IPV6_MTU_DISCOVER,
  IP_PMTUDISC_DO, IP_PMTUDISC_PROBE, POLLIN, POLLERR, MSG_ERRQUEUE, MSG_TRUNC, MSG_CTRUNC,
} from 'sockcall';

// IPV6_PMTUDISC_DO and _PROBE are IP_PMTUDISC_DO and _PROBE's values (linux/in6.h).
const PMTUDISC: Record<string, number> = { do: IP_PMTUDISC_DO, probe: IP_PMTUDISC_PROBE };
const WAIT_MS = 300;  // the time given to an answer
const WAIT = WAIT_MS / 1000;

const [mode, source, target, port, ...options] = process.argv.slice(2);
const opts = new Map(options.map((o) => (o.includes('=') ? o.split('=', 2) as [string, string] : [o, ''])));
const family = target.includes(':') ? AF_INET6 : AF_INET;
const level = family === AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
const address: [string, number] = [target, Number(port)];
const data = Buffer.alloc(Number(opts.get('size') ?? '3'), 'x');

const failed = (e: OSError) => `${e.name}: ${e.message}`;
const flagNames = (value: number, names: [string, number][]) =>
  names.filter(([, bit]) => value & bit).map(([n]) => n).join('|') || '0';

const sock = socket(family, SOCK_DGRAM);
sock.bind([source, 0]);
const [host, localPort] = sock.getsockname() as [string, number];
console.log(`bound: ${host} port ${localPort}`);
if (opts.has('recverr')) sock.setsockopt(level, family === AF_INET6 ? IPV6_RECVERR : IP_RECVERR, 1);
if (opts.has('hops')) sock.setsockopt(level, family === AF_INET6 ? IPV6_UNICAST_HOPS : IP_TTL, Number(opts.get('hops')));
if (opts.has('pmtudisc')) sock.setsockopt(level, family === AF_INET6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER, PMTUDISC[opts.get('pmtudisc')!]);
if (mode === 'connected') await sock.connect(address);

async function send(): Promise<void> {
  try {
    const sent = mode === 'connected' ? await sock.send(data) : await sock.sendto(data, address);
    console.log('sendto:', sent);
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    console.log('sendto:', failed(e));
  }
}

await send();
const poll = select.poll();
poll.register(sock, POLLIN);
const ready = await poll.poll(WAIT_MS);
console.log('poll:', ready.length ? flagNames(ready[0][1], [['POLLIN', POLLIN], ['POLLERR', POLLERR]]) : `nothing within ${WAIT_MS} ms`);
const soError = sock.getsockopt(SOL_SOCKET, SO_ERROR);
console.log(soError ? `SO_ERROR: ${soError} ${errorcode[soError]}` : 'SO_ERROR: 0');
try {
  const [returned, ancdata, flags] = await sock.recvmsg(2048, 512, MSG_ERRQUEUE);
  for (const cmsg of ancdata) {
    const ee = decodeSockExtendedErr(cmsg);
    console.log(`error queue: errno ${ee.errno} ${ee.errnoName ?? ''}, origin ${ee.originName},` +
      ` type ${ee.type} code ${ee.code}, info ${ee.info}, from ${ee.offender && 'addr' in ee.offender ? ee.offender.addr : 'nobody'};` +
      ` ${returned.length} bytes returned, flags ${flagNames(flags, [['MSG_ERRQUEUE', MSG_ERRQUEUE], ['MSG_TRUNC', MSG_TRUNC], ['MSG_CTRUNC', MSG_CTRUNC]])}`);
  }
} catch (e) {
  if (!(e instanceof OSError)) throw e;
  console.log('error queue:', failed(e));
}
await send();
sock.settimeout(WAIT);
try {
  const [reply, peer] = await sock.recvfrom(65535);
  console.log('recvfrom:', reply.length, 'bytes from', (peer as [string, number])[0]);
} catch (e) {
  if (!(e instanceof OSError)) throw e;
  console.log('recvfrom:', failed(e));
}
sock.close();
