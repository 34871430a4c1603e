// Python's built-ins that a ported program needs beside the socket module,
// so that it prints what its original prints: repr() and print() of the
// values the facade returns, and the built-in exceptions a port raises,
// whose uncaught report ends with Python's last line (lib/traceback.ts).
//
//   import { print, repr, RuntimeError } from 'sockcall/builtins';
//
// (lib/repr.ts says how JavaScript values stand for Python's.)
import { BaseException, Exception } from '../errors';
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
/**
 * An error that Python's class tree makes a ValueError as well as what it
 * is: io.UnsupportedOperation is both an OSError and a ValueError
 * (Modules/_io/_iomodule.c), and JavaScript has one parent per class.
 */
export const alsoValueError: unique symbol = Symbol.for('sockcall.alsoValueError') as never;

export class ValueError extends Exception {
  static override [Symbol.hasInstance](v: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, v)) return true;
    return this === ValueError && typeof v === 'object' && v !== null && (v as { [alsoValueError]?: boolean })[alsoValueError] === true;
  }
}
export class UnicodeError extends ValueError {}

// Objects/exceptions.c's UnicodeDecodeError_str: one byte, or a range of them.
export class UnicodeDecodeError extends UnicodeError {
  constructor(readonly encoding: string, readonly object: Buffer, readonly start: number, readonly end: number,
    readonly reason: string) {
    super(encoding, object, start, end, reason);
    this.message = end === start + 1
      ? `'${encoding}' codec can't decode byte 0x${object[start].toString(16).padStart(2, '0')} in position ${start}: ${reason}`
      : `'${encoding}' codec can't decode bytes in position ${start}-${end - 1}: ${reason}`;
  }
}

// UnicodeEncodeError_str: positions count code points, as Python's str does.
export class UnicodeEncodeError extends UnicodeError {
  constructor(readonly encoding: string, readonly object: string, readonly start: number, readonly end: number,
    readonly reason: string) {
    super(encoding, object, start, end, reason);
    if (end === start + 1) {
      const c = [...object][start].codePointAt(0)!;
      const ch = c < 0x100 ? `\\x${c.toString(16).padStart(2, '0')}` : c < 0x10000 ? `\\u${c.toString(16).padStart(4, '0')}`
        : `\\U${c.toString(16).padStart(8, '0')}`;
      this.message = `'${encoding}' codec can't encode character '${ch}' in position ${start}: ${reason}`;
    } else {
      this.message = `'${encoding}' codec can't encode characters in position ${start}-${end - 1}: ${reason}`;
    }
  }
}
export class LookupError extends Exception {}
export class AttributeError extends Exception {}
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
