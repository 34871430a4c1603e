// Reading the UDP and ICMP packets a packet socket (packet(7)) gives, and
// writing them as tcpdump writes them:
//   IP 127.0.0.1.45117 > 127.0.0.1.1060: UDP, length 3
//   IP 127.0.0.1 > 127.0.0.1: ICMP 127.0.0.1 udp port 1060 unreachable, length 39
//   IP6 ::1.45117 > ::1.1060: UDP, length 3
//   IP6 ::1 > ::1: ICMP6, destination unreachable, unreachable port, ::1 udp port 1060, length 59
// Offsets are those of the IPv4 (RFC 791), IPv6 (RFC 8200), UDP (RFC 768),
// ICMP (RFC 792) and ICMPv6 (RFC 4443) headers.
import { sys, AF_INET, AF_INET6 } from 'sockcall';

export interface Packet {
  /** 4 or 6 */
  ip: 4 | 6;
  src: string;
  dst: string;
  protocol: 'udp' | 'icmp' | 'icmp6' | 'other';
  /** UDP ports (for ICMP errors: those of the datagram the error is about). */
  sport?: number;
  dport?: number;
  /** ICMP type and code. */
  type?: number;
  code?: number;
  /** For an ICMP error: the offending datagram's destination. */
  inner?: { dst: string; protocol: number; dport?: number };
  /** What tcpdump calls the length: UDP payload, or ICMP message length. */
  length: number;
}

const ETH_HEADER = 14;
const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const PROTO_ICMP = 1;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;

const ip4 = (b: Buffer, at: number) => sys.inet_ntop(AF_INET, b.subarray(at, at + 4));
const ip6 = (b: Buffer, at: number) => sys.inet_ntop(AF_INET6, b.subarray(at, at + 16));

/** Decodes an Ethernet frame (what a SOCK_RAW packet socket on lo gives); null for what it does not show. */
export function decodeFrame(frame: Buffer): Packet | null {
  if (frame.length < ETH_HEADER) return null;
  const ethertype = frame.readUInt16BE(12);
  const p = frame.subarray(ETH_HEADER);
  if (ethertype === ETHERTYPE_IP) return decodeIPv4(p);
  if (ethertype === ETHERTYPE_IPV6) return decodeIPv6(p);
  return null;
}

export function decodeIPv4(p: Buffer): Packet | null {
  if (p.length < 20 || p[0] >> 4 !== 4) return null;
  const ihl = (p[0] & 0xf) * 4;
  const total = p.readUInt16BE(2);
  const proto = p[9];
  const src = ip4(p, 12);
  const dst = ip4(p, 16);
  const body = p.subarray(ihl, Math.min(total, p.length));
  if (proto === PROTO_UDP && body.length >= 8) {
    return { ip: 4, src, dst, protocol: 'udp', sport: body.readUInt16BE(0), dport: body.readUInt16BE(2),
      length: body.readUInt16BE(4) - 8 };
  }
  if (proto === PROTO_ICMP && body.length >= 8) {
    const pkt: Packet = { ip: 4, src, dst, protocol: 'icmp', type: body[0], code: body[1], length: total - ihl };
    // An error quotes the offending datagram's IP header and 8 bytes after it.
    const inner = body.subarray(8);
    if (body[0] === 3 && inner.length >= 20 && inner[0] >> 4 === 4) {
      const innerIhl = (inner[0] & 0xf) * 4;
      pkt.inner = { dst: ip4(inner, 16), protocol: inner[9] };
      if (inner[9] === PROTO_UDP && inner.length >= innerIhl + 4) {
        pkt.sport = inner.readUInt16BE(innerIhl);
        pkt.dport = pkt.inner.dport = inner.readUInt16BE(innerIhl + 2);
      }
    }
    return pkt;
  }
  return { ip: 4, src, dst, protocol: 'other', length: total - ihl };
}

export function decodeIPv6(p: Buffer): Packet | null {
  if (p.length < 40 || p[0] >> 4 !== 6) return null;
  const payload = p.readUInt16BE(4);
  const next = p[6];
  const src = ip6(p, 8);
  const dst = ip6(p, 24);
  const body = p.subarray(40, 40 + payload);
  if (next === PROTO_UDP && body.length >= 8) {
    return { ip: 6, src, dst, protocol: 'udp', sport: body.readUInt16BE(0), dport: body.readUInt16BE(2),
      length: body.readUInt16BE(4) - 8 };
  }
  if (next === PROTO_ICMPV6 && body.length >= 8) {
    const pkt: Packet = { ip: 6, src, dst, protocol: 'icmp6', type: body[0], code: body[1], length: payload };
    const inner = body.subarray(8);
    if (body[0] === 1 && inner.length >= 40 && inner[0] >> 4 === 6) {
      pkt.inner = { dst: ip6(inner, 24), protocol: inner[6] };
      if (inner[6] === PROTO_UDP && inner.length >= 44) {
        pkt.sport = inner.readUInt16BE(40);
        pkt.dport = pkt.inner.dport = inner.readUInt16BE(42);
      }
    }
    return pkt;
  }
  return { ip: 6, src, dst, protocol: 'other', length: payload };
}

// tcpdump's words for ICMPv6 destination unreachable codes (print-icmp6.c).
const UNREACH6 = ['unreachable route', 'unreachable prohibited', 'beyond scope', 'unreachable address',
  'unreachable port'];

/** The packet as tcpdump prints it (without the timestamp). */
export function tcpdumpLine(p: Packet): string {
  const ip = p.ip === 4 ? 'IP' : 'IP6';
  if (p.protocol === 'udp') return `${ip} ${p.src}.${p.sport} > ${p.dst}.${p.dport}: UDP, length ${p.length}`;
  if (p.protocol === 'icmp') {
    if (p.type === 3 && p.code === 3 && p.inner?.protocol === PROTO_UDP) {
      return `${ip} ${p.src} > ${p.dst}: ICMP ${p.inner.dst} udp port ${p.inner.dport} unreachable, length ${p.length}`;
    }
    return `${ip} ${p.src} > ${p.dst}: ICMP type ${p.type}, code ${p.code}, length ${p.length}`;
  }
  if (p.protocol === 'icmp6') {
    if (p.type === 1) {
      const what = UNREACH6[p.code ?? -1] ?? `code ${p.code}`;
      const about = p.inner?.protocol === PROTO_UDP ? `, ${p.inner.dst} udp port ${p.inner.dport}` : '';
      return `${ip} ${p.src} > ${p.dst}: ICMP6, destination unreachable, ${what}${about}, length ${p.length}`;
    }
    return `${ip} ${p.src} > ${p.dst}: ICMP6, type ${p.type}, code ${p.code}, length ${p.length}`;
  }
  return `${ip} ${p.src} > ${p.dst}: length ${p.length}`;
}

/** tcpdump's timestamp: HH:MM:SS.uuuuuu, local time. */
export function timestamp(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const micros = Math.floor((ms % 1000) * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)}`;
}
