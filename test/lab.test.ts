// The lab (cli/lab/): each ICMP kind gives its errno to the Python program
// and to its TypeScript port alike; the matrix's runs keep to the kernel's
// rules; the capture reads as tcpdump; nothing of a lab is left afterwards,
// not even of one killed with SIGKILL; nothing of it reaches the host's
// namespace. Every packet of these tests is sent inside a lab's own
// namespaces, on its own interfaces, to documentation addresses; none
// from the host's namespace.
//
// Needs root (network namespaces), strace and python3 (compare); skips
// with the reason elsewhere.
import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  socket, sys, htons, AF_INET, AF_PACKET, SOCK_DGRAM, SOCK_RAW, ETH_P_ALL, MSG_DONTWAIT, SOL_SOCKET, SO_RCVBUFFORCE, OSError,
} from 'sockcall';
import { straceWorks } from '../cli/strace.ts';
import { canMakeLabs, namespaces, PREFIX } from '../cli/lab/netns.ts';
import { Lab, cellName, type Cell, type Family } from '../cli/lab/topology.ts';
import { labDir, runInLab } from '../cli/lab/run.ts';
import { measure } from '../cli/lab/matrix.ts';
import { decodeLabFrame } from '../cli/lab/wire.ts';
import type { CompareJob, CompareResult } from '../cli/lab/runner.ts';
import { fullOnly } from './helpers/tier.ts';
import { slow } from './helpers/slow.ts';

const root = path.join(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'sockcall.js');
const can = canMakeLabs();
const st = straceWorks();
const skip = !can.ok ? can.why : false;
const skipCompare = skip || (!st.ok ? st.why : false);
const tcpdump = spawnSync('tcpdump', ['--version']).status === 0;

// What the host's namespace holds before each test: its network
// namespaces and its links. After each test it holds the same.
let before: { netns: string[]; links: string } | null = null;
const hostState = () => ({
  netns: namespaces().sort(),
  links: spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout,
});
beforeEach(() => { if (can.ok) before = hostState(); });
afterEach(() => {
  if (!can.ok || before === null) return;
  const after = hostState();
  assert.deepEqual(after.netns, before.netns, 'ip netns list is as it was before the test');
  assert.equal(after.links, before.links, 'the host\'s links (ip -o link) are as they were before the test');
});

function cli(args: string[], prefix: string[] = []): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const argv = [...prefix, process.execPath, bin, ...args];
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// What each kind's error is called by the kernel's tables: icmp_err_convert
// (net/ipv4/icmp.c) and icmpv6_err_convert's tab_unreach (net/ipv6/icmp.c);
// time exceeded is EHOSTUNREACH in __udp4_lib_err and icmpv6_err_convert;
// frag needed and packet too big are EMSGSIZE. Hard errors (port
// unreachable, prohibited, frag needed with DF) reach a connected socket
// without IP_RECVERR; the soft ones need IP_RECVERR.
const EXPECTED: Record<string, { errno: Record<Family, number | null>; hard: boolean }> = {
  port: { errno: { 4: 111, 6: 111 }, hard: true },
  host: { errno: { 4: 113, 6: 113 }, hard: false },
  net: { errno: { 4: 101, 6: 101 }, hard: false },
  unreachable: { errno: { 4: 113, 6: 101 }, hard: false },   // ICMP host unreachable (v4), no route (v6)
  prohibit: { errno: { 4: 113, 6: 13 }, hard: true },         // ICMP_PKT_FILTERED -> EHOSTUNREACH; ADM_PROHIBITED -> EACCES
  ttl: { errno: { 4: 113, 6: 113 }, hard: false },
  pmtu: { errno: { 4: 90, 6: 90 }, hard: true },
  blackhole: { errno: { 4: null, 6: null }, hard: false },
};

