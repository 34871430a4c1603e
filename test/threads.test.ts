// The Promise forms against everything a blocked thread can do to a Node
// process. Each case that could hang runs in a child process with a deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  socket, sys, fromfd, AbortError, SocketClosedError, AF_INET, AF_UNIX, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_SNDBUF, SO_RCVBUF, MSG_TRUNC,
} from 'sockcall';
import { ms as bound } from './helpers/slow.ts';
import { parseTrace } from '../cli/strace.ts';

const fixture = path.join(import.meta.dirname, 'fixtures', 'pending.ts');

interface Run { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }

/**
 * Runs the fixture in `mode`; `after` is called with the child once it has
 * printed "ready", and its time is measured from then.
 */
function run(mode: string, opts: { env?: NodeJS.ProcessEnv; args?: string[]; after?: (c: ReturnType<typeof spawn>) => void;
  deadline?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(opts.args ?? []), '--import', 'tsx', fixture, mode],
      { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let t0 = performance.now();
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.deadline ?? 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (opts.after && stdout.includes('ready\n') && !stdout.includes('ready\n', stdout.indexOf('ready\n') + 1)) {
        t0 = performance.now();
        opts.after(child);
        opts.after = undefined;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('close', (status, signal) => {
      clearTimeout(killer);
      resolve({ status, signal, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

test('8 pending recvfroms leave libuv\'s pool free: readFile and dns.lookup still answer (UV_THREADPOOL_SIZE=4)', async () => {
  const r = await run('starve', { env: { UV_THREADPOOL_SIZE: '4' }, deadline: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  const ms = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
  assert.ok(ms.readFile < bound(1000), `readFile took ${ms.readFile} ms`);
  assert.ok(ms.lookup < bound(1000), `dns.lookup took ${ms.lookup} ms`);
});

test('process.exit(0) with 8 pending calls: gone at once, status 0', async () => {
  const r = await run('exit', { deadline: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.ms < bound(1000), `took ${r.ms} ms`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} with 8 pending calls: gone at once, killed by ${signal} as Node is`, async () => {
    const r = await run('signal', { after: (c) => c.kill(signal), deadline: 10_000 });
    assert.equal(r.signal, signal, r.stderr);
    assert.ok(r.ms < bound(1000), `took ${r.ms} ms`);
  });
}

test('an uncaught exception with pending calls ends the process as Node does (status 1)', async () => {
  const r = await run('uncaught', { deadline: 10_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Error: boom/);
  assert.ok(r.ms < bound(1000), `took ${r.ms} ms`);
});

test('pending calls with { ref: false } do not keep the process alive', async () => {
  const r = await run('unref', { deadline: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.ms < bound(1000), `took ${r.ms} ms`);
});

test('program2.ts blocks, stays alive, and stops at Ctrl+C', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', 'examples', 'program2.ts')],
    { stdio: 'ignore' });
  const alive = await new Promise<boolean>((r) => { child.once('close', () => r(false)); setTimeout(() => r(true), 1500); });
  assert.ok(alive, 'program2.ts exited instead of blocking in recvfrom');
  const t = performance.now();
  child.kill('SIGINT');
  const signal = await new Promise((r) => child.once('close', (_, s) => r(s)));
  assert.equal(signal, 'SIGINT');
  assert.ok(performance.now() - t < bound(1000));
});

test('worker.terminate() with a pending call: within a second, 20 times, no crash', async () => {
  const r = await run('terminate', { deadline: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const times = JSON.parse(r.stdout.trim().split(' ')[1]) as number[];
  assert.equal(times.length, 20);
  for (const ms of times) assert.ok(ms < bound(1000), `a terminate took ${ms} ms`);
});

test('the addon loads in several Workers at once, each with its own calls', async () => {
  const r = await run('workers', { deadline: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().slice('workers '.length)), ['ready w', 'ready w', 'ready w', 'ready w']);
});

test('1,000 sockets with a pending recvfrom each: all resolve; threads and fds come back to where they were', async () => {
  const r = await run('many', { deadline: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout) as { before: { threads: number; fds: number }; during: number; ok: boolean;
    after: { threads: number; fds: number } };
  assert.ok(m.ok, 'every call received its own datagram');
  assert.ok(m.during >= m.before.threads + 1000, `a thread per pending call (${m.during} vs ${m.before.threads})`);
  assert.equal(m.after.threads, m.before.threads);
  assert.equal(m.after.fds, m.before.fds);
});

test('one call at a time runs on four threads in turn (never the one just used), which then exit idle', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockcall-turns-'));
  try {
    const r = await run('turns', { env: { SOCKCALL_TRACE: path.join(dir, 'trace') }, deadline: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout) as { during: number; after: number };
    assert.equal(m.during, 4, 'four threads, however many calls');
    assert.equal(m.after, 0, 'the idle threads exited');
    const tids = parseTrace(readFileSync(path.join(dir, 'trace'), 'utf8'))
      .filter((c) => c.name === 'recvfrom').map((c) => c.tid);
    assert.equal(tids.length, 12);
    assert.equal(new Set(tids).size, 4, `threads ${tids}`);
    for (let i = 1; i < tids.length; i++) assert.notEqual(tids[i], tids[i - 1], `calls ${i - 1} and ${i} on one thread: ${tids}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pending recvfrom_into\'s buffer survives gc() with no other reference, and gets the data', async () => {
  const r = await run('gc', { args: ['--expose-gc'], deadline: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { alive: true, n: 8, data: 'survived' });
});

test('abort: the pending call rejects within 50 ms with AbortError, and the socket then receives normally', async () => {
  const s = socket(AF_INET, SOCK_DGRAM);
  s.bind(['127.0.0.1', 0]);
  const addr = s.getsockname() as [string, number];
  for (const args of [[{}], [0, {}]] as const) {
    const ac = new AbortController();
    const call = s.recvfrom(100, ...(args.map((a) => (typeof a === 'object' ? { signal: ac.signal } : a)) as [number]));
    await new Promise((r) => setTimeout(r, 20));
    const t = performance.now();
    ac.abort();
    await assert.rejects(call, (e) => e instanceof AbortError && e.name === 'AbortError');
    assert.ok(performance.now() - t < bound(50), `rejected after ${performance.now() - t} ms`);
    const sender = socket(AF_INET, SOCK_DGRAM);
    sender.sendtoSync(Buffer.from('after abort'), addr);
    const [data] = await s.recvfrom(100);
    assert.equal(data.toString(), 'after abort');
    sender.close();
  }
  // An aborted signal makes no call at all.
  await assert.rejects(s.recv(10, { signal: AbortSignal.abort() }), AbortError);
  s.close();
});

test('sys Promise forms abort the same way', async () => {
  const fd = sys.socket(AF_INET, SOCK_DGRAM);
  sys.bind(fd, { family: AF_INET, addr: '127.0.0.1', port: 0 });
  const ac = new AbortController();
  const call = sys.recvfrom(fd, Buffer.alloc(10), 0, undefined, { signal: ac.signal });
  setTimeout(() => ac.abort(new Error('why')), 10);
  await assert.rejects(call, (e) => e instanceof AbortError && (e.cause as Error).message === 'why');
  const pollCall = sys.poll([{ fd, events: 1 }], -1, { signal: AbortSignal.timeout(20) });
  await assert.rejects(pollCall, AbortError);
  sys.close(fd);
});

test('close() with a pending call ends it with SocketClosedError before the fd can be reused', async () => {
  const s = socket(AF_INET, SOCK_DGRAM);
  s.bind(['127.0.0.1', 0]);
  const fd = s.fileno();
  const call = s.recvfrom(100);
  await new Promise((r) => setTimeout(r, 20));
  s.close();
  await assert.rejects(call, (e) => e instanceof SocketClosedError && e.syscall === 'recvfrom' && e.fd === fd);
  // The number comes back for the next socket; no thread is left reading it.
  const t = socket(AF_INET, SOCK_DGRAM);
  assert.equal(t.fileno(), fd);
  t.bind(['127.0.0.1', 0]);
  const u = socket(AF_INET, SOCK_DGRAM);
  u.sendtoSync(Buffer.from('mine'), t.getsockname() as [string, number]);
  const [data] = await t.recvfrom(100);
  assert.equal(data.toString(), 'mine');
  t.close();
  u.close();
});

test('a call the kernel has finished stays finished when the abort comes before its result is delivered', async () => {
  const a = socket(AF_INET, SOCK_DGRAM);
  a.bind(['127.0.0.1', 0]);
  const b = socket(AF_INET, SOCK_DGRAM);
  const ac = new AbortController();
  const call = a.recvfrom(10, { signal: ac.signal });
  b.sendtoSync(Buffer.from('first'), a.getsockname() as [string, number]);
  // Block this thread without running the event loop, long enough for the
  // addon's thread to receive the datagram and queue the result: the abort
  // below then comes after the kernel answered and before JavaScript heard.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, bound(100));
  ac.abort();
  const [data] = await call;
  assert.equal(data.toString(), 'first');
  a.close();
  b.close();
});

test('an EINTR nobody asked for is retried (PEP 475): the call stays pending and then receives', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const s = socket(AF_INET, SOCK_DGRAM);
  const u = socket(AF_INET, SOCK_DGRAM);
  s.bind(['127.0.0.1', 0]);
  const call = s.recvfrom(100);
  let settled = false;
  call.then(() => { settled = true; }, () => { settled = true; });
  try {
    await new Promise((r) => setTimeout(r, 50));
    // The blocked thread: named "sockcall", asleep in the kernel.
    const tids = readdirSync('/proc/self/task').filter((t) =>
      readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() === 'sockcall' &&
      readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1].startsWith('S'));
    assert.ok(tids.length >= 1, 'no sockcall thread is asleep');
    // The cancel signal, with no cancellation behind it: the call returns
    // EINTR, finds no cancel flag, and is made again.
    for (const tid of tids) assert.equal(spawnSync('kill', ['-s', 'RTMIN+3', tid]).status, 0);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false, 'the interrupted call ended instead of being retried');
    u.sendtoSync(Buffer.from('still here'), s.getsockname() as [string, number]);
    const [data] = await call;
    assert.equal(data.toString(), 'still here');
  } finally {
    // A failure above must not leave the call pending (and the runner waiting).
    s.close();
    u.close();
  }
});

// Up to 65,536 bytes a pending receive's room is on its thread's stack, and
// only what was stored is kept (native/args.h, Target); larger, memory of
// the call's own. Both give the same bytes, into a buffer or as new bytes,
// the count MSG_TRUNC reports included.
test('Promise-form receives of each size give the bytes stored, on either side of the 64 KiB stack room', async () => {
  const [a, b] = sys.socketpair(AF_UNIX, SOCK_DGRAM);
  sys.setsockopt(a, SOL_SOCKET, SO_SNDBUF, 1 << 20);
  sys.setsockopt(b, SOL_SOCKET, SO_RCVBUF, 1 << 20);
  const s = fromfd(b, AF_UNIX, SOCK_DGRAM);
  for (const size of [0, 1, 2048, 65_535, 65_536, 65_537, 200_000]) {
    const data = Buffer.alloc(Math.min(size, 150_000), (size % 250) + 1);
    for (let i = 0; i < data.length; i += 4093) data[i] = i & 0xff;
    sys.sendSync(a, data);
    const into = Buffer.alloc(size + 3, 0xee);
    const got = await sys.recvfrom(b, into.subarray(0, size), MSG_TRUNC);
    assert.equal(got.nbytes, data.length, `size ${size}`);
    assert.deepEqual(into.subarray(0, Math.min(size, data.length)), data.subarray(0, Math.min(size, data.length)));
    assert.ok(into.subarray(Math.min(size, data.length)).every((x) => x === 0xee), `size ${size}: written past what was stored`);
    if (size > 0) {  // recv(0) makes no system call (CPython's sock_recv_guts)
      sys.sendSync(a, data);
      const bytes = await s.recv(size);
      assert.deepEqual(bytes, data.subarray(0, Math.min(size, data.length)), `recv(${size})`);
    }
    sys.sendSync(a, data);
    const n = await sys.recv(b, into.subarray(0, size));
    assert.equal(n, Math.min(size, data.length));
  }
  s.close();
  sys.close(a);
});

test('an IPv4 sender comes back right when senders alternate: the address text kept from the last one is never another\'s', async () => {
  // native/sockaddr.cc NameOut::Pair and lib/native.ts's ipv4Text: the
  // address's text is made once per change of sender, in both forms.
  const inet = (addr: string, port = 0) => ({ family: AF_INET, addr, port });
  const r = sys.socket(AF_INET, SOCK_DGRAM);
  sys.bind(r, inet('127.0.0.1'));
  const to = sys.getsockname(r);
  const senders = ['127.0.0.1', '127.0.0.2', '127.1.2.3', '127.0.0.2'].map((addr) => {
    const fd = sys.socket(AF_INET, SOCK_DGRAM);
    sys.bind(fd, inet(addr));
    return { fd, address: sys.getsockname(fd) };
  });
  const buf = Buffer.alloc(64);
  for (let round = 0; round < 3; round++) {
    for (const [i, s] of senders.entries()) {
      sys.sendtoSync(s.fd, Buffer.from([i]), 0, to);
      const got = round === 1 ? sys.recvfromSync(r, buf) : await sys.recvfrom(r, buf);
      assert.deepEqual(got, { nbytes: 1, address: s.address }, `round ${round}, sender ${i}`);
      assert.equal(buf[0], i);
    }
  }
  for (const s of senders) sys.close(s.fd);
  sys.close(r);
});

test('accept4()\'s Promise form gives the peer\'s IPv4 address as getpeername() does', async () => {
  const l = sys.socket(AF_INET, SOCK_STREAM);
  sys.bind(l, { family: AF_INET, addr: '127.0.0.3', port: 0 });
  sys.listen(l, 4);
  const c = sys.socket(AF_INET, SOCK_STREAM);
  sys.bind(c, { family: AF_INET, addr: '127.0.0.4', port: 0 });
  const accepted = sys.accept4(l);
  sys.connectSync(c, sys.getsockname(l));
  const { fd, address } = await accepted;
  assert.deepEqual(address, sys.getsockname(c));
  assert.deepEqual(sys.getpeername(fd), address);
  for (const x of [fd, c, l]) sys.close(x);
});

test('600 Promise-form recvfroms delivered together each get their own bytes and sender (the slots of native/addon.h)', async () => {
  // More calls than AddonData::kSlots (256) settled before their reactions
  // can run: a slot still unread is never handed to another call (the
  // delivery falls back to an [n, address] array), and none is read twice.
  const N = 600;
  const inet = (addr: string) => ({ family: AF_INET, addr, port: 0 });
  const receivers = Array.from({ length: N }, () => {
    const fd = sys.socket(AF_INET, SOCK_DGRAM);
    sys.bind(fd, inet('127.0.0.1'));
    return fd;
  });
  const senders = Array.from({ length: N }, (_, i) => {
    const fd = sys.socket(AF_INET, SOCK_DGRAM);
    sys.bind(fd, inet(`127.0.${1 + (i >> 8)}.${i & 255 || 1}`));
    return { fd, address: sys.getsockname(fd) };
  });
  const bufs = receivers.map(() => Buffer.alloc(8));
  const pending = receivers.map((fd, i) => sys.recvfrom(fd, bufs[i]));
  // Every call on its thread before any datagram: then all finish at once.
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < N; i++) {
    const data = Buffer.alloc(4);
    data.writeUInt32LE(i);
    sys.sendtoSync(senders[i].fd, data, 0, sys.getsockname(receivers[i]));
  }
  const got = await Promise.all(pending);
  for (let i = 0; i < N; i++) {
    assert.deepEqual(got[i], { nbytes: 4, address: senders[i].address }, `call ${i}`);
    assert.equal(bufs[i].readUInt32LE(0), i, `call ${i}'s bytes`);
  }
  for (const fd of [...receivers, ...senders.map((s) => s.fd)]) sys.close(fd);
});

test('a slot not yet read is never handed to another call: past 256 unread, deliveries fall back to the array, and stay right', async () => {
  // lib/'s own module, as 'sockcall' loaded it: its Promise-form recvfrom
  // as the addon settles it, before delivered() decodes it.
  const { native, delivered } = createRequire(import.meta.url)('../dist/lib/native.js') as
    typeof import('../lib/native.ts');
  const [a, b] = [sys.socket(AF_INET, SOCK_DGRAM), sys.socket(AF_INET, SOCK_DGRAM)];
  sys.bind(a, { family: AF_INET, addr: '127.0.0.5', port: 0 });
  sys.bind(b, { family: AF_INET, addr: '127.0.0.1', port: 0 });
  sys.connectSync(a, sys.getsockname(b));
  const from = sys.getsockname(a);
  const buf = Buffer.alloc(16);
  const raw: ([number, unknown] | number)[] = [];
  for (let i = 0; i < 300; i++) {
    const p = native.recvfrom(b, buf, 0, 128, 1);
    sys.sendSync(a, Buffer.from([i & 255]));
    raw.push(await p);
  }
  const numbers = raw.filter((r) => typeof r === 'number').length;
  assert.equal(numbers, 256, 'every slot taken once, then none while unread');
  for (const r of raw.slice(256)) assert.deepEqual(r, [1, from]);
  for (const r of raw) assert.deepEqual(delivered(r), [1, from]);
  // Read, the slots are free again.
  const p = native.recvfrom(b, buf, 0, 128, 1);
  sys.sendSync(a, Buffer.from([1, 2]));
  const again = await p;
  assert.equal(typeof again, 'number');
  assert.deepEqual(delivered(again), [2, from]);
  sys.close(a);
  sys.close(b);
});
