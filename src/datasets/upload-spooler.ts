// Streams a JSON upload body to disk: the base64 file field is decoded chunk by chunk into a temporary file,
// so a 100 MB upload never sits in memory as a 134 MB string, a parsed copy and a decoded buffer at once.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import streamJson from 'stream-json';
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
    if (this.padded && text.length > 0)
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
}

interface Token {
  name: string;
  value?: unknown;
}

/**
 * Parses a JSON object body from `input`. The value of `field` is decoded from base64 into a file under `tmpDir`;
 * every other top-level value is kept (nested objects and arrays included). Throws ValidationError on bad JSON,
 * bad base64 or an oversized file, after removing the temporary file.
 */
export async function spoolJsonUpload(
  input: Readable,
  opts: { field: string; maxBytes: number; maxBodyBytes: number; tmpDir: string },
): Promise<SpoolResult> {
  await fsp.mkdir(opts.tmpDir, { recursive: true });
  const tmpPath = path.join(opts.tmpDir, `upload-${randomUUID()}.part`);
  let out: fs.WriteStream | undefined;
  let received = 0;
  input.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > opts.maxBodyBytes)
      input.destroy(new ValidationError(`request body is larger than ${opts.maxBodyBytes} bytes`));
  });
  const tokens = input.pipe(
    streamJson.parser({
      streamStrings: true,
      packStrings: false,
      streamKeys: false,
      packKeys: true,
      packNumbers: true,
    }),
  );
  input.on('error', (err) => tokens.destroy(err));

  // A small assembler for every value except the file: containers on a stack, each remembering its pending key.
  let root: Record<string, unknown> | undefined;
  const stack: Array<{ container: Record<string, unknown> | unknown[]; key?: string }> = [];
  let decoder: Base64Decoder | undefined;
  let inFile = false;
  // Strings other than the file are assembled from their chunks (packStrings would also buffer the file).
  let text: string[] = [];

  const place = (value: unknown) => {
    const top = stack[stack.length - 1];
    if (Array.isArray(top.container)) top.container.push(value);
    else if (top.key !== undefined) top.container[top.key] = value;
  };
  const isFileField = () => stack.length === 1 && stack[0].key === opts.field;
  const write = async (buf: Buffer) => {
    if (buf.length === 0 || !out) return;
    if (!out.write(buf)) await once(out, 'drain'); // rejects if the file stream fails
  };

  try {
    for await (const token of tokens as AsyncIterable<Token>) {
      if (stack.length === 0 && token.name !== 'startObject') {
        if (root) throw new ValidationError('request body must hold a single JSON object');
        throw new ValidationError('request body must be a JSON object');
      }
      switch (token.name) {
        case 'startObject':
        case 'startArray': {
          const container = token.name === 'startObject' ? {} : [];
          if (stack.length === 0) root = container;
          else place(container);
          stack.push({ container });
          break;
        }
        case 'endObject':
        case 'endArray':
          stack.pop();
          break;
        case 'keyValue':
          // Assigning it would set the object's prototype: refused, as Fastify's own JSON parser refuses it.
          if (token.value === '__proto__')
            throw new ValidationError('request body must not contain the key "__proto__"');
          stack[stack.length - 1].key = token.value as string;
          break;
        case 'startString':
          if (isFileField()) {
            if (out) throw new ValidationError(`${opts.field} appears twice`);
            inFile = true;
            decoder = new Base64Decoder(opts.field, opts.maxBytes);
            out = fs.createWriteStream(tmpPath);
            out.on('error', () => undefined); // surfaced through write()/end(); never an unhandled 'error' event
          } else text = [];
          break;
        case 'stringChunk':
          if (inFile) await write(decoder!.push(token.value as string));
          else text.push(token.value as string);
          break;
        case 'endString':
          if (inFile) {
            decoder!.end();
            await write(decoder!.tail());
            inFile = false;
          } else place(text.join(''));
          break;
        case 'numberValue':
          place(Number(token.value));
          break;
        case 'trueValue':
          place(true);
          break;
        case 'falseValue':
          place(false);
          break;
        case 'nullValue':
          place(null);
          break;
      }
    }
    if (!root) throw new ValidationError('request body is empty: expected a JSON object');
    if (!out) return { body: root };
    await new Promise<void>((resolve, reject) => out!.end((err?: Error | null) => (err ? reject(err) : resolve())));
    root[opts.field] = `(decoded to a temporary file: ${decoder!.size} bytes)`;
    return { body: root, file: { path: tmpPath, size: decoder!.size } };
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
