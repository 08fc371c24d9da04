// Streams a JSON upload body to disk: the base64 file field is decoded chunk by chunk into a temporary file,
// so a 100 MB upload never sits in memory as a 134 MB string, a parsed copy and a decoded buffer at once. The body is
// scanned byte by byte only to find where the file's string starts and ends (its content is searched for a quote or a
// backslash with Buffer.indexOf, never tokenised); the rest of the body, a few hundred bytes, is parsed with JSON.parse.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ValidationError } from '../errors.js';

export interface SpooledFile {
  /** Temporary file holding the decoded bytes; the caller deletes it. */
  path: string;
  size: number;
}

export interface SpoolResult {
  /** The other top-level fields, with the file field replaced by a short placeholder string. */
  body: Record<string, unknown>;
  file?: SpooledFile;
}

const BASE64_CHARS = /[^A-Za-z0-9+/=_-]/;

/** Decodes base64 arriving in arbitrary pieces; checks characters, padding and the decoded size as it goes. */
class Base64Decoder {
  private carry = '';
  private padded = false;
  size = 0;

  constructor(
    private readonly field: string,
    private readonly maxBytes: number,
  ) {}

  push(piece: string): Buffer {
    const text = /[\r\n]/.test(piece) ? piece.replace(/[\r\n]/g, '') : piece;
    const bad = BASE64_CHARS.exec(text);
    if (bad) throw new ValidationError(`${this.field} is not valid base64: unexpected character "${bad[0]}"`);
    // More '=' may follow in the next piece ("QQ=" then "="); end() checks the group is whole.
    if (this.padded && !/^=*$/.test(text))
      throw new ValidationError(`${this.field} is not valid base64: data after padding`);
    const all = this.carry + text;
    const eq = all.indexOf('=');
    if (eq !== -1) {
      if (!/^=*$/.test(all.slice(eq))) throw new ValidationError(`${this.field} is not valid base64: bad padding`);
      this.padded = true;
    }
    const usable = all.length - (all.length % 4);
    this.carry = all.slice(usable);
    const out = Buffer.from(all.slice(0, usable), 'base64');
    this.size += out.length;
    if (this.size > this.maxBytes) {
      throw new ValidationError(
        `file too large: more than ${this.maxBytes} bytes after decoding; the limit is ${this.maxBytes} bytes`,
      );
    }
    return out;
  }

  end(): void {
    const rest = this.carry.replace(/=+$/, '');
    if (rest.length % 4 === 1 || (this.padded && this.carry.length !== 0))
      throw new ValidationError(`${this.field} is not valid base64: bad length or padding`);
    if (rest.length > 0) this.size += Buffer.from(rest, 'base64').length;
    if (this.size > this.maxBytes)
      throw new ValidationError(
        `file too large: ${this.size} bytes after decoding; the limit is ${this.maxBytes} bytes`,
      );
  }

  tail(): Buffer {
    return Buffer.from(this.carry.replace(/=+$/, ''), 'base64');
  }

  /** Characters waiting for the rest of their group of four; -1 once padding has been seen. */
  get carried(): number {
    return this.padded ? -1 : this.carry.length;
  }

