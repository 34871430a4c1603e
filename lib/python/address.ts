// Python-shaped socket addresses for the facade, converted as CPython's
// Modules/socketmodule.c does it: getsockaddrarg() and setipaddr() going in,
// makesockaddr() coming out, getsockaddrlen() for the room given to the
// kernel.
import { AF_INET, AF_INET6, AF_PACKET, AF_UNIX } from '../constants';
import { OSError } from '../errors';
import { native, type Sockaddr, type SockaddrIn, type SockaddrIn6, type SockaddrOut } from '../native';
import { utf8Arg } from './args';

const C = native.constants;

/**
 * An address as Python writes it: ['127.0.0.1', 1060] for AF_INET,
 * ['::1', 1060, flowinfo, scope_id] for AF_INET6 (the last two optional
 * going in), a path string or bytes for AF_UNIX (bytes starting with a NUL
 * byte for Linux's abstract namespace), [ifname, proto, pkttype, hatype,
 * addr] for AF_PACKET.
 */
export type Address =
  | [host: string, port: number]
  | [host: string, port: number, flowinfo: number, scope_id: number]
  | [host: string, port: number, flowinfo: number]
  | string
  | Buffer
  | Uint8Array
  | [ifname: string, proto: number, pkttype?: number, hatype?: number, addr?: Uint8Array]
  // What makesockaddr gives for a family it does not decode, so that
  // getsockname()'s result type-checks as an argument; CPython refuses it
  // at run time ("getsockaddrarg: bad family"), as sockcall does.
  | [family: number, data: Uint8Array];

/** What the facade returns: the same shapes, null where the kernel gave no address. */
export type AddressOut =
  | [string, number]
  | [string, number, number, number]
  | string
  | Buffer
  | [string, number, number, number, Buffer]
  | [number, Buffer]
  | null;

/** A socket's own or its peer's name: the kernel always gives one (getsockname(2)). */
export type SockName = Exclude<AddressOut, null>;

/** getsockaddrlen(): the sockaddr size CPython gives the kernel for a family. */
export function sockaddrLength(family: number): number {
  switch (family) {
    case C.AF_INET: return native.sizeof.sockaddr_in;
    case C.AF_INET6: return native.sizeof.sockaddr_in6;
    case C.AF_UNIX: return native.sizeof.sockaddr_un;
    case C.AF_PACKET: return native.sizeof.sockaddr_ll;
    default: throw new RangeError(`the socket's family ${family} has no address size sockcall knows (getsockaddrlen: bad family)`);
  }
}

function familyName(family: number): string {
  for (const name of ['AF_INET', 'AF_INET6', 'AF_UNIX', 'AF_PACKET']) if (C[name] === family) return name;
  return `family ${family}`;
}

function checkPort(port: unknown, caller: string): number {
  if (typeof port !== 'number' || !Number.isInteger(port)) {
    throw new TypeError(`${caller}(): port must be an integer, got ${typeof port === 'number' ? port : typeof port}`);
  }
  if (port < 0 || port > 0xffff) throw new RangeError(`${caller}(): port must be 0-65535, got ${port}`);
  return port;
}

/**
 * setipaddr(): an IPv4/IPv6 host for family `af`, the way CPython finds it.
 * '' is the wildcard (getaddrinfo(NULL, "0", AI_PASSIVE)); '<broadcast>'
 * and '255.255.255.255' are INADDR_BROADCAST; a numeric address is taken as
 * it is (inet_pton, no lookup); anything else goes to getaddrinfo() with
 * only ai_family set, and the first answer is used.
 */