test('each ICMP kind gives its errno to the next recvfrom, in Python and in TypeScript alike, IPv4 and IPv6', { skip: skipCompare },
  async () => {
    const lab = await Lab.create();
    let results: CompareResult[];
    const cells: Cell[] = [];
    try {
      for (const [kind, e] of Object.entries(EXPECTED)) {
        for (const family of [4, 6] as Family[]) cells.push({ kind, family, mode: 'udp-connected', recverr: !e.hard });
      }
      const jobs: CompareJob[] = cells.map((c) => {
        const inv = lab.invocation(c);
        // A bound on a hang, not a measurement: scaled for the sanitizer
        // build, where a TypeScript side took 5 s in all once (four cells at
        // a time on two cores).
        return { type: 'compare', id: cellName(c), left: 'udp.py', right: 'udp.ts', args: inv.args, cwd: labDir,
          deadline: 5 * slow };
      });
      results = (await runInLab(lab, jobs, { concurrency: 4, capture: false })).results as CompareResult[];
    } finally {
      lab.remove();
    }
    for (const [i, c] of cells.entries()) {
      const r = results[i];
      assert.ok(r.match, `${r.id}: ${r.verdict}\n${r.text}`);
      const json = r.json as { left: { stdout: string }; right: { stdout: string } };
      const expected = EXPECTED[c.kind].errno[c.family];
      for (const side of [json.left, json.right]) {
        const recv = side.stdout.split('\n').find((l) => l.startsWith('recvfrom: '));
        if (expected === null) assert.equal(recv, 'recvfrom: TimeoutError: timed out', r.id);
        else assert.match(recv ?? '', new RegExp(`^recvfrom: \\w+: \\[Errno ${expected}\\] `), r.id);
      }
    }
  });

