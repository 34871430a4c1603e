// The readiness form ({ wait: 'readiness' }, native/ready.h): the event
// loop waits for the socket, then the one system call is made on the
// JavaScript thread. What it must keep of the other forms: the same call
// line under strace, nothing done to the socket the user did not ask for
// (no O_NONBLOCK: libuv's uv_poll_init would set it), the kernel's answer
// as-is (the article's ECONNREFUSED, from the ICMP), abort and close, ref,
// and no crash when a Worker goes away with calls waiting (issue 16).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { tracerAgreement } from '../cli/calls.ts';
import { straceWorks, traceRun } from '../cli/strace.ts';
import {
  sys, socket, AbortError, SocketClosedError, ConnectionRefusedError, AF_INET, AF_UNIX, SOCK_DGRAM, SOCK_STREAM,
  MSG_DONTWAIT, type CallOptions,
} from 'sockcall';

// O_NONBLOCK (asm-generic/fcntl.h: the same on x86-64 and arm64), read
// from the fd's flags in /proc/self/fdinfo (proc(5)): no call on the socket.
const O_NONBLOCK = 0o4000;
const fdFlags = (fd: number) => parseInt(/^flags:\s+(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1], 8);
// One datagram's text, received into a buffer of the caller's.
async function recv(fd: number, options: CallOptions): Promise<string> {
  const buf = Buffer.alloc(16);
  const { nbytes } = await sys.recvfrom(fd, buf, 0, null, options);
  return buf.subarray(0, nbytes).toString();
}

const strace = straceWorks();
const ready = { wait: 'readiness' } as const;
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a datagram sent after the call waits is received; the call is made on the main thread, the socket stays blocking', async () => {
  const [a, b] = sys.socketpair(AF_UNIX, SOCK_DGRAM, 0);
  try {
    const buf = Buffer.alloc(16);
    const call = sys.recvfrom(b, buf, 0, null, ready);
    await tick(20);
    // Nothing arrived yet: the main thread is free (this line runs).
    sys.sendSync(a, Buffer.from('hello'));
    assert.deepEqual(await call, { nbytes: 5, address: null });
    assert.equal(buf.subarray(0, 5).toString(), 'hello');
    assert.equal(fdFlags(b) & O_NONBLOCK, 0, 'the socket was made non-blocking');
    // One datagram, two waiting calls: one takes it, the other goes on waiting.
    const first = recv(b, ready);
    const second = recv(b, ready);
    let settled = 0;
    void first.then(() => settled++);
    void second.then(() => settled++);
    sys.sendSync(a, Buffer.from('one'));
    await tick(30);
    assert.equal(settled, 1);
    sys.sendSync(a, Buffer.from('two'));
    const got = [await first, await second];
    assert.deepEqual(got, ['one', 'two'], 'in the order the calls were made');
  } finally {
    sys.close(a);
    sys.close(b);
  }
});

test('the article\'s case: a connected UDP socket\'s ICMP port unreachable comes back as recvfrom\'s ECONNREFUSED', async () => {
  // A port nobody listens on: bound, its number read, closed.
  const probe = socket(AF_INET, SOCK_DGRAM);
  probe.bind(['127.0.0.1', 0]);
  const port = (probe.getsockname() as [string, number])[1];
  probe.close();
  const s = socket(AF_INET, SOCK_DGRAM);
  try {
    await s.connect(['127.0.0.1', port]);
    s.sendSync(Buffer.from('xxx'));
    // The pending error makes epoll report EPOLLERR: the call is made and
    // the kernel answers it with the error, as in the other forms.
    await assert.rejects(s.recvfrom(100, ready), (e: unknown) => e instanceof ConnectionRefusedError && e.errno === 111);
  } finally {
    s.close();
  }
});

test('abort and close end a waiting call; calls that wait in the kernel have no readiness form; bad options are TypeErrors', async () => {
  const [a, b] = sys.socketpair(AF_UNIX, SOCK_DGRAM, 0);
  const ac = new AbortController();
  const aborted = recv(b, { ...ready, signal: ac.signal });
  ac.abort();
  await assert.rejects(aborted, AbortError);
  // The socket is as it was: the next datagram is the next call's.
  sys.sendSync(a, Buffer.from('after'));
  assert.equal(await recv(b, ready), 'after');
  const closed = recv(b, ready);
  sys.close(b);
  await assert.rejects(closed, (e: unknown) => e instanceof SocketClosedError && /fd \d+/.test((e as Error).message));
  await assert.rejects(sys.connect(a, { family: AF_UNIX, path: '/nonexistent' }, ready),
    { name: 'TypeError', message: 'connect has no readiness form: it waits in the kernel itself' });
  await assert.rejects(recv(a, { wait: 'later' as never }),
    { name: 'TypeError', message: "options.wait must be 'thread' or 'readiness'" });
  // A number that is not open: the call is made, and answers EBADF itself.
  await assert.rejects(recv(b, ready), { errno: 9 });
  sys.close(a);
});

test('a stream socket: accept4 and recv wait in the loop, and the facade\'s non-blocking socket answers EAGAIN at once', async () => {
  const l = socket(AF_INET, SOCK_STREAM);
  l.bind(['127.0.0.1', 0]);
  l.listen(1);
  const c = socket(AF_INET, SOCK_STREAM);
  try {
    const accepted = l.accept(ready);
    await c.connect(l.getsockname() as [string, number]);
    const [conn] = await accepted;
    const got = conn.recv(10, ready);
    await c.sendall(Buffer.from('ping'));
    assert.equal((await got).toString(), 'ping');
    conn.setblocking(false);
    await assert.rejects(conn.recv(10, ready), { errno: 11 });
    conn.close();
  } finally {
    c.close();
    l.close();
  }
});

