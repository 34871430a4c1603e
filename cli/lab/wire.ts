// The packets on the lab's wire: frames from a packet socket (packet(7)) on
// the client's veth, decoded as far as the lab needs (IPv4, IPv6, UDP, TCP,
// and every ICMP and ICMPv6 error with the header it quotes) and written in
// tcpdump's words (print-icmp.c, print-icmp6.c, print-udp.c, print-tcp.c;
// checked against tcpdump by test/lab.test.ts where tcpdump is installed).
// TCP lines keep tcpdump's flags and length and leave out the sequence
// numbers, the window and the options.
//
// cli/packets.ts decodes the loopback case (UDP and the port unreachable);
// this is its counterpart for the lab's other errors and for TCP.
import { sys, AF_INET, AF_INET6 } from 'sockcall';

export interface Quoted { src: string; dst: string; protocol: number; sport?: number; dport?: number }

export interface WirePacket {
  /**
   * The kernel's timestamp of the packet socket's copy (SO_TIMESTAMPNS),
   * seconds since the epoch: for a frame sent, as it was handed to the link
   * (dev_queue_xmit_nit); for one received, as the link received it.
   */
  t: number;
  /** The same, as the kernel gave it ("SEC.NSEC"), when it gave one. */
  stamp?: string;
  /** out: sent by the client; in: received by it. */
  dir: 'out' | 'in';
  ip: 4 | 6;
  src: string;
  dst: string;
  protocol: number;
  sport?: number;
  dport?: number;
  /** TCP flags, tcpdump's letters ("S", "S.", "R.", "P.", ".", "F."). */
  flags?: string;
  /** ICMP or ICMPv6 type and code, and what the error quotes. */
  icmp?: { type: number; code: number; mtu?: number; quoted?: Quoted };
  /** The packet as tcpdump -n prints it, without the timestamp. */
  line: string;
}

const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const TCP = 6;
const UDP = 17;
const ICMP = 1;
const ICMPV6 = 58;

const ip4 = (b: Buffer, at: number) => sys.inet_ntop(AF_INET, b.subarray(at, at + 4));
const ip6 = (b: Buffer, at: number) => sys.inet_ntop(AF_INET6, b.subarray(at, at + 16));

/** The header an ICMP error quotes: the offending packet's IP header and the start of its payload. */
function quoted(b: Buffer): Quoted | undefined {
  if (b.length >= 20 && b[0] >> 4 === 4) {
    const ihl = (b[0] & 0xf) * 4;
    const q: Quoted = { src: ip4(b, 12), dst: ip4(b, 16), protocol: b[9] };
    if ((q.protocol === UDP || q.protocol === TCP) && b.length >= ihl + 4) {
      q.sport = b.readUInt16BE(ihl);
      q.dport = b.readUInt16BE(ihl + 2);
    }
    return q;
  }
  if (b.length >= 40 && b[0] >> 4 === 6) {
    const q: Quoted = { src: ip6(b, 8), dst: ip6(b, 24), protocol: b[6] };
    if ((q.protocol === UDP || q.protocol === TCP) && b.length >= 44) {
      q.sport = b.readUInt16BE(40);
      q.dport = b.readUInt16BE(42);
    }
    return q;
  }
  return undefined;
}

// print-tcp.c: the flags in the order tcpdump writes them, "." for ACK.
function tcpFlags(f: number): string {
  let s = '';
  if (f & 0x01) s += 'F';
  if (f & 0x02) s += 'S';
  if (f & 0x04) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & 0x20) s += 'U';
  if (f & 0x10) s += '.';
  return s === '' ? 'none' : s;
}

function transport(p: Omit<WirePacket, 'line'>, body: Buffer, ipName: string): string | null {
  const proto = p.protocol;
  if (proto === UDP && body.length >= 8) {
    p.sport = body.readUInt16BE(0);
    p.dport = body.readUInt16BE(2);
    return `${ipName} ${p.src}.${p.sport} > ${p.dst}.${p.dport}: UDP, length ${body.readUInt16BE(4) - 8}`;
  }
  if (proto === TCP && body.length >= 20) {
    p.sport = body.readUInt16BE(0);
    p.dport = body.readUInt16BE(2);
    p.flags = tcpFlags(body[13]);
    const payload = body.length - (body[12] >> 4) * 4;
    return `${ipName} ${p.src}.${p.sport} > ${p.dst}.${p.dport}: Flags [${p.flags}], length ${payload}`;
  }
  return null;
}

