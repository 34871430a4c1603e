// The addon as the rest of lib/ uses it: loaded (binding.ts), and handed
// lib/'s functions once (setup()), as this module loads, so that no path
// into the addon can find them missing. The addon's results are made by
// these literals (see CallMaker in native/results.h for why), its errors by
// errors.ts, and a Promise-form call completes through promise.ts.
import { binding } from './binding';
import { errorFromErrno, gaierror } from './errors';
import { complete } from './promise';
import type { SockaddrIn, SockaddrOut } from './binding';
import { AF_INET } from './constants';

// The last IPv4 address's text: a socket's datagrams most often come from
// one sender, and its text is made once, not for every datagram.
let lastIpv4 = -1;
let lastIpv4Text = '';
function ipv4Text(a: number): string {
  if (a !== lastIpv4) {
    lastIpv4 = a;
    lastIpv4Text = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
  return lastIpv4Text;
}

// An IPv4 sender (host-order address) as the addon's makeInet literal makes
// it, { family, addr, port }: one shape for every IPv4 address, whichever
// path made it.
function inet4(a: number, port: number): SockaddrIn {
  return { family: AF_INET, addr: ipv4Text(a), port };
}

// What a Sync recvfrom into a caller's buffer leaves here (native/addon.h,
// Shared::sync_result), read before any other call: the count, and an IPv4
// sender; then the slots of Promise-form recvfroms (delivered()).
const syncResult = binding.setup(errorFromErrno, (code, message) => new gaierror(code, message), complete,
  (family, addr, port) => ({ family, addr, port }),
  (family, addr, port, flowinfo, scope_id) => ({ family, addr, port, flowinfo, scope_id }),
  (first, second) => [first, second],
  // Two literals, not one nested in the other, which V8 makes by walking a
  // copy of its boilerplate (Runtime_CreateArrayLiteral).
  (first, addr, port) => {
    const address = inet4(addr, port);
    return [first, address];
  });

// The slots after syncResult's four (native/addon.h, AddonData::Shared).
const SLOT_SCALE = 2 ** 32;

/**
 * A Promise-form recvfrom into a caller's buffer, as the addon settled it:
 * [count, address], or a number, slot * 2^32 + count, with an IPv4 sender
 * in that slot, which this frees.
 */
export function delivered(r: [number, SockaddrOut | null] | number): [number, SockaddrOut | null] {
  if (typeof r !== 'number') return r;
  const k = Math.floor(r / SLOT_SCALE);
  const at = 4 + 4 * k;
  const address = inet4(syncResult[at + 1], syncResult[at + 2]);
  syncResult[at] = 0;
  return [r - k * SLOT_SCALE, address];
}

/**
 * recvfromSync into a caller's buffer: the kernel's count and the sender,
 * from what the addon returned and left in syncResult (the same object
 * the addon's own literal makes: { family, addr, port }).
 */
export function recvfromSyncResult(address: SockaddrOut | null | undefined): [number, SockaddrOut | null] {
  if (address !== undefined) return [syncResult[0], address];
  return [syncResult[0], inet4(syncResult[2], syncResult[3])];
}

export const native = binding;
export type * from './binding';