export function setipaddr(name: string, af: number): SockaddrIn | SockaddrIn6 {
  const ip = (a: SockaddrOut | null, why: string): SockaddrIn | SockaddrIn6 => {
    if (a === null || 'data' in a || (a.family !== AF_INET && a.family !== AF_INET6)) throw new OSError(undefined, why);
    return a;
  };
  if (name === '') {
    const res = native.getaddrinfo(null, '0', af, C.SOCK_DGRAM, 0, C.AI_PASSIVE);
    const a = ip(res[0].address, 'unsupported address family');
    if (res.length > 1) throw new OSError(undefined, 'wildcard resolved to multiple address');
    return a;
  }
  if (name === '255.255.255.255' || name === '<broadcast>') {
    if (af !== C.AF_INET && af !== C.AF_UNSPEC) throw new RangeError(`host ${name} is IPv4 only (address family mismatched)`);
    return { family: AF_INET, addr: '255.255.255.255', port: 0 };
  }
  if ((af === C.AF_UNSPEC || af === C.AF_INET) && native.inet_pton(C.AF_INET, name) !== null) {
    return { family: AF_INET, addr: name, port: 0 };
  }
  // An address with a scope ("fe80::1%lo") goes to getaddrinfo, which knows
  // interface names.
  if ((af === C.AF_UNSPEC || af === C.AF_INET6) && !name.includes('%') &&
      native.inet_pton(C.AF_INET6, name) !== null) {
    return { family: AF_INET6, addr: name, port: 0, flowinfo: 0, scope_id: 0 };
  }
  return ip(native.getaddrinfo(utf8Arg(name, 'host'), null, af, 0, 0, 0)[0].address, 'unknown address family');
}

function hostArg(host: unknown, caller: string): string {
  if (typeof host !== 'string') {
    throw new TypeError(`${caller}(): host must be a string, got ${host === null ? 'null' : typeof host}`);
  }
  return host;
}

/**
 * getsockaddrarg(): a Python-shaped address for a socket of `family`, as
 * the sockaddr the native layer encodes. Shapes, ports and lengths are
 * checked before any name is looked up.
 */