// print-icmp.c's words for the destination unreachable codes it names.
function icmp4Line(type: number, code: number, q: Quoted | undefined, mtu: number): string {
  const dst = q?.dst ?? '?';
  if (type === 3) {
    switch (code) {
      case 0: return `ICMP net ${dst} unreachable`;
      case 1: return `ICMP host ${dst} unreachable`;
      case 3: return q?.protocol === UDP ? `ICMP ${dst} udp port ${q.dport} unreachable`
        : q?.protocol === TCP ? `ICMP ${dst} tcp port ${q.dport} unreachable` : `ICMP ${dst} port unreachable`;
      case 4: return `ICMP ${dst} unreachable - need to frag (mtu ${mtu})`;
      case 13: return `ICMP host ${dst} unreachable - admin prohibited filter`;
      default: return `ICMP ${dst} unreachable, code ${code}`;
    }
  }
  if (type === 11) return code === 0 ? 'ICMP time exceeded in-transit' : 'ICMP ip reassembly time exceeded';
  return `ICMP type-#${type}`;
}

// print-icmp6.c's words.
function icmp6Line(type: number, code: number, q: Quoted | undefined, mtu: number): string | null {
  const dst = q?.dst ?? '?';
  if (type === 1) {
    switch (code) {
      case 0: return `ICMP6, destination unreachable, unreachable route ${dst}`;
      // print-icmp6.c writes two spaces here.
      case 1: return `ICMP6, destination unreachable,  unreachable prohibited ${dst}`;
      case 3: return `ICMP6, destination unreachable, unreachable address ${dst}`;
      case 4: return q?.protocol === UDP ? `ICMP6, destination unreachable, unreachable port, ${dst} udp port ${q.dport}`
        : `ICMP6, destination unreachable, unreachable port, ${dst}`;
      default: return `ICMP6, destination unreachable, code ${code}`;
    }
  }
  if (type === 2) return `ICMP6, packet too big, mtu ${mtu}`;
  if (type === 3) return code === 0 ? `ICMP6, time exceeded in-transit for ${dst}` : 'ICMP6, time exceeded';
  return null;  // echo, neighbour discovery, MLD: not the lab's
}

/**
 * Decodes an Ethernet frame; null for what the lab does not show (ARP,
 * neighbour discovery, MLD, anything but UDP, TCP and ICMP errors).
 */
export function decodeLabFrame(frame: Buffer, t: number, dir: 'out' | 'in'): WirePacket | null {
  if (frame.length < 14) return null;
  const ethertype = frame.readUInt16BE(12);
  const b = frame.subarray(14);
  if (ethertype === ETHERTYPE_IP && b.length >= 20 && b[0] >> 4 === 4) {
    const ihl = (b[0] & 0xf) * 4;
    const total = b.readUInt16BE(2);
    const p: Omit<WirePacket, 'line'> = { t, dir, ip: 4, src: ip4(b, 12), dst: ip4(b, 16), protocol: b[9] };
    const body = b.subarray(ihl, Math.min(total, b.length));
    const t4 = transport(p, body, 'IP');
    if (t4 !== null) return { ...p, line: t4 };
    if (p.protocol === ICMP && body.length >= 8 && (body[0] === 3 || body[0] === 11)) {
      const mtu = body.readUInt16BE(6);
      const q = quoted(body.subarray(8));
      const packet: WirePacket = { ...p, icmp: { type: body[0], code: body[1], quoted: q }, line: '' };
      if (body[0] === 3 && body[1] === 4) packet.icmp!.mtu = mtu;
      packet.line = `IP ${p.src} > ${p.dst}: ${icmp4Line(body[0], body[1], q, mtu)}, length ${total - ihl}`;
      return packet;
    }
    return null;
  }
  if (ethertype === ETHERTYPE_IPV6 && b.length >= 40 && b[0] >> 4 === 6) {
    const payload = b.readUInt16BE(4);
    const p: Omit<WirePacket, 'line'> = { t, dir, ip: 6, src: ip6(b, 8), dst: ip6(b, 24), protocol: b[6] };
    const body = b.subarray(40, 40 + payload);
    const t6 = transport(p, body, 'IP6');
    if (t6 !== null) return { ...p, line: t6 };
    if (p.protocol === ICMPV6 && body.length >= 8) {
      const mtu = body.readUInt32BE(4);
      const q = quoted(body.subarray(8));
      const text = icmp6Line(body[0], body[1], q, mtu);
      if (text === null) return null;
      const packet: WirePacket = { ...p, icmp: { type: body[0], code: body[1], quoted: q }, line: '' };
      if (body[0] === 2) packet.icmp!.mtu = mtu;
      packet.line = `IP6 ${p.src} > ${p.dst}: ${text}, length ${payload}`;
      return packet;
    }
    return null;
  }
  return null;
}
