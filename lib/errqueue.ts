// The error queue (ip(7) IP_RECVERR, ipv6(7) IPV6_RECVERR): with the option
// set, an ICMP error for a datagram the socket sent is queued on it, and
// recvmsg(fd, ..., MSG_ERRQUEUE) returns the datagram with a control message
// holding a struct sock_extended_err and the offender's address. CPython has
// no decoder for it; this is one, beside the facade's recvmsg, which returns
// the control message's bytes as CPython does.
import { errnoName } from './errors';
import { native, type Bytes, type SockaddrOut } from './native';

const C = native.constants;

export interface SockExtendedErr {
  /** ee_errno: the error the ICMP means, e.g. 111 (ECONNREFUSED). */
  errno: number;
  /** ee_errno's name, e.g. 'ECONNREFUSED'. */
  errnoName: string | undefined;
  /** ee_origin: SO_EE_ORIGIN_LOCAL, _ICMP, _ICMP6, ... */
  origin: number;
  /** The origin's name without its prefix: 'local', 'icmp', 'icmp6', 'txstatus', 'zerocopy', 'txtime', 'none'. */
  originName: string;
  /** ee_type and ee_code: the ICMP type and code (3/3 for IPv4 port unreachable, 1/4 for IPv6). */
  type: number;
  code: number;
  /** ee_info (the MTU for "fragmentation needed") and ee_data. */
  info: number;
  data: number;
  /** The address of the host that sent the ICMP (SO_EE_OFFENDER), null when none. */
  offender: SockaddrOut | null;
}

const ORIGINS: [string, string][] = [['SO_EE_ORIGIN_NONE', 'none'], ['SO_EE_ORIGIN_LOCAL', 'local'],
  ['SO_EE_ORIGIN_ICMP', 'icmp'], ['SO_EE_ORIGIN_ICMP6', 'icmp6'], ['SO_EE_ORIGIN_TXSTATUS', 'txstatus'],
  ['SO_EE_ORIGIN_ZEROCOPY', 'zerocopy'], ['SO_EE_ORIGIN_TXTIME', 'txtime']];

type CmsgLike = { level: number; type: number; data: Bytes } | [level: number, type: number, data: Bytes] | Bytes;

/**
 * Decodes an IP_RECVERR or IPV6_RECVERR control message: a sys Cmsg
 * ({ level, type, data }), a facade ancdata item ([level, type, data]), or
 * the data bytes alone.
 */
export function decodeSockExtendedErr(cmsg: CmsgLike): SockExtendedErr {
  let data: Bytes;
  if (Array.isArray(cmsg) || (typeof cmsg === 'object' && cmsg !== null && 'level' in cmsg)) {
    const [level, type, bytes] = Array.isArray(cmsg) ? cmsg : [cmsg.level, cmsg.type, cmsg.data];
    const ok = (level === C.SOL_IP && type === C.IP_RECVERR) || (level === C.SOL_IPV6 && type === C.IPV6_RECVERR);
    if (!ok) {
      throw new RangeError(`cmsg must be an IP_RECVERR (SOL_IP) or IPV6_RECVERR (SOL_IPV6) control message, ` +
        `got level ${level}, type ${type}`);
    }
    data = bytes;
  } else {
    data = cmsg;
  }
  const raw = native.sock_extended_err(data);
  const origin = ORIGINS.find(([name]) => C[name] === raw.ee_origin)?.[1] ?? String(raw.ee_origin);
  return {
    errno: raw.ee_errno, errnoName: errnoName(raw.ee_errno), origin: raw.ee_origin, originName: origin,
    type: raw.ee_type, code: raw.ee_code, info: raw.ee_info, data: raw.ee_data,
    offender: raw.offender as SockaddrOut | null,
  };
}
