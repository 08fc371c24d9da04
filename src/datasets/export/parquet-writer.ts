// Writes rows as Parquet (hyparquet-writer), streaming one row group at a time; types come from the typed schema.
// Standalone: any exporter that has a ColumnSchema[] and rows as arrays can use it.
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { baseType, type ColumnSchema, type ColumnType } from '../column-types.js';
import { STRATA_SCHEMA_KEY } from '../parsers/parquet-reader.js';
import { LosslessNumber, stringifyLossless } from '../lossless-json.js';

export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

/**
 * The Parquet schema element of a column: integer → INT64, double and float → DOUBLE, boolean → BOOLEAN,
 * string → UTF8 byte array, json → byte array with the JSON logical type (always optional: JSON's null is null),
 * null → an all-null optional UTF8 column; option<T> → T, OPTIONAL.
 */
export const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function parquetElement(col: ColumnSchema): SchemaElement {
  const base = baseType(col.type);
  const optional = col.type.name === 'option' || base.name === 'json' || base.name === 'null';
  const repetition_type = optional ? 'OPTIONAL' : 'REQUIRED';
  switch (base.name) {
    case 'integer':
      return { name: col.name, type: 'INT64', repetition_type };
    // Nebius's float is Python's float: 64 bits. A 32-bit FLOAT would turn 1e308 into inf.
    case 'double':
    case 'float':
      return { name: col.name, type: 'DOUBLE', repetition_type };
    case 'boolean':
      return { name: col.name, type: 'BOOLEAN', repetition_type };
    // The JSON logical type without the legacy converted type: the writer then takes our exact text (big integers
    // keep every digit) instead of re-serialising values with JSON.stringify.
    case 'json':
      return { name: col.name, type: 'BYTE_ARRAY', logical_type: { type: 'JSON' }, repetition_type };
    case 'string':
    case 'null':
      return {
        name: col.name,
        type: 'BYTE_ARRAY',
        converted_type: 'UTF8',
        logical_type: { type: 'STRING' },
        repetition_type,
      };
  }
}

export class ParquetValueError extends Error {}

/** One cell made ready for its Parquet column; throws ParquetValueError when it cannot fit. */
function convert(t: ColumnType, v: unknown, required: boolean, where: () => string): unknown {
  if (v === null || v === undefined) {
    if (required) throw new ParquetValueError(`${where()}: null in a non-nullable column`);
    return null;
  }
  const base = baseType(t);
  switch (base.name) {
    case 'integer':
      if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
      if (typeof v === 'string' && /^-?\d{1,19}$/.test(v) && BigInt(v) >= INT64_MIN && BigInt(v) <= INT64_MAX)
        return BigInt(v);
      throw new ParquetValueError(`${where()}: ${JSON.stringify(v)} is not an integer`);
    case 'double':
    case 'float':
      if (typeof v === 'number') return v;
      if (v instanceof LosslessNumber) return Number(v.text);
      throw new ParquetValueError(`${where()}: ${JSON.stringify(v)} is not a number`);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      throw new ParquetValueError(`${where()}: ${JSON.stringify(v)} is not a boolean`);
    case 'json':
      return stringifyLossless(v);
    case 'string':
    case 'null':
      // Columns inferred as string may hold other values in rows the inference did not see: keep them as JSON text.
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}

/** Collects bytes the Parquet writer produces so they can be handed out between row groups. */
function drain(writer: ByteWriter): Buffer {
  const out = Buffer.from(new Uint8Array(writer.buffer, 0, writer.index));
  writer.index = 0;
  return out;
}

/**
 * Streams a Parquet file: yields byte chunks as each row group of `rowGroupRows` rows is encoded, then the footer.
 * The typed schema is recorded in the key-value metadata (`strata.schema`) so a re-import keeps exact types.
 */
export async function* writeParquet(
  schema: ColumnSchema[],
  rows: AsyncIterable<unknown[]>,
  opts: { rowGroupRows?: number } = {},
): AsyncGenerator<Buffer> {
  const groupRows = opts.rowGroupRows ?? 10_000;
  const elements = schema.map(parquetElement);
  const writer = new ByteWriter();
  // The ByteWriter's offset keeps counting while its index is rewound after each drain, as hyparquet's own file writer does.
  const pq = new ParquetWriter({
    writer,
    schema: [{ name: 'root', num_children: schema.length }, ...elements],
    kvMetadata: [{ key: STRATA_SCHEMA_KEY, value: JSON.stringify(schema) }],
    createdBy: 'strata',
  });
  let columns: unknown[][] = schema.map(() => []);
  let count = 0;
  let rowNumber = 0;
  const flushGroup = async (): Promise<void> => {
    if (columns[0]?.length === 0 && count > 0) return;
    await pq.write({
      columnData: schema.map((c, i) => ({ name: c.name, data: columns[i] as never })),
      rowGroupSize: Math.max(columns[0]?.length ?? 0, 1),
    });
    columns = schema.map(() => []);
  };
  for await (const cells of rows) {
    rowNumber++;
    for (let i = 0; i < schema.length; i++) {
      const col = schema[i];
      columns[i].push(
        convert(
          col.type,
          cells[i],
          elements[i].repetition_type === 'REQUIRED',
          () => `row ${rowNumber} column "${col.name}"`,
        ),
      );
    }
    count++;
    if (columns[0] && columns[0].length >= groupRows) {
      await flushGroup();
      yield drain(writer);
    }
  }
  if (schema.length > 0 && columns[0].length > 0) await flushGroup();
  await pq.finish();
  yield drain(writer);
}
