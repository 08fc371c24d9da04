// Reads a large POST /v1/datasets body as a stream: top-level fields are assembled in memory, the `rows` array is
// spooled to disk one row at a time (SpooledRows). Malformed JSON is re-read with the Python-compatible parser so
// the json_invalid item names Python's message and offset, as for small bodies.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import streamJson from 'stream-json';
import { LosslessNumber, stringifyLossless } from '../../datasets/lossless-json.js';
import { PayloadTooLargeError, ValidationError } from '../../errors.js';
import { refuseHostileValue } from '../../http/reject-nul.js';
import { SpooledRows } from '../../datasets/typed-schema/spooled-rows.js';

/** Bodies up to this size are parsed in memory (exact `input` echoes need the whole value). */
export const STREAM_BODY_ABOVE = 1024 * 1024;

interface Token {
  name: string;
  value?: unknown;
}

const numberOf = (text: string): number | LosslessNumber => {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? (n === 0 ? 0 : n) : new LosslessNumber(text.replace(/^(-?)0+(?=\d)/, '$1'));
  }
  return Number(text);
};

/**
 * Parses the body: a small one with `parse` (the in-memory path), a large one by streaming. Returns the value and a
 * cleanup function for the spooled files.
 */
export async function readCreateBody(
  input: Readable,
  opts: { maxBytes: number; tmpDir: string; parse: (text: string) => unknown },
): Promise<{ value: unknown; cleanup: () => Promise<void> }> {
  const head: Buffer[] = [];
  let size = 0;
  const iterator = input[Symbol.asyncIterator]();
  let done = false;
  while (size <= STREAM_BODY_ABOVE) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value as Buffer);
    size += (next.value as Buffer).length;
  }
  if (done) return { value: opts.parse(Buffer.concat(head).toString('utf8')), cleanup: async () => undefined };

  await fsp.mkdir(opts.tmpDir, { recursive: true });
  const base = path.join(opts.tmpDir, `v1-body-${randomUUID()}`);
  const raw = fs.createWriteStream(`${base}.json`);
  const rows = new SpooledRows(`${base}.rows.jsonl`);
  const rowsOut = fs.createWriteStream(rows.path);
  const cleanup = async () => {
    await fsp.rm(`${base}.json`, { force: true });
    await rows.remove();
  };
  const tokens = streamJson.parser({
    packKeys: true,
    packStrings: true,
    packNumbers: true,
    streamKeys: false,
    streamStrings: false,
    streamNumbers: false,
  });
  // Errors reach the token loop below; this only keeps a parse error from also being an unhandled 'error' event.
  tokens.on('error', () => undefined);
  const write = async (s: fs.WriteStream, data: string | Buffer) => {
    if (!s.write(data)) await once(s, 'drain');
  };
  const feed = (async () => {
    try {
      for (const b of head) tokens.write(b);
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        size += (next.value as Buffer).length;
        if (size > opts.maxBytes) throw new PayloadTooLargeError(`request body is larger than ${opts.maxBytes} bytes`);
        await write(raw, next.value as Buffer);
        if (!tokens.write(next.value)) await once(tokens, 'drain');
      }
      tokens.end();
    } catch (err) {
      tokens.destroy(err as Error);
    }
  })();
  for (const b of head) await write(raw, b);

  let root: unknown;
  const stack: Array<{ container: Record<string, unknown> | unknown[]; key?: string }> = [];
  // Depth of the row being assembled inside `rows` (0: not in rows; 1: directly in the rows array).
  let inRows = false;
  let rowStart = 0;
  const place = async (value: unknown) => {
    if (stack.length === 0) {
      root = value;
      return;
    }
    const top = stack[stack.length - 1];
    if (inRows && stack.length === 2) {
      // A finished row: to disk, not to memory. It never sits in req.body, so the door's NUL/depth check runs here.
      refuseHostileValue('body', value, ['rows', rows.length]);
      const text = stringifyLossless(value);
      if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof LosslessNumber) {
        if (rows.nonObjects.length < 1000) rows.nonObjects.push([rows.length, value]);
      }
      rows.length++;
      rows.jsonLength += text.length + 1;
      await write(rowsOut, `${text}\n`);
      return;
    }
    if (Array.isArray(top.container)) top.container.push(value);
    else if (top.key !== undefined)
      Object.defineProperty(top.container, top.key, { value, enumerable: true, writable: true, configurable: true });
  };
  try {
    for await (const token of tokens as AsyncIterable<Token>) {
      switch (token.name) {
        case 'startObject':
        case 'startArray': {
          const top = stack[stack.length - 1];
          if (
            stack.length === 1 &&
            !Array.isArray(top.container) &&
            top.key === 'rows' &&
            token.name === 'startArray' &&
            !inRows &&
            rowStart === 0
          ) {
            inRows = true;
            rowStart = 1;
            await place(rows);
            stack.push({ container: [] });
            break;
          }
          stack.push({ container: token.name === 'startObject' ? {} : [] });
          break;
        }
        case 'endObject':
        case 'endArray': {
          const { container } = stack.pop()!;
          if (inRows && stack.length === 1) {
            inRows = false; // the rows array itself ends; it was placed already
            break;
          }
          await place(container);
          break;
        }
        case 'keyValue':
          stack[stack.length - 1].key = token.value as string;
          break;
        case 'stringValue':
          await place(token.value);
          break;
        case 'numberValue':
          await place(numberOf(token.value as string));
          break;
        case 'trueValue':
          await place(true);
          break;
        case 'falseValue':
          await place(false);
          break;
        case 'nullValue':
          await place(null);
          break;
      }
    }
    await feed;
    await Promise.all([new Promise((r) => raw.end(r)), new Promise((r) => rowsOut.end(r))]);
    return { value: root, cleanup };
  } catch (err) {
    await feed.catch(() => undefined);
    await Promise.all([new Promise((r) => raw.end(r)), new Promise((r) => rowsOut.end(r))]);
    try {
      if (err instanceof PayloadTooLargeError || err instanceof ValidationError) throw err;
      // Python's message and offset: re-read the body with the compatible parser (only on this error path).
      const text = await fsp.readFile(`${base}.json`, 'utf8');
      const value = opts.parse(text);
      return { value, cleanup };
    } catch (again) {
      await cleanup();
      throw again;
    }
  }
}
