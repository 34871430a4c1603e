// The codecs a TextIOWrapper of makefile()'s can use: UTF-8, Latin-1 and
// ASCII, with Python's names for them (Lib/encodings/aliases.py), Python's
// error handlers, and the errors Python raises, so that a text-mode file
// decodes and encodes what its Python original does and fails where it fails.
//
// Decoding is incremental, as TextIOWrapper's decoder is
// (codecs.BufferedIncrementalDecoder): bytes that may begin a character
// are held until the next chunk, and an error names the held bytes and the
// new ones together, as CPython's does.
import { existsSync } from 'node:fs';
import { LookupError, UnicodeDecodeError, UnicodeEncodeError } from './builtins';

export interface IncrementalDecoder {
  decode(input: Uint8Array, final: boolean): string;
  reset(): void;
}

export interface Codec {
  /** The codec's own name, as its errors give it ('utf-8', 'latin-1', 'ascii'). */
  readonly name: string;
  decoder(errors: string): IncrementalDecoder;
  encode(text: string, errors: string): Buffer;
}

// encodings.normalize_encoding(): lower case, and each run of characters
// other than letters, digits and '.' becomes one '_'.
function normalize(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9.]+/g, '_').replace(/^_|_$/g, '');
}

// Lib/encodings/aliases.py's aliases of the three codecs.
const ALIASES: Record<string, 'utf_8' | 'latin_1' | 'ascii'> = {};
for (const a of ['utf_8', 'u8', 'utf', 'utf8', 'utf8_ucs2', 'utf8_ucs4', 'cp65001']) ALIASES[a] = 'utf_8';
for (const a of ['latin_1', '8859', 'cp819', 'csisolatin1', 'ibm819', 'iso8859', 'iso8859_1', 'iso_8859_1',
  'iso_8859_1_1987', 'iso_ir_100', 'l1', 'latin', 'latin1']) ALIASES[a] = 'latin_1';
for (const a of ['ascii', '646', 'ansi_x3.4_1968', 'ansi_x3_4_1968', 'ansi_x3.4_1986', 'cp367', 'csascii', 'ibm367',
  'iso646_us', 'iso_646.irv_1991', 'iso_ir_6', 'us', 'us_ascii']) ALIASES[a] = 'ascii';

/** codecs.lookup(): the codec of an encoding name, or LookupError('unknown encoding: NAME'). */
export function lookup(encoding: string): Codec {
  switch (ALIASES[normalize(encoding)]) {
    case 'utf_8': return UTF8;
    case 'latin_1': return LATIN1;
    case 'ascii': return ASCII;
    default: throw new LookupError(`unknown encoding: ${encoding}`);
  }
}

/**
 * io.text_encoding(None) then TextIOWrapper's "locale": 'utf-8' in
 * Python's UTF-8 mode (PYTHONUTF8=1, or an LC_CTYPE locale of C or POSIX,
 * PEP 540), otherwise nl_langinfo(CODESET) of the environment's locale.
 * Read from the environment as glibc's setlocale(LC_CTYPE, "") would, for
 * the locales a system has: C.UTF-8 always, others when
 * /usr/lib/locale has them (a locale that is not installed leaves C, so
 * UTF-8 mode). An approximation: CPython asks the C library.
 */
export function localeEncoding(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PYTHONUTF8 === '1') return 'utf-8';
  const name = env.LC_ALL || env.LC_CTYPE || env.LANG || 'C';
  const codeset = /^[^.@]*\.([^@]+)/.exec(name)?.[1];
  const installed = /^C\.utf-?8$/i.test(name) || (name !== 'C' && name !== 'POSIX' && localeInstalled(name));
  if (!installed) {
    // PEP 538: with UTF-8 mode off, CPython coerces the C locale to C.UTF-8.
    return env.PYTHONUTF8 === '0' ? 'UTF-8' : 'utf-8';
  }
  if (codeset === undefined) return 'ISO-8859-1';
  return /^utf-?8$/i.test(codeset) ? 'UTF-8' : codeset;
}

function localeInstalled(name: string): boolean {
  // glibc's directory names write the codeset in lower case without '-' (en_US.utf8).
  const dir = name.replace(/\.([^@]+)/, (_m, cs: string) => '.' + cs.toLowerCase().replace(/-/g, ''));
  return existsSync(`/usr/lib/locale/${dir}`) || existsSync(`/usr/lib/locale/${name}`);
}

