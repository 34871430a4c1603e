// The socket module's functions beside the socket class, as CPython has them.
import { fromSockaddr, type AddressOut } from './address';
import { native } from '../native';

const C = native.constants;

/**
 * socket.getaddrinfo(host, port, family=0, type=0, proto=0, flags=0) ->
 * [family, type, proto, canonname, sockaddr][]: one getaddrinfo(3) call with
 * those hints; the port becomes the service string.
 */
export function getaddrinfo(host: string | null, port: number | string | null, family = 0, type = 0, proto = 0,
  flags = 0): [number, number, number, string, AddressOut][] {
  if (host !== null && typeof host !== 'string') throw new TypeError('getaddrinfo() argument 1 must be a string or null');
  let service: string | null;
  if (port === null || port === undefined) service = null;
  else if (typeof port === 'number' && Number.isInteger(port)) service = String(port);
  else if (typeof port === 'string') service = port;
  else throw new TypeError('getaddrinfo() argument 2 must be an integer, a string or null');
  return native.getaddrinfo(host, service, family, type, proto, flags).map((ai) =>
    [ai.family, ai.socktype, ai.protocol, ai.canonname ?? '', fromSockaddr(ai.address, -1)]);
}

/** socket.inet_pton(af, ip_string) -> packed bytes. */
export function inet_pton(af: number, ip: string): Buffer {
  const packed = native.inet_pton(af, ip);
  if (packed === null) throw new TypeError(`ip_string ${JSON.stringify(ip)} is not an address of that family (illegal IP address string passed to inet_pton)`);
  return packed;
}

/** socket.inet_ntop(af, packed_ip) -> string. */
export function inet_ntop(af: number, packed: ArrayBufferView | ArrayBuffer): string {
  return native.inet_ntop(af, packed);
}

/** socket.if_nametoindex(name) */
export function if_nametoindex(name: string): number {
  return native.if_nametoindex(name);
}

/** socket.if_indextoname(index) */
export function if_indextoname(index: number): string {
  return native.if_indextoname(index);
}

/** socket.CMSG_LEN(length): cmsg(3)'s CMSG_LEN. */
export function CMSG_LEN(length: number): number {
  return native.CMSG_LEN(length);
}

/** socket.CMSG_SPACE(length): cmsg(3)'s CMSG_SPACE. */
export function CMSG_SPACE(length: number): number {
  return native.CMSG_SPACE(length);
}

function u16(x: number, name: string): number {
  if (!Number.isInteger(x) || x < 0 || x > 0xffff) throw new RangeError(`${name}: Python int too large to convert to C 16-bit unsigned integer`);
  return x;
}

function u32(x: number, name: string): number {
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`${name}: int larger than 32 bits`);
  return x;
}

// Byte order conversions, for protocol numbers such as htons(ETH_P_ALL).
// Linux runs little-endian on x86-64 and arm64 as sockcall builds them, but
// the order is read, not assumed.
const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function htons(x: number): number {
  u16(x, 'htons');
  return little ? ((x & 0xff) << 8) | (x >> 8) : x;
}
export const ntohs = (x: number): number => htons(x);

export function htonl(x: number): number {
  u32(x, 'htonl');
  return little ? (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0 : x;
}
export const ntohl = (x: number): number => htonl(x);
