// Python's built-ins that a ported program needs beside the socket module,
// so that it prints what its original prints: repr() and print() of the
// values the facade returns, and the built-in exceptions a port raises,
// whose uncaught report ends with Python's last line (lib/traceback.ts).
//
//   import { print, repr, RuntimeError } from 'sockcall/builtins';
//
// (lib/repr.ts says how JavaScript values stand for Python's.)
import { BaseException, Exception, OSError } from '../errors';
import { list, repr, str } from '../repr';

export { BaseException, Exception, list, repr, str };

/** Python's print(*values, sep=' ', end='\n'), to stdout. */
export function print(...values: unknown[]): void {
  process.stdout.write(values.map(str).join(' ') + '\n');
}

export class KeyboardInterrupt extends BaseException {}
export class SystemExit extends BaseException {}
export class RuntimeError extends Exception {}
export class NotImplementedError extends RuntimeError {}
export class EOFError extends Exception {}
export class ValueError extends Exception {}
export class UnicodeError extends ValueError {}
export class LookupError extends Exception {}
export class IndexError extends LookupError {}
/** KeyError's message is the key's repr, as Python reports it (KeyError: 'x'). */
export class KeyError extends LookupError {
  constructor(...args: unknown[]) {
    super(...args);
    if (args.length === 1) this.message = repr(args[0]);
  }
}
export class ArithmeticError extends Exception {}
export class OverflowError extends ArithmeticError {}
export class ZeroDivisionError extends ArithmeticError {}
export class AssertionError extends Exception {}
export class StopIteration extends Exception {}
/**
 * io.UnsupportedOperation: what a file object raises for an operation it
 * does not have (fileno() of an in-memory file). CPython's derives from
 * OSError and ValueError; here from OSError. socket.sendfile() falls back
 * to send() on it, as Lib/socket.py does.
 */
export class UnsupportedOperation extends OSError {
  constructor(message: string) {
    super(undefined, message);
  }
}

/** ExceptionGroup(message, exceptions), as create_connection(all_errors=True) raises it. */
export class ExceptionGroup extends Exception {
  readonly exceptions: readonly BaseException[];
  constructor(message: string, exceptions: BaseException[]) {
    super(message, exceptions);
    this.exceptions = Object.freeze([...exceptions]);
    // str() of an ExceptionGroup: "message (N sub-exceptions)".
    this.message = `${message} (${exceptions.length} sub-exception${exceptions.length === 1 ? '' : 's'})`;
  }
}
