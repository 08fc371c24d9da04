// A JSON array of objects, parsed as a stream (stream-json) so memory stays flat however long the array.
import { Transform, type Readable } from 'node:stream';
import streamJson from 'stream-json';
import StreamArrayModule from 'stream-json/streamers/StreamArray.js';
import { numberFromJsonText } from '../lossless-json.js';
import { ColumnIndex, FileFormatError, type TableReader } from './table-reader.js';

const { parser } = streamJson;
const { streamArray } = StreamArrayModule;
/** StreamArray hands its options to stream-json's Assembler, whose numberAsString its typings do not list. */
const ASSEMBLE_NUMBERS_AS_GIVEN = { numberAsString: true } as Parameters<typeof streamArray>[0];

export class JsonReader implements TableReader {
  private readonly index = new ColumnIndex();
  readonly warnings: string[] = [];

  constructor(private readonly input: Readable) {}

  get columns(): string[] {
    return this.index.names;
  }

  async *rows(): AsyncIterable<unknown[]> {
    let line = 1;
    // Counts newlines as bytes flow in, so syntax errors can say roughly where they are.
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) line++;
        cb(null, chunk);
      },
    });
    const jsonParser = parser();
    // stream-json assembles objects with plain assignment, which turns a "__proto__" key into a prototype: the key
    // would vanish silently. Refused at the token level instead, like Fastify refuses it in request bodies.
    // Numbers are decoded here, not by the assembler (whose parseFloat rounds integers past 2^53): with
    // numberAsString the assembler keeps the value this stage gives it, a LosslessNumber for such integers.
    const protoGuard = new Transform({
      objectMode: true,
      transform(token: { name: string; value?: unknown }, _enc, cb) {
        if (token.name === 'keyValue' && token.value === '__proto__')
          cb(new FileFormatError(`JSON line ${line}: the key "__proto__" is not allowed`));
        else if (token.name === 'numberValue')
          cb(null, { name: 'numberValue', value: numberFromJsonText(String(token.value)) });
        else cb(null, token);
      },
    });
    const items = this.input
      .pipe(counter)
      .pipe(jsonParser)
      .pipe(protoGuard)
      .pipe(streamArray(ASSEMBLE_NUMBERS_AS_GIVEN));
    // .pipe() does not forward errors: surface every stage's error on the stream we iterate.
    for (const stage of [this.input, counter, jsonParser, protoGuard]) stage.on('error', (err) => items.destroy(err));
    let count = 0;
    try {
      for await (const { key, value } of items as AsyncIterable<{ key: number; value: unknown }>) {
        count = key + 1;
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          throw new FileFormatError(
            `JSON item ${key + 1}: expected an object, found ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
          );
        }
        yield this.index.align(value as Record<string, unknown>);
      }
    } catch (err) {
      if (err instanceof FileFormatError) throw err;
      const msg = (err as Error).message ?? String(err);
      if (/Top-level object should be an array/.test(msg))
        throw new FileFormatError('JSON file must be an array of objects');
      throw new FileFormatError(`JSON syntax error near line ${line} (after item ${count}): ${msg}`);
    } finally {
      items.destroy();
    }
  }
}
