// The Node.js contenders of `npm run bench`, one per process:
//
//   node --import tsx bench/node/contender.ts <workload>:<contender>
//
// Each speaks bench/lib/proc.ts's protocol: "ready {json}" once set up (or
// "unavailable {reason}" when its package cannot be loaded), then one JSON
// line for each "run N [ROUND]" on stdin, until "quit". sockcall is used
// through its public API only, as a user would import it.
import { createRequire } from 'node:module';
import * as dgram from 'node:dgram';
import * as readline from 'node:readline';
import {
  sys, socket, AF_INET, SOCK_DGRAM, SOL_SOCKET, SO_ERROR, POLLIN, MSG_DONTWAIT, MSG_WAITFORONE, BlockingIOError,
} from 'sockcall';
import { END_SEQ, PAYLOAD, BUFSIZE, say, sysPair, facadePair, now, receiverSocket } from './common';

const require = createRequire(import.meta.url);

type Loop = (n: number, round: number) => Promise<Record<string, number>> | Record<string, number>;

const msg = Buffer.alloc(PAYLOAD, 1);
const buf = Buffer.alloc(BUFSIZE);

// ---- the FFI peers, loaded on demand ------------------------------------------

interface Koffi {
  load(path: string): { func(decl: string): KoffiFn };
}
interface KoffiFn {
  (...args: unknown[]): number;
  async(...args: unknown[]): void;
}

function koffiLibc() {
  const koffi = require('koffi') as Koffi;
  const libc = koffi.load('libc.so.6');
  return {
    send: libc.func('long send(int fd, const void *buf, size_t len, int flags)'),
    recvfrom: libc.func('long recvfrom(int fd, void *buf, size_t len, int flags, void *addr, void *addrlen)'),
    getsockopt: libc.func('int getsockopt(int fd, int level, int optname, void *optval, void *optlen)'),
  };
}

interface PosixSocket {
  AF_INET: number; SOCK_DGRAM: number; SOL_SOCKET: number; SO_ERROR: number;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: object): void;
  connect(fd: number, addr: object): void;
  send(fd: number, buf: ArrayBuffer, len: number, flags: number): number;
  recvfrom(fd: number, buf: ArrayBuffer, len: number, flags: number, from: object): number;
  getsockopt(fd: number, level: number, optname: number): number;
}

function floorAddon(): { send(fd: number, b: Buffer): number; recvfrom(fd: number, b: Buffer): number;
  getsockopt(fd: number): number } {
  const path = process.env.BENCH_FLOOR;
  if (!path) throw new Error('the N-API floor addon was not built (BENCH_FLOOR unset)');
  return require(path);
}

// ---- 1. sync round trip -------------------------------------------------------

function rt(name: string): Loop {
  switch (name) {
    case 'sys': {
      const [a, b] = sysPair();
      return (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          sys.sendSync(a, msg);
          sys.recvfromSync(b, buf);
        }
        return { ns: now() - t0, n };
      };
    }
    case 'sys-noaddr': {
      const [a, b] = sysPair();
      return (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          sys.sendSync(a, msg);
          sys.recvfromSync(b, buf, 0, null);
        }
        return { ns: now() - t0, n };
      };
    }
    case 'facade-into': {
      const [a, b] = facadePair();
      return (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          a.sendSync(msg);
          b.recvfrom_intoSync(buf);
        }
        return { ns: now() - t0, n };
      };
    }
    case 'facade': {
      const [a, b] = facadePair();
      return (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          a.sendSync(msg);
          b.recvfromSync(BUFSIZE);
        }
        return { ns: now() - t0, n };
      };
    }
    case 'koffi': {
      const k = koffiLibc();
      const [a, b] = sysPair();
      const addr = Buffer.alloc(16), alen = new Uint32Array(1);
      return (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          if (k.send(a, msg, PAYLOAD, 0) < 0) throw new Error('send failed');
          alen[0] = 16;
          if (k.recvfrom(b, buf, BUFSIZE, 0, addr, alen) < 0) throw new Error('recvfrom failed');
        }
        return { ns: now() - t0, n };
      };
    }
    case 'posix-socket': {
      const P = require('posix-socket') as PosixSocket;
      const a = P.socket(P.AF_INET, P.SOCK_DGRAM, 0), b = P.socket(P.AF_INET, P.SOCK_DGRAM, 0);
      P.bind(a, { sin_family: P.AF_INET, sin_port: 0, sin_addr: '127.0.0.1' });
      P.bind(b, { sin_family: P.AF_INET, sin_port: 0, sin_addr: '127.0.0.1' });
      // posix-socket has no getsockname: sockcall's tells the ports.
      const pa = sys.getsockname(a) as { port: number }, pb = sys.getsockname(b) as { port: number };
      P.connect(a, { sin_family: P.AF_INET, sin_port: pb.port, sin_addr: '127.0.0.1' });
      P.connect(b, { sin_family: P.AF_INET, sin_port: pa.port, sin_addr: '127.0.0.1' });
      const m = new ArrayBuffer(PAYLOAD), r = new ArrayBuffer(BUFSIZE);
      return (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          P.send(a, m, PAYLOAD, 0);
          P.recvfrom(b, r, BUFSIZE, 0, {});
        }
        return { ns: now() - t0, n };
      };
    }
    case 'floor': {
      const f = floorAddon();
      const [a, b] = sysPair();
      return (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          if (f.send(a, msg) < 0) throw new Error('send failed');
          if (f.recvfrom(b, buf) < 0) throw new Error('recvfrom failed');
        }
        return { ns: now() - t0, n };
      };
    }
  }
  throw new Error(`no rt contender ${name}`);
}