const unknownHandler = (errors: string) => new LookupError(`unknown error handler name '${errors}'`);

// A decoding error's replacement under a handler (Python/codecs.c), or the
// error raised: strict raises, replace is U+FFFD, ignore drops the bytes,
// surrogateescape makes each byte U+DC80+byte, backslashreplace \xNN.
function decodeError(errors: string, err: UnicodeDecodeError): string {
  const bytes = err.object.subarray(err.start, err.end);
  switch (errors) {
    case 'strict': throw err;
    case 'replace': return '\ufffd';
    case 'ignore': return '';
    case 'surrogateescape':
      if (bytes.some((b) => b < 0x80)) throw err;
      return String.fromCharCode(...[...bytes].map((b) => 0xdc00 + b));
    case 'backslashreplace': return [...bytes].map((b) => '\\x' + b.toString(16).padStart(2, '0')).join('');
    default: throw unknownHandler(errors);
  }
}

// An encoding error's replacement for the code points [start, end).
function encodeError(errors: string, err: UnicodeEncodeError, chars: string[]): string | Buffer {
  const run = chars.slice(err.start, err.end);
  switch (errors) {
    case 'strict': throw err;
    case 'replace': return '?'.repeat(run.length);
    case 'ignore': return '';
    case 'surrogateescape': {
      const codes = run.map((c) => c.codePointAt(0)!);
      if (codes.some((c) => c < 0xdc80 || c > 0xdcff)) throw err;
      return Buffer.from(codes.map((c) => c - 0xdc00));
    }
    case 'backslashreplace': return run.map((c) => {
      const n = c.codePointAt(0)!;
      return n < 0x100 ? '\\x' + n.toString(16).padStart(2, '0') : n < 0x10000 ? '\\u' + n.toString(16).padStart(4, '0')
        : '\\U' + n.toString(16).padStart(8, '0');
    }).join('');
    case 'xmlcharrefreplace': return run.map((c) => `&#${c.codePointAt(0)!};`).join('');
    default: throw unknownHandler(errors);
  }
}

// An encoder of the code points a charmap-like codec can take (`ok`), the
// others handed, in runs, to the error handler (as unicode_encode_ucs1 does).
function encodeWith(name: string, text: string, errors: string, ok: (c: number) => boolean, reason: string,
  fast: (s: string) => Buffer): Buffer {
  const chars = [...text];
  if (chars.every((c) => ok(c.codePointAt(0)!))) return fast(text);
  const out: Buffer[] = [];
  let i = 0;
  while (i < chars.length) {
    let j = i;
    while (j < chars.length && ok(chars[j].codePointAt(0)!)) j++;
    if (j > i) out.push(fast(chars.slice(i, j).join('')));
    if (j === chars.length) break;
    let k = j;
    while (k < chars.length && !ok(chars[k].codePointAt(0)!)) k++;
    const r = encodeError(errors, new UnicodeEncodeError(name, text, j, k, reason), chars);
    // A replacement is encoded again, and must be encodable (the handlers here give ASCII).
    out.push(typeof r === 'string' ? fast(r) : r);
    i = k;
  }
  return Buffer.concat(out);
}

// UTF-8's well-formed sequences (Unicode 3.9, table 3-7): the bytes a lead
// byte may be followed by. CPython's decoder reports an error over the
// longest prefix of a sequence that could still be well formed.
function scanUtf8(data: Uint8Array, from: number):
  { end: number; kind: 'ok' | 'incomplete' | 'invalid'; errEnd: number; reason: string } {
  const n = data.length;
  let i = from;
  while (i < n) {
    const b = data[i];
    if (b < 0x80) { i++; continue; }
    if (b < 0xc2 || b > 0xf4) return { end: i, kind: 'invalid', errEnd: i + 1, reason: 'invalid start byte' };
    const need = b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return { end: i, kind: 'incomplete', errEnd: n, reason: 'unexpected end of data' };
      const c = data[i + k];
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) {
        return { end: i, kind: 'invalid', errEnd: i + k, reason: 'invalid continuation byte' };
      }
    }
    i += need + 1;
  }
  return { end: n, kind: 'ok', errEnd: n, reason: '' };
}

class Utf8Decoder implements IncrementalDecoder {
  #pending: Buffer = Buffer.alloc(0);
  constructor(readonly errors: string) {}

