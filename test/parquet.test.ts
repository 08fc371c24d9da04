// Parquet writer and reader round trip, without HTTP: several streamed row groups, every type, the recorded schema.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { parquetMetadataAsync } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeParquet, ParquetValueError } from '../src/datasets/export/parquet-writer.js';
import { ParquetReader } from '../src/datasets/parsers/parquet-reader.js';
import type { ColumnSchema } from '../src/datasets/column-types.js';

const schema: ColumnSchema[] = [
  { name: 'i', type: { name: 'integer' } },
  { name: 'd', type: { name: 'double' } },
  { name: 's', type: { name: 'option', item: { name: 'string' } } },
  { name: 'j', type: { name: 'json' } },
  { name: 'b', type: { name: 'boolean' } },
];

async function* rowsOf(rows: unknown[][]) {
  yield* rows;
}

async function collect(gen: AsyncIterable<Buffer>): Promise<{ file: Buffer; chunks: number }> {
  const parts: Buffer[] = [];
  for await (const c of gen) parts.push(c);
  return { file: Buffer.concat(parts), chunks: parts.length };
}

describe('Parquet round trip', () => {
  it('streams row groups and reads back the same rows and the exact schema', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => [
      i * 1000,
      i / 3,
      i % 3 === 0 ? null : `s${i}`,
      i % 2 ? { i, list: [i] } : null,
      i % 2 === 0,
    ]);
    const { file, chunks } = await collect(writeParquet(schema, rowsOf(rows), { rowGroupRows: 3 }));
    assert.equal(chunks, 4, 'three full row groups streamed as they fill, then the last one with the footer');
    const meta = await parquetMetadataAsync(
      file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer,
    );
    assert.equal(meta.row_groups.length, 4);
    assert.equal(Number(meta.num_rows), 10);
    const reader = new ParquetReader(Readable.from([file]));
    const back: unknown[][] = [];
    for await (const r of reader.rows()) back.push(r);
    assert.deepEqual(back, rows);
    assert.deepEqual(reader.columns, ['i', 'd', 's', 'j', 'b']);
    assert.deepEqual(reader.declaredSchema, schema);
  });

  it('reads a large row group in slices, across page boundaries, to the same rows', async () => {
    const n = 5_000;
    const ids = Array.from({ length: n }, (_, i) => i);
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'id', type: 'INT32', data: ids },
        { name: 's', type: 'STRING', data: ids.map((i) => (i % 7 === 0 ? null : `row ${i} ${'x'.repeat(i % 50)}`)) },
        { name: 'd', type: 'DOUBLE', data: ids.map((i) => i / 4) },
      ],
      rowGroupSize: n,
      pageSize: 4096,
    });
    const file = Buffer.from(buffer);
    const meta = await parquetMetadataAsync(buffer);
    assert.equal(meta.row_groups.length, 1, 'one row group of 5,000 rows, many pages per column');
    const read = async (sliceBytes?: number) => {
      const back: unknown[][] = [];
      for await (const r of new ParquetReader(Readable.from([file]), sliceBytes).rows()) back.push(r);
      return back;
    };
    const expected = ids.map((i) => [i, i % 7 === 0 ? null : `row ${i} ${'x'.repeat(i % 50)}`, i / 4]);
    // A 1-byte budget reads 1,000-row slices (the floor); slices start and end inside pages.
    assert.deepEqual(await read(1), expected);
    assert.deepEqual(await read(), expected);
  });

  it('refuses a null in a non-nullable column and reports broken files readably', async () => {
    await assert.rejects(collect(writeParquet(schema, rowsOf([[null, 1, null, null, true]]))), ParquetValueError);
    const reader = new ParquetReader(Readable.from([Buffer.from('definitely not parquet')]));
    await assert.rejects(
      (async () => {
        for await (const _ of reader.rows());
      })(),
      /not a valid Parquet file/,
    );
  });
});
