// Column types of a stored version, inferred from its rows (for typed exports and the Nebius face's schema).
import { SchemaInferrer, type ColumnSchema } from './column-types.js';
import type { DatasetRepository } from './dataset.repository.js';
import { cellsOf } from './dataset.service.js';

/** Infers from the first `maxRows` rows (every row with Infinity, streamed by keyset); all-null columns read as option<string>. */
export async function inferVersionSchema(
  repo: DatasetRepository,
  datasetId: number,
  columns: string[],
  maxRows = Infinity,
): Promise<ColumnSchema[]> {
  const inferrer = new SchemaInferrer();
  let n = 0;
  const source =
    maxRows === Infinity ? repo.iterateRows(datasetId) : await repo.readRows(datasetId, { limit: maxRows });
  for await (const r of source) {
    inferrer.observe(cellsOf(r, columns.length), columns.length);
    if (++n >= maxRows) break;
  }
  if (n === 0) return columns.map((name) => ({ name, type: { name: 'option', item: { name: 'string' } } }));
  return inferrer.schema(columns);
}
