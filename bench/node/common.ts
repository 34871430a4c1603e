// What the Node.js contenders share: sizes, the socket pairs, the clock.
import { writeSync } from 'node:fs';
import { sys, socket, AF_INET, SOCK_DGRAM, type Socket } from 'sockcall';

/** Bytes in each datagram sent. */
export const PAYLOAD = 64;
/** The receive buffer, reused. */
export const BUFSIZE = 2048;
/** The sequence number of the receive-throughput sender's end marker. */
export const END_SEQ = 0xffffffff;

/** Monotonic nanoseconds, as a double. */
export function now(): number {
  return Number(process.hrtime.bigint());
}

/** One line to the parent, written at once (stdout to a pipe is async otherwise). */
export function say(line: string): void {
  writeSync(1, line + '\n');
}

const LOOPBACK = { family: AF_INET, addr: '127.0.0.1', port: 0 };

/** Two UDP sockets on 127.0.0.1, each connected to the other (sys). */
export function sysPair(): [number, number] {
  const a = sys.socket(AF_INET, SOCK_DGRAM, 0), b = sys.socket(AF_INET, SOCK_DGRAM, 0);
  sys.bind(a, LOOPBACK);
  sys.bind(b, LOOPBACK);
  sys.connectSync(a, sys.getsockname(b) as typeof LOOPBACK);
  sys.connectSync(b, sys.getsockname(a) as typeof LOOPBACK);
  return [a, b];
}

/** The same pair through the Python facade. */
export function facadePair(): [Socket, Socket] {
  const a = socket(AF_INET, SOCK_DGRAM), b = socket(AF_INET, SOCK_DGRAM);
  a.bind(['127.0.0.1', 0]);
  b.bind(['127.0.0.1', 0]);
  a.connectSync(b.getsockname() as [string, number]);
  b.connectSync(a.getsockname() as [string, number]);
  return [a, b];
}

/** A UDP socket bound to 127.0.0.1 on a free port: [fd, port]. */
export function receiverSocket(): [number, number] {
  const fd = sys.socket(AF_INET, SOCK_DGRAM, 0);
  sys.bind(fd, LOOPBACK);
  return [fd, (sys.getsockname(fd) as { port: number }).port];
}
