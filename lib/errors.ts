// CPython's OSError family, as the socket module raises it.
//
// An error from a system call carries the errno the kernel set (positive,
// 111, not Node's -111), its symbolic code ('ECONNREFUSED', the name
// CPython's errno.errorcode gives), the system call's name, strerror(3)'s
// text, and the message CPython prints: `[Errno 111] Connection refused`.
// The class is chosen from the errno as CPython's Objects/exceptions.c does
// (the errnomap built in _PyExc_InitState), so an uncaught one prints
// `ConnectionRefusedError: [Errno 111] Connection refused`.
import { binding as native } from './binding';
import { repr, str } from './repr';

/**
 * BaseException: args as given, and str() of them as the message (one
 * argument: its str(); several: the tuple's repr; none: empty), so that an
 * uncaught one reports `RuntimeError: I think the server is down` as
 * Python's last line does, or the bare name when there is no message.
 */
export class BaseException extends Error {
  /** Python's e.args. */
  args: unknown[];
  constructor(...args: unknown[]) {
    super(args.length === 0 ? '' : args.length === 1 ? str(args[0]) : repr(args));
    this.args = args;
  }
  override get name(): string {
    return this.constructor.name;
  }
}

export class Exception extends BaseException {}

/** OSError, as CPython raises it; like Python's, an Exception. */
export class OSError extends Exception {
  /** The errno value, positive; undefined for an error no errno stands behind ("timed out"). */
  errno: number | undefined;
  /** strerror(errno), or the message when there is no errno. */
  strerror: string | undefined;
  /** The errno's symbolic name, e.g. 'ECONNREFUSED'. */
  code: string | undefined;
  /** The system call that failed, e.g. 'recvfrom'. */
  syscall: string | undefined;

  /** Python's e.args: [errno, strerror], or [message]. */
  constructor(errno: number | undefined, strerror: string, syscall?: string) {
    super(...(errno === undefined ? [strerror] : [errno, strerror]));
    // OSError.__str__: "[Errno 111] Connection refused" when there is an errno.
    if (errno !== undefined) this.message = `[Errno ${errno}] ${strerror}`;
    this.errno = errno;
    this.strerror = errno === undefined ? undefined : strerror;
    this.code = errno === undefined ? undefined : errnoName(errno);
    this.syscall = syscall;
  }
}

export class BlockingIOError extends OSError {}
export class ChildProcessError extends OSError {}
export class ConnectionError extends OSError {}
export class BrokenPipeError extends ConnectionError {}
export class ConnectionAbortedError extends ConnectionError {}
export class ConnectionRefusedError extends ConnectionError {}
export class ConnectionResetError extends ConnectionError {}
export class FileExistsError extends OSError {}
export class FileNotFoundError extends OSError {}
export class IsADirectoryError extends OSError {}
export class NotADirectoryError extends OSError {}
export class InterruptedError extends OSError {}
export class PermissionError extends OSError {}
export class ProcessLookupError extends OSError {}
export class TimeoutError extends OSError {}

/**
 * socket.gaierror: a getaddrinfo(3) failure. Its errno is the EAI_* code
 * (negative on glibc: EAI_NONAME is -2), its message gai_strerror's text.
 */
export class gaierror extends OSError {
  constructor(code: number, message: string) {
    super(code, message, 'getaddrinfo');
    this.code = eaiName(code);
  }
}

/**
 * socket.herror: the resolver's h_errno (netdb.h), from gethostbyname_ex
 * and gethostbyaddr: `[Errno 1] Unknown host`. Not an errno: no code.
 */
export class herror extends OSError {
  constructor(hErrno: number, message: string) {
    super(hErrno, message);
    this.code = undefined;
  }
}

/** A Promise-form call ended by its AbortSignal before the kernel answered. */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
  override get name(): string {
    return 'AbortError';
  }
}

/**
 * A Promise-form call ended because its socket was closed while the call
 * was pending: close() ends such calls before the fd number can be reused.
 */
export class SocketClosedError extends Error {
  readonly code = 'ERR_SOCKET_CLOSED';
  constructor(readonly syscall: string, readonly fd: number) {
    super(`${syscall} was pending on fd ${fd} when the socket was closed`);
  }
  override get name(): string {
    return 'SocketClosedError';
  }
}

type OSErrorClass = new (errno: number | undefined, strerror: string, syscall?: string) => OSError;

const byErrno = new Map<number, OSErrorClass>();
function map(names: string[], cls: OSErrorClass): void {
  for (const name of names) {
    const value = native.errno[name];
    if (value !== undefined) byErrno.set(value, cls);
  }
}
map(['EAGAIN', 'EALREADY', 'EINPROGRESS', 'EWOULDBLOCK'], BlockingIOError);
map(['ECHILD'], ChildProcessError);
map(['EPIPE', 'ESHUTDOWN'], BrokenPipeError);
map(['ECONNABORTED'], ConnectionAbortedError);
map(['ECONNREFUSED'], ConnectionRefusedError);
map(['ECONNRESET'], ConnectionResetError);
map(['EEXIST'], FileExistsError);
map(['ENOENT'], FileNotFoundError);
map(['EISDIR'], IsADirectoryError);
map(['ENOTDIR'], NotADirectoryError);
map(['EINTR'], InterruptedError);
map(['EACCES', 'EPERM'], PermissionError);
map(['ESRCH'], ProcessLookupError);
map(['ETIMEDOUT'], TimeoutError);

/** The errno's name as CPython's errno.errorcode has it, e.g. 'ECONNREFUSED'. */
export function errnoName(errno: number): string | undefined {
  return native.errorcode[errno];
}

let eaiNames: Map<number, string> | undefined;
function eaiName(code: number): string | undefined {
  if (eaiNames === undefined) {
    eaiNames = new Map();
    for (const [name, value] of Object.entries(native.constants)) {
      if (name.startsWith('EAI_')) eaiNames.set(value, name);
    }
  }
  return eaiNames.get(code);
}

/** The OSError subclass CPython raises for this errno, made for `syscall`. */
export function errorFromErrno(errno: number, syscall: string): OSError {
  const cls = byErrno.get(errno) ?? OSError;
  return new cls(errno, native.strerror(errno), syscall);
}

/** CPython's socket.timeout since 3.10: TimeoutError('timed out'), no errno. */
export function timedOut(): TimeoutError {
  return new TimeoutError(undefined, 'timed out');
}
