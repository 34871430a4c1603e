// Bytes as lib/ takes and gives them: any ArrayBufferView or ArrayBuffer in,
// Buffers out, and the scatter of a Promise-form recvmsg's bytes over the
// caller's buffers (the addon receives into memory of its own; a recv or
// recvfrom it copies into the caller's buffer itself: native/args.h, Target).
import type { Bytes } from './binding';

export type { Bytes };

export function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function isBytes(v: unknown): v is Bytes {
  return ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
}

/** The value, if it is bytes; a TypeError naming `name` otherwise. */
export function bytesArg(v: unknown, name: string): Bytes {
  if (isBytes(v)) return v;
  throw new TypeError(`${name} must be a bytes-like object (Buffer, TypedArray, DataView or ArrayBuffer), got ${describe(v)}`);
}

/** A Uint8Array over the same memory. */
export function toUint8(b: Bytes): Uint8Array {
  return ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
}

/** Copies received bytes into one of the caller's buffers (the message is Target::CopyOut's). */
function copyInto(target: Bytes, data: Buffer, syscall: string): void {
  const view = toUint8(target);
  if (data.length > view.length) {
    throw new TypeError(`the buffer given to ${syscall} shrank or was detached while the call was pending; ` +
      `${data.length} bytes received were dropped`);
  }
  view.set(data);
}

/** Spreads received bytes over buffers in order, as the kernel would have written them. */
export function scatter(iov: Bytes[], data: Buffer, syscall: string): void {
  let at = 0;
  for (const b of iov) {
    if (at >= data.length) break;
    const n = Math.min(b.byteLength, data.length - at);
    copyInto(b, data.subarray(at, at + n), syscall);
    at += n;
  }
}
