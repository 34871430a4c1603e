// Python's repr() for the values the facade returns, so that a twin's
// stdout can be compared with its Python original's: a JS array prints as a
// tuple, list() marks one that Python has as a list, a Buffer prints as bytes,
// null as None, an OSError as Python's repr of the exception.

class List { constructor(readonly items: unknown[]) {} }
export const list = (items: unknown[]): List => new List(items);

function str(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

function bytes(b: Uint8Array): string {
  const has = (c: number) => b.includes(c);
  const quote = has(0x27) && !has(0x22) ? '"' : "'";
  let out = 'b' + quote;
  for (const c of b) {
    const ch = String.fromCharCode(c);
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

export function repr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return str(v);
  if (v instanceof Uint8Array) return bytes(v);
  if (v instanceof List) return '[' + v.items.map(repr).join(', ') + ']';
  if (Array.isArray(v)) return v.length === 1 ? `(${repr(v[0])},)` : '(' + v.map(repr).join(', ') + ')';
  if (v instanceof Error) {
    const args = (v as { args?: unknown[] }).args ?? [v.message];
    return `${v.name}(${args.map(repr).join(', ')})`;
  }
  return String(v);
}

export function print(...values: unknown[]): void {
  process.stdout.write(values.map((v) => (typeof v === 'string' ? v : repr(v))).join(' ') + '\n');
}
