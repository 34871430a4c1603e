// sockcall: the BSD socket system calls, exactly as the kernel answers
// them, and a Python-compatible socket facade over them.
//
//   import { socket, sys, AF_INET, SOCK_DGRAM, OSError } from 'sockcall';
export * from './constants';
export * from './errors';
export { Socket, socket, socketpair, getdefaulttimeout, setdefaulttimeout } from './socket';
export type { Ancdata, AncdataIn } from './socket';
export type { Address, AddressOut } from './address';
export {
  getaddrinfo, inet_pton, inet_ntop, if_nametoindex, if_indextoname, CMSG_LEN, CMSG_SPACE,
  htons, ntohs, htonl, ntohl,
} from './functions';
export type { CallOptions } from './calls';
export { select, Poll } from './select';
export { decodeSockExtendedErr, type SockExtendedErr } from './errqueue';
export { formatTraceback } from './traceback';
import * as sys from './sys';
export { sys };
import { native } from './native';

/** errno names to values, from the system headers (Python's errno module). */
export const errno: Readonly<Record<string, number>> = native.errno;
/** errno values to names, as Python's errno.errorcode gives them. */
export const errorcode: Readonly<Record<number, string>> = native.errorcode;