  decode(input: Uint8Array, final: boolean): string {
    const data = this.#pending.length > 0 ? Buffer.concat([this.#pending, input]) : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    this.#pending = Buffer.alloc(0);
    let out = '';
    let i = 0;
    for (;;) {
      const r = scanUtf8(data, i);
      out += data.toString('utf8', i, r.end);
      if (r.kind === 'ok') break;
      if (r.kind === 'incomplete' && !final) {
        this.#pending = Buffer.from(data.subarray(r.end));
        break;
      }
      out += decodeError(this.errors, new UnicodeDecodeError('utf-8', Buffer.from(data), r.end, r.errEnd, r.reason));
      i = r.errEnd;
    }
    return out;
  }

  reset(): void {
    this.#pending = Buffer.alloc(0);
  }
}

class SingleByteDecoder implements IncrementalDecoder {
  constructor(readonly name: string, readonly errors: string, readonly limit: number) {}

  decode(input: Uint8Array, _final: boolean): string {
    const data = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (this.limit === 0x100) return data.toString('latin1');
    let out = '';
    let i = 0;
    while (i < data.length) {
      let j = i;
      while (j < data.length && data[j] < 0x80) j++;
      out += data.toString('latin1', i, j);
      if (j === data.length) break;
      out += decodeError(this.errors, new UnicodeDecodeError(this.name, Buffer.from(data), j, j + 1, 'ordinal not in range(128)'));
      i = j + 1;
    }
    return out;
  }

  reset(): void {}
}

// A lone surrogate, which UTF-8 cannot carry ('surrogates not allowed').
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const UTF8: Codec = {
  name: 'utf-8',
  decoder: (errors) => new Utf8Decoder(errors),
  encode: (text, errors) => LONE_SURROGATE.test(text)
    ? encodeWith('utf-8', text, errors, (c) => c < 0xd800 || c > 0xdfff, 'surrogates not allowed', (s) => Buffer.from(s, 'utf8'))
    : Buffer.from(text, 'utf8'),
};

const LATIN1: Codec = {
  name: 'latin-1',
  decoder: (errors) => new SingleByteDecoder('latin-1', errors, 0x100),
  encode: (text, errors) => encodeWith('latin-1', text, errors, (c) => c < 0x100, 'ordinal not in range(256)', (s) => Buffer.from(s, 'latin1')),
};

const ASCII: Codec = {
  name: 'ascii',
  decoder: (errors) => new SingleByteDecoder('ascii', errors, 0x80),
  encode: (text, errors) => encodeWith('ascii', text, errors, (c) => c < 0x80, 'ordinal not in range(128)', (s) => Buffer.from(s, 'latin1')),
};

// Lib/codecs.py's IncrementalNewlineDecoder (Modules/_io/textio.c): the
// universal newlines of a TextIOWrapper whose newline is None (translate:
// \r\n and \r become \n) or '' (kept, but found). A trailing \r is held
// until the next chunk, so that a \r\n is never split between two.
export class NewlineDecoder implements IncrementalDecoder {
  #pendingcr = false;
  #seennl = 0;
  constructor(readonly decoder: IncrementalDecoder, readonly translate: boolean) {}

  decode(input: Uint8Array, final: boolean): string {
    let output = this.decoder.decode(input, final);
    if (this.#pendingcr && (output.length > 0 || final)) {
      output = '\r' + output;
      this.#pendingcr = false;
    }
    if (output.endsWith('\r') && !final) {
      output = output.slice(0, -1);
      this.#pendingcr = true;
    }
    const crlf = count(output, '\r\n');
    const cr = count(output, '\r') - crlf;
    const lf = count(output, '\n') - crlf;
    this.#seennl |= (lf ? 1 : 0) | (cr ? 2 : 0) | (crlf ? 4 : 0);
    if (this.translate) {
      if (crlf) output = output.replaceAll('\r\n', '\n');
      if (cr) output = output.replaceAll('\r', '\n');
    }
    return output;
  }

  reset(): void {
    this.#seennl = 0;
    this.#pendingcr = false;
    this.decoder.reset();
  }

  /** The newlines seen so far: null, one of them, or those seen, in the order \r, \n, \r\n. */
  get newlines(): string | string[] | null {
    return ([null, '\n', '\r', ['\r', '\n'], '\r\n', ['\n', '\r\n'], ['\r', '\r\n'], ['\r', '\n', '\r\n']] as const)[this.#seennl] as
      string | string[] | null;
  }
}

function count(s: string, sub: string): number {
  let n = 0;
  for (let i = s.indexOf(sub); i !== -1; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}