export function toSockaddr(family: number, address: unknown, caller: string, fd: number): Sockaddr {
  if (family === C.AF_INET) {
    if (!Array.isArray(address)) {
      throw new TypeError(`${caller}(): AF_INET address must be an array [host, port], got ${describeValue(address)}`);
    }
    if (address.length !== 2) throw new TypeError(`${caller}(): AF_INET address must be a pair [host, port]`);
    const host = hostArg(address[0], caller);
    const port = checkPort(address[1], caller);
    const sa = setipaddr(host, C.AF_INET);
    return { family: AF_INET, addr: sa.addr, port };
  }
  if (family === C.AF_INET6) {
    if (!Array.isArray(address)) {
      throw new TypeError(`${caller}(): AF_INET6 address must be an array [host, port, flowinfo?, scope_id?], ` +
        `got ${describeValue(address)}`);
    }
    if (address.length < 2 || address.length > 4) {
      throw new TypeError(`${caller}(): AF_INET6 address must be an array [host, port, flowinfo?, scope_id?]`);
    }
    const host = hostArg(address[0], caller);
    const port = checkPort(address[1], caller);
    const flowinfo = address[2] ?? 0;
    const scopeId = address[3] ?? 0;
    if (typeof flowinfo !== 'number' || !Number.isInteger(flowinfo)) throw new TypeError(`${caller}(): flowinfo must be an integer`);
    if (flowinfo < 0 || flowinfo > 0xfffff) throw new RangeError(`${caller}(): flowinfo must be 0-1048575, got ${flowinfo}`);
    if (typeof scopeId !== 'number' || !Number.isInteger(scopeId)) throw new TypeError(`${caller}(): scope_id must be an integer`);
    if (scopeId < 0 || scopeId > 0xffffffff) throw new RangeError(`${caller}(): scope_id must be 0-4294967295, got ${scopeId}`);
    const sa = setipaddr(host, C.AF_INET6);
    return { family: AF_INET6, addr: sa.addr, port, flowinfo, scope_id: scopeId };
  }
  if (family === C.AF_UNIX) {
    let path: Buffer;
    if (typeof address === 'string') path = Buffer.from(address, 'utf8');
    else if (address instanceof Uint8Array) path = Buffer.from(address.buffer, address.byteOffset, address.byteLength);
    else throw new TypeError(`${caller}(): AF_UNIX address (a path) must be a string or bytes, got ${describeValue(address)}`);
    // CPython: an abstract name may fill sun_path; a pathname needs room
    // for its NUL.
    const room = native.sizeof.sun_path;
    // CPython: an empty path is abstract too, and binding it asks the
    // kernel to pick an abstract name (unix(7), "autobind").
    const abstract = path.length === 0 || path[0] === 0;
    if (abstract ? path.length > room : path.length >= room) {
      throw new RangeError(`${caller}(): AF_UNIX path is ${path.length} bytes; sun_path holds ${room} (AF_UNIX path too long)`);
    }
    if (!abstract && path.includes(0)) throw new TypeError(`${caller}(): AF_UNIX path must not contain a NUL byte`);
    // A pathname goes with its NUL, counted in the length ("including the
    // tailing NUL"); an abstract name is exactly its bytes.
    return { family: AF_UNIX, path: abstract ? path : Buffer.concat([path, Buffer.alloc(1)]) };
  }
  if (family === C.AF_PACKET) {
    if (!Array.isArray(address) || address.length < 2 || address.length > 5) {
      throw new TypeError(`${caller}(): AF_PACKET address must be an array [ifname, proto, pkttype?, hatype?, addr?]`);
    }
    const [ifname, proto, pkttype = 0, hatype = 0, haddr] = address;
    if (typeof ifname !== 'string') throw new TypeError(`${caller}(): AF_PACKET ifname must be a string`);
    for (const [n, v, max] of [['proto', proto, 0xffff], ['pkttype', pkttype, 0xff], ['hatype', hatype, 0xffff]] as const) {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${caller}(): AF_PACKET ${n} must be an integer`);
      if (v < 0 || v > max) throw new RangeError(`${caller}(): AF_PACKET ${n} must be 0-${max}, got ${v}`);
    }
    if (haddr !== undefined && !(haddr instanceof Uint8Array)) throw new TypeError(`${caller}(): AF_PACKET addr must be bytes`);
    if (haddr !== undefined && haddr.length > 8) throw new RangeError(`${caller}(): AF_PACKET addr must be at most 8 bytes`);
    // CPython asks the kernel for the index with ioctl(SIOCGIFINDEX) on the
    // socket itself, before it checks proto.
    const ifindex = native.ioctl(fd, C.SIOCGIFINDEX, ifname) as number;
    return { family: AF_PACKET, protocol: proto as number, ifindex, pkttype: pkttype as number,
      hatype: hatype as number, addr: haddr };
  }
  throw new RangeError(`${caller}(): the socket's family ${family} has no address format sockcall knows (bad family)`);
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v;
}

/** makesockaddr(): the native address as Python shows it. */
export function fromSockaddr(a: SockaddrOut, fd: number): SockName;
export function fromSockaddr(a: SockaddrOut | null, fd: number): AddressOut;
export function fromSockaddr(a: SockaddrOut | null, fd: number): AddressOut {
  if (a === null) return null;
  if ('data' in a) return [a.family, a.data];
  switch (a.family) {
    case AF_INET:
      return [a.addr, a.port];
    case AF_INET6:
      return [a.addr, a.port, a.flowinfo, a.scope_id];
    case AF_UNIX: {
      // Linux's abstract namespace: the bytes as they are; a pathname: the
      // string up to its NUL (PyUnicode_DecodeFSDefault of sun_path).
      if (a.path.length > 0 && a.path[0] === 0) return a.path;
      const end = a.path.indexOf(0);
      return a.path.subarray(0, end < 0 ? a.path.length : end).toString('utf8');
    }
    case AF_PACKET: {
      // CPython names the interface with ioctl(SIOCGIFNAME) on the socket,
      // and leaves the name empty if that fails.
      let ifname = '';
      if (a.ifindex) {
        try { ifname = native.ioctl(fd, C.SIOCGIFNAME, a.ifindex) as string; } catch { ifname = ''; }
      }
      return [ifname, a.protocol, a.pkttype, a.hatype, a.addr];
    }
  }
}

export { familyName };