// ---- 2. async round trip ------------------------------------------------------

/** The article's size (../shared/seed): recvfrom(65535). */
const ARTICLE_BUFSIZE = 65_535;

function asyncRt(name: string): Loop {
  switch (name) {
    case 'sys-pending-64k': {
      const [a, b] = sysPair();
      const big = Buffer.alloc(ARTICLE_BUFSIZE);
      return async (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          const p = sys.recvfrom(b, big);
          sys.sendSync(a, msg);
          await p;
        }
        return { ns: now() - t0, n };
      };
    }
    case 'facade-pending-64k': {
      const [a, b] = facadePair();
      return async (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          const p = b.recvfrom(ARTICLE_BUFSIZE);
          a.sendSync(msg);
          await p;
        }
        return { ns: now() - t0, n };
      };
    }
    case 'sys-pending': {
      const [a, b] = sysPair();
      return async (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          const p = sys.recvfrom(b, buf);
          sys.sendSync(a, msg);
          await p;
        }
        return { ns: now() - t0, n };
      };
    }
    case 'sys-send': {
      const [a, b] = sysPair();
      return async (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          sys.sendSync(a, msg);
          await sys.recvfrom(b, buf);
        }
        return { ns: now() - t0, n };
      };
    }
    case 'sys-ready': {
      // The readiness form: the loop waits for the socket (epoll), the
      // call is made on the main thread.
      const [a, b] = sysPair();
      return async (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          const p = sys.recvfrom(b, buf, 0, undefined, { wait: 'readiness' });
          sys.sendSync(a, msg);
          await p;
        }
        return { ns: now() - t0, n };
      };
    }
    case 'facade-pending': {
      const [a, b] = facadePair();
      return async (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          const p = b.recvfrom(BUFSIZE);
          a.sendSync(msg);
          await p;
        }
        return { ns: now() - t0, n };
      };
    }
    case 'facade-send': {
      const [a, b] = facadePair();
      return async (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          a.sendSync(msg);
          await b.recvfrom(BUFSIZE);
        }
        return { ns: now() - t0, n };
      };
    }
    case 'dgram': {
      // dgram's own idiom: send, and send again from the 'message' handler.
      const a = dgram.createSocket('udp4'), b = dgram.createSocket('udp4');
      let onMessage: () => void = () => {};
      b.on('message', () => onMessage());
      const ready = Promise.all([
        new Promise<void>((r) => a.bind(0, '127.0.0.1', () => r())),
        new Promise<void>((r) => b.bind(0, '127.0.0.1', () => r())),
      ]).then(() => Promise.all([
        new Promise<void>((r) => a.connect(b.address().port, '127.0.0.1', () => r())),
        new Promise<void>((r) => b.connect(a.address().port, '127.0.0.1', () => r())),
      ]));
      return async (n) => {
        await ready;
        const t0 = now();
        await new Promise<void>((resolve) => {
          let i = 0;
          onMessage = () => {
            if (++i === n) resolve();
            else a.send(msg);
          };
          a.send(msg);
        });
        return { ns: now() - t0, n };
      };
    }
    case 'koffi-pending':
    case 'koffi-send': {
      const k = koffiLibc();
      const [a, b] = sysPair();
      const addr = Buffer.alloc(16), alen = new Uint32Array(1);
      const recv = () => new Promise<number>((resolve, reject) => {
        alen[0] = 16;
        k.recvfrom.async(b, buf, BUFSIZE, 0, addr, alen, (err: unknown, r: number) => (err ? reject(err) : resolve(r)));
      });
      const pendingFirst = name === 'koffi-pending';
      return async (n) => {
        const t0 = now();
        for (let i = 0; i < n; i++) {
          if (pendingFirst) {
            const p = recv();
            k.send(a, msg, PAYLOAD, 0);
            await p;
          } else {
            k.send(a, msg, PAYLOAD, 0);
            await recv();
          }
        }
        return { ns: now() - t0, n };
      };
    }
  }
  throw new Error(`no async contender ${name}`);
}

