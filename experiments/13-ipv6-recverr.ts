// The error queue on IPv6: IPV6_RECVERR queues the ICMPv6 port unreachable
// (type 1, code 4) for an unconnected socket; recvmsg(MSG_ERRQUEUE) reads it,
// and decodeSockExtendedErr reads the control message.
import { socket, decodeSockExtendedErr, AF_INET6, SOCK_DGRAM, IPPROTO_IPV6, IPV6_RECVERR, MSG_ERRQUEUE } from 'sockcall';
const sock = socket(AF_INET6, SOCK_DGRAM);
sock.setsockopt(IPPROTO_IPV6, IPV6_RECVERR, 1);
await sock.sendto(Buffer.from('123'), ['::1', 1060]);
const [data, ancdata] = await sock.recvmsg(65535, 512, MSG_ERRQUEUE);
const [level, kind] = ancdata[0];
const ee = decodeSockExtendedErr(ancdata[0]);
console.log('returned:', `b'${data}'`, 'cmsg:', level, kind, 'ee_errno:', ee.errno,
    'ee_origin:', ee.origin, 'ee_type:', ee.type, 'ee_code:', ee.code);
sock.close();
