// Python's repr() and str() of the values sockcall gives, for its
// exceptions' messages (errors.ts) and for ported programs' output
// (sockcall/builtins). A JavaScript array stands for a Python tuple (the
// facade's addresses and results are tuples), list() marks one that is a
// Python list, a Buffer or Uint8Array is bytes, null and undefined are None.

class PyList {
  constructor(readonly items: unknown[]) {}
}

/** Marks an array as a Python list, for repr(): [1, 2] rather than (1, 2). */
export function list(items: Iterable<unknown>): PyList {
  return new PyList([...items]);
}

// Objects/unicodeobject.c's unicode_repr: single quotes unless the string
// holds a single quote and no double one; \\, the quote, \t \n \r and the
// other non-printable characters escaped (\xNN, \uNNNN, \UNNNNNNNN).
function reprStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c >= 0x80 && c < 0xa0) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

// Objects/bytesobject.c's PyBytes_Repr: b'...', the same quote rule, \t \n
// \r, and \xNN for anything outside printable ASCII.
function reprBytes(b: Uint8Array): string {
  const quote = b.includes(0x27) && !b.includes(0x22) ? '"' : "'";
  let out = 'b' + quote;
  for (const c of b) {
    const ch = String.fromCharCode(c);
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

// float_repr: the shortest string that reads back the same, as JavaScript's
// own; Python writes an integral float with ".0" and the exponent with two
// digits at least (1e+16, 1e-05).
function reprNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Python's repr() of a value as the facade gives it. */
export function repr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return reprNumber(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return reprStr(v);
  if (v instanceof Uint8Array) return reprBytes(v);
  if (v instanceof PyList) return '[' + v.items.map(repr).join(', ') + ']';
  if (Array.isArray(v)) return v.length === 1 ? `(${repr(v[0])},)` : '(' + v.map(repr).join(', ') + ')';
  if (v instanceof Error) {
    const args = (v as { args?: unknown[] }).args ?? (v.message === '' ? [] : [v.message]);
    return `${v.name}(${args.map(repr).join(', ')})`;
  }
  if (typeof v === 'object' && typeof (v as { [pyRepr]?: unknown })[pyRepr] === 'function') {
    return (v as { [pyRepr]: () => string })[pyRepr]();
  }
  return String(v);
}

/**
 * Python's str(): a string as it is, an exception its message, an object
 * with a __str__ of its own (pyStr) that, anything else its repr.
 */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error && (v as { args?: unknown }).args !== undefined) return v.message;
  if (typeof v === 'object' && v !== null && typeof (v as { [pyStr]?: unknown })[pyStr] === 'function') {
    return (v as { [pyStr]: () => string })[pyStr]();
  }
  return repr(v);
}


/**
 * An object's own repr(), as Python's __repr__: the facade's socket, its
 * enums and its files implement it, and repr() uses it.
 */
export const pyRepr: unique symbol = Symbol.for('sockcall.repr') as never;
/** An object's own str(), as Python's __str__ (an IntEnum member's is its number). */
export const pyStr: unique symbol = Symbol.for('sockcall.str') as never;
