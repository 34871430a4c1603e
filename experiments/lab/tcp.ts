// A cell of the lab's matrix, TCP: the TypeScript port of tcp.py, line for
// line. connect, with a timeout, to a destination that makes an ICMP
// error; SO_ERROR; the error queue; and, once connected, a send and the
// next recv.
//
//   npx tsx tcp.ts FROM TO PORT [recverr] [hops=N] [size=N] [pmtudisc=do]
import {
  socket, errorcode, decodeSockExtendedErr, OSError, AF_INET, AF_INET6, SOCK_STREAM, SOL_SOCKET, SO_ERROR,
  IPPROTO_IP, IPPROTO_IPV6, IP_RECVERR, IPV6_RECVERR, IP_TTL, IPV6_UNICAST_HOPS, IP_MTU_DISCOVER, IP_PMTUDISC_DO,
  MSG_ERRQUEUE, MSG_TRUNC, MSG_CTRUNC,
} from 'sockcall';

const PMTUDISC: Record<string, number> = { do: IP_PMTUDISC_DO };
const WAIT_MS = 300;  // the time given to an answer
const WAIT = WAIT_MS / 1000;

const [source, target, port, ...options] = process.argv.slice(2);
const opts = new Map(options.map((o) => (o.includes('=') ? o.split('=', 2) as [string, string] : [o, ''])));
const family = target.includes(':') ? AF_INET6 : AF_INET;
const level = family === AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
const address: [string, number] = [target, Number(port)];
const data = Buffer.alloc(Number(opts.get('size') ?? '3'), 'x');

const failed = (e: OSError) => `${e.name}: ${e.message}`;

function soError(): void {
  const value = sock.getsockopt(SOL_SOCKET, SO_ERROR);
  console.log(value ? `SO_ERROR: ${value} ${errorcode[value]}` : 'SO_ERROR: 0');
}

const flagNames = (value: number, names: [string, number][]) =>
  names.filter(([, bit]) => value & bit).map(([n]) => n).join('|') || '0';

// The queue returns the start of the segment the error is about: the SYN's
// TCP header, with its random sequence number. No room is given for it (the
// count and MSG_TRUNC say it was there), so that two runs can be compared.
async function errorQueue(): Promise<void> {
  try {
    const [returned, ancdata, flags] = await sock.recvmsg(0, 512, MSG_ERRQUEUE);
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
}

const sock = socket(family, SOCK_STREAM);
sock.bind([source, 0]);
const [host, localPort] = sock.getsockname() as [string, number];
console.log(`bound: ${host} port ${localPort}`);
if (opts.has('recverr')) sock.setsockopt(level, family === AF_INET6 ? IPV6_RECVERR : IP_RECVERR, 1);
if (opts.has('hops')) sock.setsockopt(level, family === AF_INET6 ? IPV6_UNICAST_HOPS : IP_TTL, Number(opts.get('hops')));
if (opts.has('pmtudisc')) sock.setsockopt(level, IP_MTU_DISCOVER, PMTUDISC[opts.get('pmtudisc')!]);
sock.settimeout(WAIT);
let connected: boolean;
try {
  await sock.connect(address);
  console.log('connect: connected');
  connected = true;
} catch (e) {
  if (!(e instanceof OSError)) throw e;
  console.log('connect:', failed(e));
  connected = false;
}
soError();
sock.settimeout(null);
await errorQueue();
if (connected) {
  sock.settimeout(WAIT);
  try {
    await sock.sendall(data);
    console.log('sendall:', data.length, 'bytes');
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    console.log('sendall:', failed(e));
  }
  try {
    const reply = await sock.recv(65535);
    console.log('recv:', reply.length, 'bytes');
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    console.log('recv:', failed(e));
  }
  soError();
  sock.settimeout(null);
  await errorQueue();
}
sock.close();
