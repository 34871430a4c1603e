// The error queue decoded, on a real ICMP error from loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  socket, sys, decodeSockExtendedErr, AF_INET, AF_INET6, SOCK_DGRAM, SOL_IP, IP_RECVERR, SOL_IPV6, IPV6_RECVERR,
  MSG_ERRQUEUE, SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, ICMP6_DST_UNREACH,
  ICMP6_DST_UNREACH_NOPORT, errno,
} from 'sockcall';

for (const [family, host, level, option, origin, name, type, code] of [
  [AF_INET, '127.0.0.1', SOL_IP, IP_RECVERR, SO_EE_ORIGIN_ICMP, 'icmp', ICMP_DEST_UNREACH, ICMP_PORT_UNREACH],
  [AF_INET6, '::1', SOL_IPV6, IPV6_RECVERR, SO_EE_ORIGIN_ICMP6, 'icmp6', ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_NOPORT],
] as const) {
  test(`${name}: the port unreachable for a datagram to ${host}:1060, decoded from the error queue`, async () => {
    const s = socket(family, SOCK_DGRAM);
    s.setsockopt(level, option, 1);
    await s.sendto(Buffer.from('123'), [host, 1060]);
    const [data, ancdata, flags] = await s.recvmsg(100, 512, MSG_ERRQUEUE);
    s.close();
    assert.equal(data.toString(), '123', 'the queue returns the datagram that caused the error');
    assert.ok(flags & MSG_ERRQUEUE);
    assert.equal(ancdata.length, 1);
    const ee = decodeSockExtendedErr(ancdata[0]);
    assert.equal(ee.errno, errno.ECONNREFUSED);
    assert.equal(ee.errno, 111);
    assert.equal(ee.errnoName, 'ECONNREFUSED');
    assert.equal(ee.origin, origin);
    assert.equal(ee.originName, name);
    // 3/3 for IPv4 (destination unreachable / port unreachable), 1/4 for IPv6
    assert.deepEqual([ee.type, ee.code], family === AF_INET ? [3, 3] : [1, 4]);
    assert.deepEqual([ee.type, ee.code], [type, code]);
    assert.equal(ee.offender && 'addr' in ee.offender ? ee.offender.addr : null, host);
  });
}

test('the decoder takes sys control messages too, and refuses what is not an IP_RECVERR message', () => {
  const fd = sys.socket(AF_INET, SOCK_DGRAM);
  sys.setsockopt(fd, SOL_IP, IP_RECVERR, 1);
  sys.sendtoSync(fd, Buffer.from('x'), 0, { family: AF_INET, addr: '127.0.0.1', port: 1060 });
  const m = sys.recvmsgSync(fd, { iov: [Buffer.alloc(10)], controllen: 512 }, MSG_ERRQUEUE);
  sys.close(fd);
  assert.equal(decodeSockExtendedErr(m.control[0]).type, 3);
  assert.equal(decodeSockExtendedErr(m.control[0].data).code, 3);
  assert.throws(() => decodeSockExtendedErr([1, 1, Buffer.alloc(16)]), RangeError);
  assert.throws(() => decodeSockExtendedErr(Buffer.alloc(4)), /data must hold a struct sock_extended_err/);
});