test('the matrix, measured: every kind x mode x IP_RECVERR x family, and the kernel\'s rules hold in it [full]',
  { skip: skip || fullOnly }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockcall-lab-test-'));
  try {
    const t0 = performance.now();
    const r = await cli(['lab', '--matrix', '--json', path.join(dir, 'm.json')]);
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(r.status, 0, r.stderr);
    assert.ok(seconds < 120, `the matrix took ${seconds.toFixed(1)} s`);
    const m = JSON.parse(readFileSync(path.join(dir, 'm.json'), 'utf8')) as {
      capture: { ok: boolean }; cells: { name: string; kind: string; family: Family; mode: string; recverr: boolean; status: number;
        steps: { call: string; result: string }[]; packets: { dir: string; icmp?: object; flags?: string }[] }[] };
    assert.equal(m.cells.length, 8 * 3 * 2 * 2);
    assert.ok(m.capture.ok);
    const errnoOf = (s: string | undefined) => { const x = /\[Errno (\d+)\]|^(\d+) E/.exec(s ?? ''); return x ? Number(x[1] ?? x[2]) : null; };
    for (const c of m.cells) {
      assert.equal(c.status, 0, c.name);
      const step = (call: string) => c.steps.find((s) => s.call === call)?.result;
      const expected = EXPECTED[c.kind].errno[c.family];
      const back = c.packets.some((p) => p.dir === 'in' && (p.icmp !== undefined || p.flags?.includes('R')));
      assert.equal(back, c.kind !== 'blackhole', `${c.name}: an ICMP error (or a RST) came back, but for the blackhole`);
      if (c.mode === 'tcp') {
        // tcp_v4_err / tcp_v6_err: an ICMP error for a SYN ends the connect
        // when it finds the socket free; the error is the kind's either
        // way, from connect or as the soft error SO_ERROR hands out.
        const told = errnoOf(step('connect')) ?? errnoOf(step('SO_ERROR'));
        if (c.kind === 'pmtu') assert.equal(step('connect'), 'connected', c.name);
        else if (c.kind === 'blackhole') assert.equal(step('connect'), 'TimeoutError: timed out', c.name);
        else assert.equal(told, expected, `${c.name}: connect ${step('connect')}, SO_ERROR ${step('SO_ERROR')}`);
        if (c.family === 4 && !['port', 'pmtu', 'blackhole'].includes(c.kind)) {
          assert.equal(errnoOf(step('connect')), expected, `${c.name}: connect ${step('connect')}`);
        }
        continue;
      }
      const soError = errnoOf(step('SO_ERROR'));
      // __udp4_lib_err / __udp6_lib_err: with IP_RECVERR every error is set
      // on the socket; without it, only a hard one, and only when connected.
      const toldExpected = expected !== null && (c.recverr || (EXPECTED[c.kind].hard && c.mode === 'udp-connected'));
      assert.equal(soError, toldExpected ? expected : null, `${c.name}: SO_ERROR ${step('SO_ERROR')}`);
      assert.equal(errnoOf(step('recvfrom')), toldExpected ? expected : null, `${c.name}: recvfrom ${step('recvfrom')}`);
      assert.equal((step('error queue') ?? '').startsWith(`errno ${expected} `), c.recverr && expected !== null,
        `${c.name}: error queue ${step('error queue')}`);
    }
    assert.match(r.stdout, /\| IPv4 +\| UDP connected +\|/);
    assert.match(r.stdout, /the lab is removed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the capture of the client\'s link reads as tcpdump reads it', { skip: skip || (!tcpdump && 'needs tcpdump') }, async () => {
  const lab = await Lab.create();
  let theirs: string[];
  let mine: string[];
  try {
    const td = spawn('ip', ['netns', 'exec', lab.ns.client, 'tcpdump', '-i', 'c0', '-n', '-t', '-l',
      'udp or tcp or icmp or (icmp6 and ip6[40] < 128)'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    td.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    await new Promise<void>((resolve) => td.stderr.on('data', (d: Buffer) => { if (d.toString().includes('listening')) resolve(); }));
    const cells: Cell[] = ['port', 'host', 'net', 'prohibit', 'ttl', 'pmtu'].flatMap((kind) =>
      ([4, 6] as Family[]).flatMap((family) => [{ kind, family, mode: 'udp-connected' as const, recverr: true },
        { kind, family, mode: 'tcp' as const, recverr: false }]));
    const m = await measure(lab, cells);
    await new Promise((r) => setTimeout(r, 200));
    td.kill('SIGINT');
    await new Promise((r) => td.on('close', r));
    mine = m.runs.flatMap((r) => r.packets.map((p) => p.line)).sort();
    // tcpdump's TCP lines also have the sequence numbers, the window and the
    // options, which the lab's leave out.
    theirs = out.trim().split('\n').map((l) => l.replace(/(Flags \[[^\]]+\]), .*?(length \d+)$/, '$1, $2')).sort();
  } finally {
    lab.remove();
  }
  assert.ok(mine.some((l) => l.includes('need to frag (mtu 1280)')) && mine.some((l) => l.includes('packet too big, mtu 1280')));
  assert.deepEqual(mine, theirs);
});

test('a lab whose owner was killed with SIGKILL is removed, with what still ran in it, by the next run', { skip }, async () => {
  const child = spawn(process.execPath, [bin, 'lab', '--', 'sleep', '60'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const mine = () => namespaces().filter((n) => n.startsWith(`${PREFIX}${child.pid}-`));
  await new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (d.includes('running in')) resolve(); });
    child.on('close', () => reject(new Error('the lab ended before it ran its command')));
  });
  assert.equal(mine().length, 3);
  const client = mine().find((n) => n.endsWith('-client'))!;
  const inside = spawnSync('ip', ['netns', 'pids', client], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
  assert.ok(inside.length > 0, 'sleep runs in the client namespace');
  child.kill('SIGKILL');
  // 'exit', not 'close': sleep, orphaned in the namespace, still holds the stderr pipe.
  await new Promise((r) => child.on('exit', r));
  assert.equal(mine().length, 3, 'SIGKILL gives no chance to clean up: the namespaces are still there');
  const r = await cli(['lab', '--sweep']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`removed .*${PREFIX}${child.pid}-`));
  assert.deepEqual(mine(), []);
  for (const pid of inside) {
    // Gone, or a zombie its new parent has not reaped yet: not running.
    let state = 'gone';
    try { state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0]; } catch { /* gone */ }
    assert.ok(state === 'gone' || state === 'Z', `process ${pid} of the lab was killed (state ${state})`);
  }
});

