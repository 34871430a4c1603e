// sockcall: the BSD socket system calls, exactly as the kernel answers
// them, and a Python-compatible socket facade over them.
//
//   import { socket, sys, AF_INET, SOCK_DGRAM, OSError } from 'sockcall';
//
// The layers (ARCHITECTURE.md): sys/ makes the system calls, python/ is
// the socket module of CPython over them, errors.ts the OSError family;
// native.ts loads the addon beneath them all.
export * from './constants';
export * from './errors';
export { Socket, SocketType, socket, socketpair, getdefaulttimeout, setdefaulttimeout } from './python/socket';
export type { Ancdata, AncdataIn } from './python/socket';
export type { Address, AddressOut, SockName } from './python/address';
export { SocketIO, type FileFor, type MakefileOptions, type SocketFile } from './python/makefile';
export {
  DEFAULT_BUFFER_SIZE, UnsupportedOperation, IOBase, RawIOBase, BufferedIOBase, BufferedReader, BufferedWriter,
  BufferedRWPair, TextIOBase, TextIOWrapper,
} from './python/io';
export {
  getaddrinfo, inet_pton, inet_ntop, inet_aton, inet_ntoa, if_nametoindex, if_indextoname, if_nameindex,
  CMSG_LEN, CMSG_SPACE, htons, ntohs, htonl, ntohl,
  gethostname, gethostbyname, gethostbyname_ex, gethostbyaddr, getfqdn, getnameinfo,
  getservbyname, getservbyport, getprotobyname,
  close, dup, fromfd, has_ipv6, has_dualstack_ipv6, error, timeout, herror,
  send_fds, send_fdsSync, recv_fds, recv_fdsSync,
  create_connection, create_connectionSync, create_server,
  type CreateConnectionOptions, type CreateServerOptions,
} from './python/module';
export { AddressFamily, SocketKind, MsgFlag, AddressInfo, IntEnumMember } from './python/enums';
export type { CallOptions } from './promise';
export { select, Poll, Epoll } from './python/select';
export { decodeSockExtendedErr, type SockExtendedErr } from './errqueue';
export { formatTraceback } from './traceback';
import * as sys from './sys';
export { sys };
import { native } from './native';
import { installTraceback } from './traceback';

/** errno names to values, from the system headers (Python's errno module). */
export const errno: Readonly<Record<string, number>> = native.errno;
/** errno values to names, as Python's errno.errorcode gives them. */
export const errorcode: Readonly<Record<number, string>> = native.errorcode;

installTraceback();