// ---- 3. receive throughput ----------------------------------------------------
// Datagrams carry [round u32][seq u32]; the sender ends each round with
// END_SEQ markers (bench/c/bench.c). Only this round's datagrams count.

function recv(name: string): { port: number; loop: Loop } {
  switch (name) {
    case 'sys-promise':
    case 'sys-ready': {
      // `await sys.recvfrom()` a datagram at a time: on a thread, or in
      // the readiness form (the loop waits, the call is made here).
      const [fd, port] = receiverSocket();
      const options = name === 'sys-ready' ? { wait: 'readiness' as const } : undefined;
      return {
        port,
        loop: async (_n, round) => {
          say('armed');
          let count = 0, first = 0;
          for (;;) {
            const { nbytes } = await sys.recvfrom(fd, buf, 0, undefined, options);
            if (nbytes < 8 || buf.readUInt32LE(0) !== round) continue;
            if (buf.readUInt32LE(4) === END_SEQ) break;
            if (count++ === 0) first = now();
          }
          return { ns: count ? now() - first : 0, received: count };
        },
      };
    }
    case 'sys-stream': {
      // A stream built on the public API: wait for the socket to be
      // readable with poll() on sockcall's thread, then drain it on the
      // main thread with recvfromSync(MSG_DONTWAIT) until EAGAIN.
      const [fd, port] = receiverSocket();
      const fds = [{ fd, events: POLLIN }];
      return {
        port,
        loop: async (_n, round) => {
          say('armed');
          let count = 0, first = 0;
          for (;;) {
            await sys.poll(fds, -1);
            let done = false;
            for (;;) {
              let nbytes: number;
              try {
                nbytes = sys.recvfromSync(fd, buf, MSG_DONTWAIT).nbytes;
              } catch (err) {
                if (err instanceof BlockingIOError) break;
                throw err;
              }
              if (nbytes < 8 || buf.readUInt32LE(0) !== round) continue;
              if (buf.readUInt32LE(4) === END_SEQ) {
                done = true;
                break;
              }
              if (count++ === 0) first = now();
            }
            if (done) break;
          }
          return { ns: count ? now() - first : 0, received: count };
        },
      };
    }
    case 'sys-batch': {
      // The same on the public API with one call fewer per batch: the
      // first datagram is received on sockcall's thread (the Promise
      // form), the rest drained on the main thread until EAGAIN.
      const [fd, port] = receiverSocket();
      return {
        port,
        loop: async (_n, round) => {
          say('armed');
          let count = 0, first = 0;
          let done = false;
          const take = (nbytes: number): void => {
            if (nbytes < 8 || buf.readUInt32LE(0) !== round) return;
            if (buf.readUInt32LE(4) === END_SEQ) {
              done = true;
              return;
            }
            if (count++ === 0) first = now();
          };
          while (!done) {
            take((await sys.recvfrom(fd, buf)).nbytes);
            while (!done) {
              let nbytes: number;
              try {
                nbytes = sys.recvfromSync(fd, buf, MSG_DONTWAIT).nbytes;
              } catch (err) {
                if (err instanceof BlockingIOError) break;
                throw err;
              }
              take(nbytes);
            }
          }
          return { ns: count ? now() - first : 0, received: count };
        },
      };
    }
    case 'sys-mmsg':
    case 'sys-mmsg-ready': {
      // `await sys.recvmmsg()` of up to MMSG datagrams a call, each into a
      // buffer of its own, with MSG_WAITFORONE (recvmmsg(2): once one has
      // come, return with what is queued): on a thread, or in the
      // readiness form.
      const [fd, port] = receiverSocket();
      const options = name === 'sys-mmsg-ready' ? { wait: 'readiness' as const } : undefined;
      const msgs = Array.from({ length: MMSG }, () => ({ iov: [Buffer.alloc(BUFSIZE)], namelen: null }));
      return {
        port,
        loop: async (_n, round) => {
          say('armed');
          let count = 0, first = 0;
          for (let done = false; !done;) {
            const got = await sys.recvmmsg(fd, msgs, MSG_WAITFORONE, null, options);
            for (let i = 0; i < got.length && !done; i++) {
              const m = msgs[i].iov[0];
              if (got[i].nbytes < 8 || m.readUInt32LE(0) !== round) continue;
              if (m.readUInt32LE(4) === END_SEQ) done = true;
              else if (count++ === 0) first = now();
            }
          }
          return { ns: count ? now() - first : 0, received: count };
        },
      };
    }
  }
  throw new Error(`no recv contender ${name}`);
}

