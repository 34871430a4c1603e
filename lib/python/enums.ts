// socket.AddressFamily and socket.SocketKind: CPython's IntEnums of the AF_*
// and SOCK_* constants (IntEnum._convert_ in Lib/socket.py). A member has
// Python's name and value; str() of it is its number, as in Python 3.11
// (IntEnum.__str__ is int.__str__), and repr() <AddressFamily.AF_INET: 2>.
//
// A socket's family and type are plain numbers here, so that
// `sock.family === AF_INET` holds (JavaScript has no == to overload for
// an object); AddressFamily(sock.family) is the member, for its name and
// repr (README, "Where sockcall differs from CPython").
import { inspect } from 'node:util';
import { binding } from '../binding';
import { pyRepr, pyStr } from '../repr';

export class IntEnumMember {
  constructor(readonly enumName: string, readonly name: string, readonly value: number) {
    Object.freeze(this);
  }
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return String(this.value);
  }
  [Symbol.toPrimitive](): number {
    return this.value;
  }
  [pyStr](): string {
    return String(this.value);
  }
  [pyRepr](): string {
    return `<${this.enumName}.${this.name}: ${this.value}>`;
  }
  [inspect.custom](): string {
    return this[pyRepr]();
  }
}

/**
 * A value the enum has no member for, as _intenum_converter leaves it: the
 * number, printed as a number by repr() and str() alike.
 */
class UnknownMember extends IntEnumMember {
  override [pyRepr](): string {
    return String(this.value);
  }
}

function makeEnum(enumName: string, prefix: string, exclude: string[] = []) {
  const byValue = new Map<number, IntEnumMember>();
  const byName: Record<string, IntEnumMember> = {};
  for (const [name, value] of Object.entries(binding.constants)) {
    if (!name.startsWith(prefix) || exclude.includes(name)) continue;
    // An alias (AF_LOCAL is AF_UNIX) names the first member of its value.
    const member = byValue.get(value) ?? new IntEnumMember(enumName, name, value);
    byValue.set(value, member);
    byName[name] = member;
  }
  /** The member of this value; a ValueError-like RangeError for a value that has none. */
  const lookup = (value: number): IntEnumMember => {
    const m = byValue.get(Number(value));
    if (m === undefined) throw new RangeError(`${value} is not a valid ${enumName}`);
    return m;
  };
  /** _intenum_converter(): the member of this value, or the value as a member of its own. */
  const convert = (value: number): IntEnumMember => byValue.get(value) ?? new UnknownMember(enumName, String(value), value);
  return Object.assign(lookup, byName, { members: [...new Set(byValue.values())], convert });
}

/** socket.AddressFamily: AddressFamily(2) is <AddressFamily.AF_INET: 2>; AddressFamily.AF_INET too. */
export const AddressFamily = makeEnum('AddressFamily', 'AF_');
/** socket.SocketKind: SocketKind(1) is <SocketKind.SOCK_STREAM: 1>. */
export const SocketKind = makeEnum('SocketKind', 'SOCK_');
/**
 * socket.MsgFlag and socket.AddressInfo: IntFlags in CPython. Their members
 * are here; a combination of them (MSG_PEEK|MSG_OOB) is a plain number.
 */
export const MsgFlag = makeEnum('MsgFlag', 'MSG_');
export const AddressInfo = makeEnum('AddressInfo', 'AI_');
