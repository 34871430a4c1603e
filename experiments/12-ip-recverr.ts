// An unconnected socket hears of the ICMP only if it asks: with IP_RECVERR
// the error is queued, and recvmsg with MSG_ERRQUEUE returns the datagram
// sent and a sock_extended_err.
import { socket, AF_INET, SOCK_DGRAM, SOL_IP, IP_RECVERR, MSG_ERRQUEUE } from 'sockcall';
const sock = socket(AF_INET, SOCK_DGRAM);
sock.setsockopt(SOL_IP, IP_RECVERR, 1);
await sock.sendto(Buffer.from('123'), ['127.0.0.1', 1060]);
const [data, ancdata] = await sock.recvmsg(65535, 512, MSG_ERRQUEUE);
const [level, kind, err] = ancdata[0];
console.log('returned:', `b'${data}'`, 'cmsg:', level, kind, 'ee_errno:', err.readUInt32LE(0),
    'ee_origin:', err[4], 'ee_type:', err[5], 'ee_code:', err[6]);
sock.close();