test('on SIGINT the lab removes itself before it ends', { skip }, async () => {
  const child = spawn(process.execPath, [bin, 'lab', '--', 'sleep', '60'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve) => child.stderr.setEncoding('utf8').on('data', (d: string) => { if (d.includes('running in')) resolve(); }));
  child.kill('SIGINT');
  const [status, signal] = await new Promise<[number | null, string | null]>((r) => child.on('close', (s, sig) => r([s, sig])));
  assert.ok(signal === 'SIGINT' || status !== 0, `ended by SIGINT (status ${status}, signal ${signal})`);
  assert.deepEqual(namespaces().filter((n) => n.startsWith(`${PREFIX}${child.pid}-`)), []);
});

test('only documentation addresses, only inside the lab: the host\'s namespace sees none of its packets', { skip }, async () => {
  // A packet socket in the host's namespace, on every interface the host
  // has: it sees what the host's interfaces carry, and nothing of another
  // namespace's. Every packet of a lab run is to or from the run's own
  // source address (the host may use documentation addresses of its own:
  // this machine's eth0 is 192.0.2.2/24), so none may carry one.
  const fd = sys.socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  // Room for what the host carries meanwhile (other work on this machine),
  // so that nothing of the lab's would be dropped before it is read.
  sys.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20);
  // The capture works: it sees a datagram of the test's own, on loopback,
  // sent first so that it is read first.
  const probe = socket(AF_INET, SOCK_DGRAM);
  probe.bind(['127.0.0.1', 0]);
  const probePort = (probe.getsockname() as [string, number])[1];
  probe.sendtoSync(Buffer.from('lab test'), ['127.0.0.1', probePort]);
  probe.close();
  const lab = await Lab.create();
  let addresses: string[];
  let sources: Set<string>;
  try {
    addresses = lab.ns.all().flatMap((ns) => spawnSync('ip', ['-n', ns, '-o', 'addr'], { encoding: 'utf8' }).stdout
      .trim().split('\n').map((l) => l.split(/\s+/)[3]));
    const cells: Cell[] = ['port', 'prohibit', 'pmtu'].flatMap((kind) =>
      ([4, 6] as Family[]).flatMap((family) => [{ kind, family, mode: 'udp-connected' as const, recverr: true },
        { kind, family, mode: 'tcp' as const, recverr: false }]));
    const m = await measure(lab, cells);
    sources = new Set(m.runs.map((r) => r.invocation.from));
    assert.ok(m.runs.every((r) => r.packets.some((p) => p.dir === 'in')), 'the lab itself carried the packets');
  } finally {
    lab.remove();
  }
  const doc = /^(192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|2001:db8:)/;
  for (const a of addresses) {
    assert.ok(doc.test(a.split('/')[0]) || /^(127\.0\.0\.1|::1|fe80:)/.test(a), `${a} is a documentation, loopback or link-local address`);
  }
  let sawProbe = false;
  const frame = Buffer.alloc(65536);
  for (;;) {
    let n: number;
    try {
      n = sys.recvfromSync(fd, frame, MSG_DONTWAIT).nbytes;
    } catch (e) {
      if (e instanceof OSError && e.code === 'EAGAIN') break;
      throw e;
    }
    const p = decodeLabFrame(frame.subarray(0, n), 0, 'in');
    if (p === null) continue;
    if (p.dport === probePort && p.src === '127.0.0.1') sawProbe = true;
    assert.ok(!sources.has(p.src) && !sources.has(p.dst), `the host's namespace saw ${p.line}`);
  }
  sys.close(fd);
  assert.ok(sawProbe, 'the host\'s capture saw the test\'s own loopback datagram');
});

