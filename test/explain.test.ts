// `sockcall explain`: the article's sequence with its evidence, and, on a
// port where something listens, that the error did not happen and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { socket, AF_INET, SOCK_DGRAM } from 'sockcall';

const bin = path.join(import.meta.dirname, '..', 'bin', 'sockcall.js');
const isRoot = process.getuid?.() === 0;
const explain = (args: string[], prefix: string[] = []) => {
  const argv = [...prefix, process.execPath, bin, 'explain', ...args];
  return spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
};

test('explain on a closed port: sendto returns 3, the ICMP, SO_ERROR 111, recvfrom fails with 111, the unconnected socket never hears', () => {
  const r = explain([]);
  assert.equal(r.status, 0, r.stderr);
  const t = r.stdout;
  assert.match(t, /sendto\(\d+, "123", 3, 0, NULL, 0\) = 3\n {3}sendto returned 3/);
  assert.match(t, /its queue held a sock_extended_err: errno 111 \(ECONNREFUSED\), origin icmp, ICMP type 3 code 3, from 127\.0\.0\.1/);
  assert.match(t, /getsockopt\(\d+, SOL_SOCKET, SO_ERROR, \[ECONNREFUSED\], \[4\]\) = 0\n {3}SO_ERROR held 111/);
  assert.match(t, /recvfrom\(\d+, 0x[0-9a-f]+, 65535, 0, 0x[0-9a-f]+, \[16\]\) = -1 ECONNREFUSED \(Connection refused\)/);
  assert.match(t, /it ended with TimeoutError: timed out, and its SO_ERROR is 0: the error is reported only to a connected socket/);
  if (isRoot) assert.match(t, /IP 127\.0\.0\.1 > 127\.0\.0\.1: ICMP 127\.0\.0\.1 udp port 1060 unreachable, length 39/);
});

test('explain on IPv6: ICMPv6 type 1 code 4', () => {
  const r = explain(['--family', '6']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /origin icmp6, ICMP type 1 code 4, from ::1/);
  assert.match(r.stdout, /recvfrom failed with errno 111/);
});

test('explain without the privilege to capture says so and uses the error queue', { skip: !isRoot && 'runs as root to drop it' }, () => {
  const r = explain([], ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\(no capture: PermissionError: \[Errno 1\] Operation not permitted; run as root to see the packets\)/);
  assert.match(r.stdout, /its queue held a sock_extended_err: errno 111/);
});

test('explain on a port with a listener: the error did not happen, and why', () => {
  const listener = socket(AF_INET, SOCK_DGRAM);
  listener.bind(['127.0.0.1', 0]);
  const port = (listener.getsockname() as [string, number])[1];
  const r = explain(['--port', String(port)]);
  listener.close();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /its queue stayed empty/);
  assert.match(r.stdout, /SO_ERROR is 0: no error is waiting on the socket/);
  assert.match(r.stdout, /recvfrom ended with TimeoutError: timed out/);
  assert.match(r.stdout, new RegExp(`So: the error did not happen\\. Something is listening on 127\\.0\\.0\\.1:${port}`));
});

test('explain refuses anything but loopback', () => {
  const r = explain(['--host', '192.0.2.1']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /192\.0\.2\.1 is not a loopback address/);
});