/** Datagrams one recvmmsg asks for (sys-mmsg). */
const MMSG = 64;

// dgram binds asynchronously, so its receiver is set up apart.
async function recvDgram(): Promise<{ port: number; loop: Loop }> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  let onMessage: (m: Buffer) => void = () => {};
  s.on('message', (m) => onMessage(m));
  return {
    port: s.address().port,
    loop: (_n, round) => new Promise((resolve) => {
      let count = 0, first = 0;
      onMessage = (m) => {
        if (m.length < 8 || m.readUInt32LE(0) !== round) return;
        if (m.readUInt32LE(4) === END_SEQ) {
          onMessage = () => {};
          resolve({ ns: count ? now() - first : 0, received: count });
          return;
        }
        if (count++ === 0) first = now();
      };
      say('armed');
    }),
  };
}

// ---- 4. getsockopt(SO_ERROR) ----------------------------------------------------

function gso(name: string): Loop {
  const [a] = sysPair();
  switch (name) {
    case 'sys':
      return (n) => {
        let errors = 0;
        const t0 = now();
        for (let i = 0; i < n; i++) errors += sys.getsockopt(a, SOL_SOCKET, SO_ERROR);
        return { ns: now() - t0, n, errors };
      };
    case 'facade': {
      const s = socket(AF_INET, SOCK_DGRAM);
      return (n) => {
        let errors = 0;
        const t0 = now();
        for (let i = 0; i < n; i++) errors += s.getsockopt(SOL_SOCKET, SO_ERROR);
        return { ns: now() - t0, n, errors };
      };
    }
    case 'koffi': {
      const k = koffiLibc();
      const v = new Int32Array(1), l = new Uint32Array(1);
      return (n) => {
        let errors = 0;
        const t0 = now();
        for (let i = 0; i < n; i++) {
          l[0] = 4;
          if (k.getsockopt(a, SOL_SOCKET, SO_ERROR, v, l) < 0) throw new Error('getsockopt failed');
          errors += v[0];
        }
        return { ns: now() - t0, n, errors };
      };
    }
    case 'posix-socket': {
      const P = require('posix-socket') as PosixSocket;
      const fd = P.socket(P.AF_INET, P.SOCK_DGRAM, 0);
      // Fails here, before "ready", if the package's getsockopt cannot be called.
      P.getsockopt(fd, P.SOL_SOCKET, P.SO_ERROR);
      return (n) => {
        let errors = 0;
        const t0 = now();
        for (let i = 0; i < n; i++) errors += P.getsockopt(fd, P.SOL_SOCKET, P.SO_ERROR);
        return { ns: now() - t0, n, errors };
      };
    }
    case 'floor': {
      const f = floorAddon();
      return (n) => {
        let errors = 0;
        const t0 = now();
        for (let i = 0; i < n; i++) errors += f.getsockopt(a);
        return { ns: now() - t0, n, errors };
      };
    }
  }
  throw new Error(`no gso contender ${name}`);
}

// ---- the protocol -------------------------------------------------------------

async function setup(spec: string): Promise<{ info: object; loop: Loop }> {
  const [workload, name] = spec.split(':');
  switch (workload) {
    case 'rt': return { info: {}, loop: rt(name) };
    case 'async': return { info: {}, loop: asyncRt(name) };
    case 'gso': return { info: {}, loop: gso(name) };
    case 'recv': {
      const r = name === 'dgram' ? await recvDgram() : recv(name);
      return { info: { port: r.port }, loop: r.loop };
    }
  }
  throw new Error(`unknown contender ${spec}`);
}

async function main(): Promise<void> {
  let contender: { info: object; loop: Loop };
  try {
    contender = await setup(process.argv[2] ?? '');
  } catch (err) {
    const e = err as Error;
    say(`unavailable ${JSON.stringify({ reason: `${e.name}: ${e.message}`.split('\n')[0] })}`);
    process.exit(0);
  }
  say(`ready ${JSON.stringify(contender.info)}`);
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [cmd, n, round] = line.trim().split(/\s+/);
    if (cmd === 'quit') break;
    if (cmd !== 'run') continue;
    const result = await contender.loop(Number(n), Number(round ?? 0));
    say(JSON.stringify(result));
  }
  process.exit(0);
}

void main();