test('explain --lab tells a row: the calls, the ICMP on the wire, and who was told; --html draws step 1', { skip }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockcall-lab-test-'));
  try {
    const file = path.join(dir, 'e.html');
    // The page's arrows need strace's times (without it, its rows are the tracer's order).
    const r = await cli(['explain', '--lab', 'prohibit', '--family', '6', ...(st.ok ? ['--html', file] : [])]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ICMP6, destination unreachable, {2}unreachable prohibited 2001:db8:3:2::1/);
    assert.match(r.stdout, /recvfrom\(\d+, 0x[0-9a-f]+, 65535, 0, 0x[0-9a-f]+, \[28\]\) = -1 EACCES \(Permission denied\)/);
    assert.match(r.stdout, /The socket was told: SO_ERROR held 13 EACCES/);
    assert.match(r.stdout, /It was not told: a socket without a peer/);
    // The page (test/html.test.ts opens lab --html's in Chromium): step 1's
    // cell, both programs, each side's ICMPv6 error joined to its recvfrom.
    if (!st.ok) return;
    assert.match(r.stdout, /Step 1 on a time line, udp\.py and udp\.ts under strace in the same lab \(MATCH: /);
    const html = readFileSync(file, 'utf8');
    assert.match(html, /<title>sockcall lab: prohibit\/ipv6\/udp-connected, udp\.py and udp\.ts<\/title>/);
    for (const side of ['L', 'R']) {
      const icmps = [...html.matchAll(new RegExp(`data-packet="(${side}p\\d+)" data-line="IP6 2001:db8:1::1 &gt; [^"]*unreachable prohibited`, 'g'))]
        .map((m) => m[1]);
      const recv = new RegExp(`data-call="(${side}c\\d+)" data-line="recvfrom\\(A, [^"]*= -1 EACCES`).exec(html)?.[1];
      assert.equal(icmps.length, 2, `${side}: two ICMPv6 errors on the wire lane`);
      assert.ok(recv !== undefined, `${side}: recvfrom = -1 EACCES`);
      assert.ok(html.includes(`data-from="${icmps[1]}" data-to="${recv}"`), `${side}: the second ICMPv6 joined to recvfrom`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lab --html draws one cell, and says so before building anything', async () => {
  for (const [args, why] of [
    [['--matrix'], /--html draws one cell, not the matrix .*: sockcall lab KIND \[--family 4\|6\] \[--mode MODE\] \[--recverr on\|off\] --html FILE/],
    [['port', 'host'], /--html draws one cell: name one KIND \(port, host, .*\), not 2, e\.g\. sockcall lab port --family 4 --html lab\.html/],
    [[], /--html draws one cell: name one KIND/],
    [['port', '--', 'true'], /--html draws a cell's two programs, not a command/],
  ] as [string[], RegExp][]) {
    const r = await cli(['lab', ...args.slice(0, args.indexOf('--') < 0 ? undefined : args.indexOf('--')), '--html', 'x.html',
      ...(args.includes('--') ? args.slice(args.indexOf('--')) : [])]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why);
  }
  const help = await cli(['lab', '--help']);
  assert.match(help.stdout, /--html FILE {4}one cell on a time line/);
  assert.match(help.stdout, /Not with --matrix: a time line needs each call's entry/);
});

test('without the privilege, lab and explain --lab say what they need and make nothing',
  { skip: process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status !== 0 && 'needs setpriv to drop the privilege' },
  async () => {
    // As root, drop to nobody; as a user, the privilege is already missing.
    const nobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    for (const args of [['lab', '--matrix'], ['explain', '--lab', 'port']]) {
      const r = await cli(args, nobody);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /needs root/);
    }
  });