  /** Counts bytes decoded outside push (decodeRun's aligned runs) against the limit. */
  count(bytes: number): void {
    this.size += bytes;
    if (this.size > this.maxBytes) {
      throw new ValidationError(
        `file too large: more than ${this.maxBytes} bytes after decoding; the limit is ${this.maxBytes} bytes`,
      );
    }
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Decodes a run of base64 characters. The bulk goes to Node's decoder alone: it skips characters it does not know, so
 * a run of 4k characters without padding that decodes to exactly 3k bytes held none. The rest (a group completing the
 * previous run's carry, the last 0-3 characters, padding, a bad character) goes through Base64Decoder.push, which
 * checks character by character and names the problem.
 */
function decodeRun(decoder: Base64Decoder, text: string): Buffer {
  const carried = decoder.carried;
  if (carried === -1 || text.indexOf('=') !== -1) return checkedPush(decoder, text);
  const from = carried === 0 ? 0 : Math.min(text.length, 4 - carried);
  const usable = text.length - ((text.length - from) % 4);
  if (usable - from < 4) return checkedPush(decoder, text);
  const parts: Buffer[] = [];
  if (from > 0) parts.push(checkedPush(decoder, text.slice(0, from)));
  const bulk = Buffer.from(text.slice(from, usable), 'base64');
  if (bulk.length !== ((usable - from) / 4) * 3) parts.push(checkedPush(decoder, text.slice(from, usable)));
  else {
    decoder.count(bulk.length);
    parts.push(bulk);
  }
  if (usable < text.length) parts.push(checkedPush(decoder, text.slice(usable)));
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** The careful path; raw control characters are refused first, as any JSON parser refuses them inside a string. */
function checkedPush(decoder: Base64Decoder, text: string): Buffer {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(text))
    throw new ValidationError('request body is not valid JSON: a control character inside a string');
  return decoder.push(text);
}

/**
 * Parses a JSON object body from `input`. The value of top-level `field` (a string) is decoded from base64 into a
 * file under `tmpDir`; every other top-level value is kept (nested objects and arrays included). Throws
 * ValidationError on bad JSON, bad base64 or an oversized file, after removing the temporary file.
 */
export async function spoolJsonUpload(
  input: Readable,
  opts: { field: string; maxBytes: number; maxBodyBytes: number; tmpDir: string },
): Promise<SpoolResult> {
  await fsp.mkdir(opts.tmpDir, { recursive: true });
  const tmpPath = path.join(opts.tmpDir, `upload-${randomUUID()}.part`);
  let out: fs.WriteStream | undefined;
  let decoder: Base64Decoder | undefined;
  let received = 0;
  const write = async (buf: Buffer) => {
    if (buf.length === 0 || !out) return;
    if (!out.write(buf)) await once(out, 'drain'); // rejects if the file stream fails
  };

  // The body without the file's characters: `"field":""` stands where the file was. Parsed at the end.
  const rest: Buffer[] = [];
  // Structure outside the file, enough to know when a top-level key's string value starts.
  let depth = 0;
  let inString = false;
  let escaped = false;
  let inKey = false; // inside a top-level key's string
  let key: number[] = []; // its raw bytes, quotes included
  let lastKey: string | undefined;
  let expectValue = false; // after a top-level ':' and before the value's first byte
  // Inside the file's string: an escape sequence being collected (`\n`, `\/`, `\u0041`...), or undefined.
  let inFile = false;
  let escape: number[] | undefined;

  const startFile = () => {
    if (out) throw new ValidationError(`${opts.field} appears twice`);
    inFile = true;
    decoder = new Base64Decoder(opts.field, opts.maxBytes);
    out = fs.createWriteStream(tmpPath);
    out.on('error', () => undefined); // surfaced through write()/end(); never an unhandled 'error' event
  };

  /** Consumes file characters from `chunk` at `from`; returns where the file's string ended (its quote), or -1. */
  const fileBytes = async (chunk: Buffer, from: number): Promise<number> => {
    let i = from;
    while (i < chunk.length) {
      if (escape) {
        escape.push(chunk[i++]);
        const done = escape.length === 2 ? escape[1] !== 0x75 /* u */ : escape.length === 6;
        if (!done) continue;
        let ch: string;
        try {
          ch = JSON.parse(`"${Buffer.from(escape).toString('latin1')}"`) as string;
        } catch {
          throw new ValidationError('request body is not valid JSON: a bad escape inside a string');
        }
        escape = undefined;
        // Line breaks in wrapped base64 arrive escaped; the decoder skips them.
        if (ch !== '\n' && ch !== '\r') await write(decoder!.push(ch));
        continue;
      }
      const quote = chunk.indexOf(QUOTE, i);
      const slash = chunk.indexOf(BACKSLASH, i);
      const stop = slash !== -1 && (quote === -1 || slash < quote) ? slash : quote;
      const end = stop === -1 ? chunk.length : stop;
      if (end > i) await write(decodeRun(decoder!, chunk.toString('latin1', i, end)));
      if (stop === -1) return -1;
      if (stop === quote) {
        decoder!.end();
        await write(decoder!.tail());
        inFile = false;
        return quote;
      }
      escape = [BACKSLASH];
      i = slash + 1;
    }
    return -1;
  };

  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let i = 0;
      let keepFrom = 0; // start of the bytes of this chunk that belong to `rest`
      while (i < chunk.length) {
        if (inFile) {
          const quote = await fileBytes(chunk, i);
          if (quote === -1) {
            keepFrom = chunk.length;
            break;
          }
          keepFrom = quote; // the closing quote is kept: `""`
          i = quote + 1;
          continue;
        }
        const b = chunk[i];
        if (inString) {
          if (inKey) key.push(b);
          if (escaped) escaped = false;
          else if (b === BACKSLASH) escaped = true;
          else if (b === QUOTE) {
            inString = false;
            if (inKey) {
              inKey = false;
              try {
                lastKey = JSON.parse(Buffer.from(key).toString('utf8')) as string;
              } catch {
                lastKey = undefined; // JSON.parse of the whole reports it
              }
            }
          }
          i++;
          continue;
        }
        let startsValue = false;
        if (expectValue && !isSpace(b)) {
          expectValue = false;
          startsValue = true;
          if (b === QUOTE && lastKey === opts.field) {
            startFile();
            rest.push(Buffer.from(chunk.subarray(keepFrom, i + 1)));
            keepFrom = i + 1;
            i++;
            continue;
          }
        }
        if (b === QUOTE) {
          inString = true;
          if (depth === 1 && !startsValue) {
            inKey = true;
            key = [b];
          }
        } else if (b === 0x7b /* { */ || b === 0x5b /* [ */) depth++;
        else if (b === 0x7d /* } */ || b === 0x5d /* ] */) depth--;
        else if (b === 0x3a /* : */ && depth === 1) expectValue = true;
        i++;
      }
      if (keepFrom < chunk.length) rest.push(Buffer.from(chunk.subarray(keepFrom)));
      // After the chunk is scanned: an oversized file is told as such even when it arrived in one piece.
      received += chunk.length;
      if (received > opts.maxBodyBytes)
        throw new ValidationError(`request body is larger than ${opts.maxBodyBytes} bytes`);
    }
    if (inFile) throw new ValidationError('request body is not valid JSON: it ends inside a string');
    const text = Buffer.concat(rest).toString('utf8');
    if (text.trim() === '') throw new ValidationError('request body is empty: expected a JSON object');
    let root: unknown;
    try {
      root = JSON.parse(text); // iterative in V8: deep nesting parses (the door refuses it with its own message)
    } catch (err) {
      throw new ValidationError(`request body is not valid JSON: ${(err as Error).message}`);
    }
    // Assigning it would set an object's prototype: refused, as Fastify's own JSON parser refuses it.
    if (hasProtoKey(root)) throw new ValidationError('request body must not contain the key "__proto__"');
    if (root === null || typeof root !== 'object' || Array.isArray(root))
      throw new ValidationError('request body must be a JSON object');
    const body = root as Record<string, unknown>;
    if (!out) return { body };
    await new Promise<void>((resolve, reject) => out!.end((err?: Error | null) => (err ? reject(err) : resolve())));
    body[opts.field] = `(decoded to a temporary file: ${decoder!.size} bytes)`;
    return { body, file: { path: tmpPath, size: decoder!.size } };
  } catch (err) {
    if (out && !out.closed) {
      // Wait for the close: the file is opened asynchronously and must not reappear after the rm.
      const closed = new Promise<void>((r) => out!.once('close', () => r())); // not events.once: a late 'error' must not reject this
      out.destroy();
      await closed;
    }
    await fsp.rm(tmpPath, { force: true });
    input.resume(); // drain the rest so the client gets its answer
    if (err instanceof ValidationError) throw err;
    throw new ValidationError(`request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** True when an object anywhere in `value` has an own "__proto__" key (JSON.parse makes it an ordinary key). */
function hasProtoKey(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (!Array.isArray(v) && Object.hasOwn(v, '__proto__')) return true;
    for (const x of Array.isArray(v) ? (v as unknown[]) : Object.values(v)) stack.push(x); // no spread: huge arrays
  }
  return false;
}
