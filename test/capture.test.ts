// examples/capture.ts: a tcpdump of lo made of sockcall's calls. As root it
// records program 1's datagram and the ICMP reply, in that order (and the
// same lines as tcpdump, where tcpdump is installed); without the privilege
// it fails with PermissionError as the kernel answers, and a hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const capture = path.join(root, 'examples', 'capture.ts');
const isRoot = process.getuid?.() === 0;
const tcpdump = spawnSync('tcpdump', ['--version']).status === 0;

function start(argv: string[], ready: RegExp): Promise<{ done: Promise<string> }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const done = new Promise<string>((r) => child.on('close', () => r(out)));
    const killer = setTimeout(() => child.kill('SIGINT'), 15000);
    child.on('close', () => clearTimeout(killer));
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (ready.test(err)) resolve({ done });
    });
  });
}

test('as root, capture.ts records program 1\'s UDP datagram and then the ICMP reply', { skip: !isRoot && 'needs root (CAP_NET_RAW)' },
  async () => {
    const cap = await start([process.execPath, '--import', 'tsx', capture, '-c', '2', '--port', '1060', '-t'], /listening on lo/);
    const dump = tcpdump ? await start(['tcpdump', '-i', 'lo', '-n', '-t', '-l', '-c', '2', 'udp port 1060 or icmp'], /listening on/) : null;
    const p1 = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'examples', 'program1.ts')], { encoding: 'utf8' });
    assert.equal(p1.status, 1);
    const lines = (await cap.done).trim().split('\n');
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0], /^IP 127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.1060: UDP, length 3$/);
    assert.equal(lines[1], 'IP 127.0.0.1 > 127.0.0.1: ICMP 127.0.0.1 udp port 1060 unreachable, length 39');
    if (dump) assert.deepEqual((await dump.done).trim().split('\n'), lines, 'tcpdump shows the same two lines');
  });

test('as root, capture.ts shows IPv6 as tcpdump does', { skip: !isRoot && 'needs root (CAP_NET_RAW)' }, async () => {
  const cap = await start([process.execPath, '--import', 'tsx', capture, '-c', '2', '--port', '1060', '-t'], /listening on lo/);
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'experiments', '05-ipv6.ts')]);
  const lines = (await cap.done).trim().split('\n');
  assert.match(lines[0], /^IP6 ::1\.\d+ > ::1\.1060: UDP, length 3$/);
  assert.equal(lines[1], 'IP6 ::1 > ::1: ICMP6, destination unreachable, unreachable port, ::1 udp port 1060, length 59');
});

test('without CAP_NET_RAW: PermissionError: [Errno 1] Operation not permitted, as the kernel answers, and a hint',
  { skip: !isRoot && spawnSync('setpriv', ['--version']).status !== 0 && 'needs setpriv to drop the privilege' }, () => {
    // As root, drop to nobody; as a user, the privilege is already missing.
    const argv = isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath]
      : [process.execPath];
    const r = spawnSync(argv[0], [...argv.slice(1), '--import', 'tsx', capture], { encoding: 'utf8', cwd: root });
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines[lines.length - 1], 'PermissionError: [Errno 1] Operation not permitted');
    assert.match(r.stderr, /needs CAP_NET_RAW: run this as root/);
  });
