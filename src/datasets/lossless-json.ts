// Lossless JSON for cells: integers beyond ±(2^53−1) survive parse → store → read → export, -0.0 stays -0.0, and
// syntax errors carry Python's json module wording and code-point offsets (what FastAPI reports as json_invalid).

/** An integer too large for a JS number, kept as its exact decimal text. */
export class LosslessNumber {
  constructor(readonly text: string) {}
  /** Fallback for code that serialises with JSON.stringify: the nearest number (stringifyLossless keeps the text). */
  toJSON(): number {
    return Number(this.text);
  }
  toString(): string {
    return this.text;
  }
}

/**
 * The value of one JSON number literal: an integer a JS number cannot hold exactly stays a LosslessNumber, every
 * other number is a JS number (`integer`: the literal has no fraction and no exponent).
 */
export function numberFromJsonText(text: string, integer = /^-?\d+$/.test(text)): number | LosslessNumber {
  if (!integer) return Number(text);
  const n = Number(text);
  if (Number.isSafeInteger(n)) return n === 0 ? 0 : n; // Python's int has no -0
  return new LosslessNumber(text.replace(/^(-?)0+(?=\d)/, '$1'));
}

/** A syntax error at a code-point offset, with the message Python's json.loads gives for it. */
export class JsonSyntaxError extends Error {
  constructor(
    msg: string,
    readonly pos: number,
  ) {
    super(msg);
    this.name = 'JsonSyntaxError';
  }
}

/** Only text with a run of 16+ digits can hold an integer a JS number cannot; everything else takes the native path. */
const MAYBE_BIG = /\d{16}/;

/**
 * Parses JSON as Python's json.loads does: NaN, Infinity and -Infinity are accepted (as the JS numbers), big integers
 * become LosslessNumber, and an error reports Python's message and position. JSON.parse does the work when it can.
 */
export function parseLossless(text: string): unknown {
  let native: unknown;
  try {
    native = JSON.parse(text);
  } catch {
    return new PythonJsonParser(text).parseDocument();
  }
  return MAYBE_BIG.test(text) ? new PythonJsonParser(text).parseDocument() : native;
}

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class PythonJsonParser {
  private i = 0;
  constructor(private readonly s: string) {}

  /** Python counts characters (code points); JS indexes UTF-16 units. */
  private fail(msg: string, at: number): never {
    let pos = 0;
    for (let k = 0; k < at && k < this.s.length; k++) {
      const c = this.s.charCodeAt(k);
      if (c >= 0xd800 && c <= 0xdbff && k + 1 < this.s.length) {
        const d = this.s.charCodeAt(k + 1);
        if (d >= 0xdc00 && d <= 0xdfff) k++;
      }
      pos++;
    }
    throw new JsonSyntaxError(msg, pos);
  }

  private ws(): void {
    while (this.i < this.s.length && WS.has(this.s[this.i])) this.i++;
  }

  parseDocument(): unknown {
    if (this.s.charCodeAt(0) === 0xfeff) this.fail('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);
    this.ws();
    let value: unknown;
    try {
      value = this.value();
    } catch (err) {
      if (err instanceof RangeError) this.fail('Nested too deeply', this.i);
      throw err;
    }
    this.ws();
    if (this.i !== this.s.length) this.fail('Extra data', this.i);
    return value;
  }

  private value(): unknown {
    const s = this.s;
    const c = s[this.i];
    if (c === '"') return this.string();
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === 'n' && s.startsWith('null', this.i)) return ((this.i += 4), null);
    if (c === 't' && s.startsWith('true', this.i)) return ((this.i += 4), true);
    if (c === 'f' && s.startsWith('false', this.i)) return ((this.i += 5), false);
    if (c === 'N' && s.startsWith('NaN', this.i)) return ((this.i += 3), NaN);
    if (c === 'I' && s.startsWith('Infinity', this.i)) return ((this.i += 8), Infinity);
    if (c === '-' && s.startsWith('-Infinity', this.i)) return ((this.i += 9), -Infinity);
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(s);
    if (!m) this.fail('Expecting value', this.i);
    this.i += m[0].length;
    return numberFromJsonText(m[0], m[1] === undefined && m[2] === undefined);
  }

  private string(): string {
    const s = this.s;
    const start = this.i;
    this.i++;
    let out = '';
    let chunk = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail('Unterminated string starting at', start);
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(chunk, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail('Invalid control character at', this.i);
      if (c === 0x5c) {
        out += s.slice(chunk, this.i);
        const e = s[this.i + 1];
        if (e === undefined) this.fail('Unterminated string starting at', start);
        if (e === 'u') {
          const hex = s.slice(this.i + 2, this.i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\uXXXX escape', this.i + 1);
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 6;
        } else {
          const r = ESCAPES[e];
          if (r === undefined) this.fail('Invalid \\escape', this.i);
          out += r;
          this.i += 2;
        }
        chunk = this.i;
        continue;
      }
      this.i++;
    }
  }

  private object(): Record<string, unknown> {
    const s = this.s;
    const o: Record<string, unknown> = {};
    this.i++;
    this.ws();
    if (s[this.i] === '}') return (this.i++, o);
    for (;;) {
      if (s[this.i] !== '"') this.fail('Expecting property name enclosed in double quotes', this.i);
      const key = this.string();
      this.ws();
      if (s[this.i] !== ':') this.fail("Expecting ':' delimiter", this.i);
      this.i++;
      this.ws();
      const v = this.value();
      // defineProperty: "__proto__" is an ordinary key here, as in JSON.parse.
      Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      if (s[this.i] === '}') return (this.i++, o);
      if (s[this.i] !== ',') this.fail("Expecting ',' delimiter", this.i);
      this.i++;
      this.ws();
    }
  }

  private array(): unknown[] {
    const s = this.s;
    const a: unknown[] = [];
    this.i++;
    this.ws();
    if (s[this.i] === ']') return (this.i++, a);
    for (;;) {
      a.push(this.value());
      this.ws();
      if (s[this.i] === ']') return (this.i++, a);
      if (s[this.i] !== ',') this.fail("Expecting ',' delimiter", this.i);
      this.i++;
      this.ws();
    }
  }
}

/**
 * JSON.stringify that writes LosslessNumber as its exact digits and -0 as -0.0 (so a float column's negative zero
 * survives). Non-finite numbers never reach storage (the cell checks refuse them); here they become null as in JSON.
 */
export function stringifyLossless(value: unknown): string {
  if (!needsLossless(value)) return JSON.stringify(value) ?? 'null';
  return write(value);
}

function needsLossless(v: unknown): boolean {
  if (v instanceof LosslessNumber) return true;
  if (typeof v === 'number') return Object.is(v, -0);
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(needsLossless);
  for (const k in v) if (needsLossless((v as Record<string, unknown>)[k])) return true;
  return false;
}

function write(v: unknown): string {
  if (v instanceof LosslessNumber) return v.text;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0.0' : Number.isFinite(v) ? String(v) : 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : write(x))).join(',')}]`;
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) if (x !== undefined) parts.push(`${JSON.stringify(k)}:${write(x)}`);
  return `{${parts.join(',')}}`;
}

/** Parses a stored cell array; the lossless parser runs only when a big integer could be inside. */
export function parseStoredCells(text: string): unknown[] {
  return (MAYBE_BIG.test(text) ? new PythonJsonParser(text).parseDocument() : JSON.parse(text)) as unknown[];
}