test('ref: false lets the process end while a call waits; the default keeps it alive until the datagram', () => {
  const program = (ref: boolean) => `
    const { sys, AF_UNIX, SOCK_DGRAM } = require('sockcall');
    const [a, b] = sys.socketpair(AF_UNIX, SOCK_DGRAM, 0);
    const buf = Buffer.alloc(16);
    sys.recvfrom(b, buf, 0, null, { wait: 'readiness', ref: ${ref} }).then(({ nbytes }) => console.log('got', buf.subarray(0, nbytes).toString()));
    ${ref ? "setTimeout(() => sys.sendSync(a, Buffer.from('late')), 200).unref();" : ''}`;
  const unref = spawnSync(process.execPath, ['-e', program(false)], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(unref.status, 0, unref.stderr);
  assert.equal(unref.stdout, '');
  const kept = spawnSync(process.execPath, ['-e', program(true)], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(kept.status, 0, kept.stderr);
  assert.equal(kept.stdout, 'got late\n');
});

test('Workers terminated with readiness-form calls waiting: no crash, and the main thread\'s calls go on', async () => {
  const code = `
    const { sys, AF_UNIX, SOCK_DGRAM } = require('sockcall');
    const { parentPort } = require('node:worker_threads');
    const [a, b] = sys.socketpair(AF_UNIX, SOCK_DGRAM, 0);
    for (let i = 0; i < 50; i++) sys.recvfrom(b, Buffer.alloc(16), 0, null, { wait: 'readiness' });
    parentPort.postMessage('waiting');`;
  for (let i = 0; i < 20; i++) {
    const w = new Worker(code, { eval: true });
    await new Promise((r) => w.once('message', r));
    await w.terminate();
  }
  const [a, b] = sys.socketpair(AF_UNIX, SOCK_DGRAM, 0);
  const call = recv(b, ready);
  sys.sendSync(a, Buffer.from('still'), MSG_DONTWAIT);
  assert.equal(await call, 'still');
  sys.close(a);
  sys.close(b);
});

test('under strace: the same recvfrom line in both forms, no ioctl or fcntl on the socket, and the tracer says what strace saw',
  { skip: strace.ok ? false : strace.why }, async () => {
    const code = `
      const { sys, AF_UNIX, SOCK_DGRAM } = require('sockcall');
      const [a, b] = sys.socketpair(AF_UNIX, SOCK_DGRAM, 0);
      (async () => {
        for (const wait of ['thread', 'readiness']) {
          const call = sys.recvfrom(b, Buffer.alloc(16), 0, null, { wait });
          setTimeout(() => sys.sendSync(a, Buffer.from(wait)), 20);
          await call;
        }
        sys.close(a);
        sys.close(b);
      })();`;
    const r = await traceRun([process.execPath, '-e', code], {});
    assert.equal(r.status, 0, r.stderr);
    const bFd = /\[\d+<socket:\[\d+\]>, (\d+)</.exec(r.calls.find((c) => c.name === 'socketpair')!.args)![1];
    const agreement = tracerAgreement(r)!;
    assert.deepEqual(agreement.unmatched, []);
    // The same lines; the thread form's recvfrom began before the sendto
    // that ended it, so the two orders (by start, by end) may differ there.
    assert.deepEqual([...agreement.tracer].sort(), [...agreement.strace].sort());
    assert.deepEqual([...agreement.strace].sort(), [
      'socketpair(AF_UNIX, SOCK_DGRAM, 0, [A, B]) = 0',
      'recvfrom(B, "thread", 16, 0, NULL, NULL) = 6',
      'sendto(A, "thread", 6, 0, NULL, 0) = 6',
      'recvfrom(B, "readiness", 16, 0, NULL, NULL) = 9',
      'sendto(A, "readiness", 9, 0, NULL, 0) = 9',
      'close(A) = 0',
      'close(B) = 0',
    ].sort());
    // The readiness form's recvfrom is made once the datagram is there:
    // after the sendto, where the thread form's was waiting in the kernel.
    const at = (line: string) => r.calls.findIndex((c) => c.name === line.split('(')[0] && c.args.includes(line.split('"')[1]));
    assert.ok(at('sendto("readiness"') < at('recvfrom("readiness"'), 'the readiness form waited in the kernel');
    const thread = r.calls.find((c) => c.name === 'recvfrom' && c.args.includes('"thread"'))!;
    const sent = r.calls.find((c) => c.name === 'sendto' && c.args.includes('"thread"'))!;
    assert.ok(thread.time! < sent.time!, 'the thread form\'s recvfrom was not waiting before the send');
    // The set lets go of the socket before it is closed: the close() made
    // in the reactions of the last call served is no EBADF later.
    assert.deepEqual(r.calls.filter((c) => c.name === 'epoll_ctl' && /EBADF/.test(c.result)), []);
    const closeB = r.calls.findIndex((c) => c.name === 'close' && c.args.startsWith(`${bFd}<socket:`));
    const delB = r.calls.findIndex((c) => c.name === 'epoll_ctl' && c.args.includes(`EPOLL_CTL_DEL, ${bFd}<socket:`));
    assert.ok(delB >= 0 && delB < closeB, 'the socket left the set before close()');
    // Nothing changed a socket's mode: the one FIONBIO is libuv's, on the
    // epoll set the addon handed it (ready.cc), never on the socket.
    const modes = r.calls.filter((c) => /^(ioctl|fcntl)$/.test(c.name) && /FIONBIO|F_SETFL/.test(c.args));
    assert.deepEqual(modes.filter((c) => /^\d+<socket:/.test(c.args)), []);
    assert.ok(modes.some((c) => /^\d+<anon_inode:\[eventpoll\]>, FIONBIO/.test(c.args)), 'the epoll set was not handed to libuv');
  });
