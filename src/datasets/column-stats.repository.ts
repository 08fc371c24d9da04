// All SQL for column statistics: an evenly spaced scan of a version's rows and the cache of published versions' figures.
import { sql } from 'kysely';
import type { Db, Executor } from '../db/database.js';
import { decodeJson } from '../db/json-columns.js';
import type { ColumnStats } from './column-stats.js';
import type { StoredRow } from './dataset.repository.js';

/** One column's cached figures (stored as a JSON object, read and written decoded). */
export interface CachedColumnStats {
  column_index: number;
  column_name: string;
  stats: ColumnStats;
  rows_scanned: number;
  computed_at: number;
}

export class ColumnStatsRepository {
  constructor(private readonly db: Db) {}

  /** The plain connection, for writes outside a job's fenced transaction. */
  get executor(): Executor {
    return this.db;
  }

  /** Streams the rows whose index is a multiple of `step` (every row with step 1), in keyset chunks. */
  async *scanRows(datasetId: number, step: number, chunk = 2000): AsyncGenerator<Pick<StoredRow, 'data'>> {
    let after = -1;
    for (;;) {
      let q = this.db
        .selectFrom('dataset_rows')
        .select(['row_index', 'data'])
        .where('dataset_id', '=', datasetId)
        .where('row_index', '>', after);
      if (step > 1) q = q.where(sql<number>`row_index % ${step}`, '=', 0);
      const rows = await q.orderBy('row_index').limit(chunk).execute();
      for (const r of rows) yield r;
      if (rows.length < chunk) return;
      after = rows[rows.length - 1].row_index;
    }
  }

  async readCached(datasetId: number, fromIndex: number, toIndex: number): Promise<CachedColumnStats[]> {
    const rows = await this.db
      .selectFrom('dataset_column_stats')
      .select(['column_index', 'column_name', 'stats', 'rows_scanned', 'computed_at'])
      .where('dataset_id', '=', datasetId)
      .where('column_index', '>=', fromIndex)
      .where('column_index', '<', toIndex)
      .orderBy('column_index')
      .execute();
    return rows.map((r) => ({ ...r, stats: decodeJson<ColumnStats>(r.stats) }));
  }

  /** Stores figures; a concurrent first request may have stored them already (same figures: the version is immutable). */
  async writeCached(ex: Executor, datasetId: number, rows: CachedColumnStats[]): Promise<void> {
    // Bounded statement size: each row is 6 parameters.
    for (let i = 0; i < rows.length; i += 100) {
      await ex
        .insertInto('dataset_column_stats')
        .values(rows.slice(i, i + 100).map((r) => ({ dataset_id: datasetId, ...r, stats: JSON.stringify(r.stats) })))
        .onConflict((oc) => oc.columns(['dataset_id', 'column_index']).doNothing())
        .execute();
    }
  }
}
