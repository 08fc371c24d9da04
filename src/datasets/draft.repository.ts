// SQL of drafts: finding a group's draft in progress, copying a version's rows with their identity, and row edits.
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import type { DialectCapabilities } from '../db/dialect.js';
import type { DatasetRow } from '../db/schema.js';
import { decodeDataset, type StoredRow } from './dataset.repository.js';
import { MAX_ID } from '../input-limits.js';
import { rowHashOfStored } from './row-hash.js';

export class DraftRepository {
  constructor(private readonly dialect: DialectCapabilities) {}

  /** The group's draft being edited (`draft`) or being copied or saved (`processing` with origin `draft`). */
  async findDraftInProgress(ex: Executor, groupId: number): Promise<DatasetRow | undefined> {
    const row = await ex
      .selectFrom('datasets')
      .selectAll()
      .where('group_id', '=', groupId)
      .where('is_deleted', '=', 0)
      .where((eb) =>
        eb.or([eb('status', '=', 'draft'), eb.and([eb('status', '=', 'processing'), eb('origin', '=', 'draft')])]),
      )
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row && decodeDataset(row);
  }

  async hasRows(ex: Executor, datasetId: number): Promise<boolean> {
    return (
      (await ex
        .selectFrom('dataset_rows')
        .select('row_index')
        .where('dataset_id', '=', datasetId)
        .limit(1)
        .executeTakeFirst()) !== undefined
    );
  }

  /** Locks the dataset row for the rest of the transaction (PostgreSQL; SQLite transactions are exclusive already). */
  async lockDataset(ex: Executor, id: number): Promise<DatasetRow | undefined> {
    let q = ex.selectFrom('datasets').selectAll().where('id', '=', id);
    if (this.dialect.supportsSkipLocked) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row && decodeDataset(row);
  }

  /**
   * Copies every row of `sourceId` into `draftId` in one statement, keeping row indexes and giving each row its
   * identity: the source's row_uid, or `<source id>:<row index>` for rows that never had one.
   */
  async copyRows(ex: Executor, draftId: number, sourceId: number): Promise<number> {
    await ex.deleteFrom('dataset_rows').where('dataset_id', '=', draftId).execute();
    const r = await sql`
      INSERT INTO dataset_rows (dataset_id, row_index, row_uid, data, content_hash)
      SELECT ${draftId}, row_index, coalesce(row_uid, ${`${sourceId}:`} || CAST(row_index AS TEXT)), data, content_hash
      FROM dataset_rows WHERE dataset_id = ${sourceId}`.execute(ex);
    return Number(r.numAffectedRows ?? 0);
  }

  async findRow(ex: Executor, datasetId: number, rowIndex: number): Promise<StoredRow | undefined> {
    // row_index is a 32-bit integer column: a larger index cannot exist (and PostgreSQL would refuse the comparison).
    if (rowIndex > MAX_ID) return undefined;
    return ex
      .selectFrom('dataset_rows')
      .select(['row_index', 'row_uid', 'data'])
      .where('dataset_id', '=', datasetId)
      .where('row_index', '=', rowIndex)
      .executeTakeFirst();
  }

  async updateRowData(ex: Executor, datasetId: number, rowIndex: number, data: string): Promise<void> {
    await ex
      .updateTable('dataset_rows')
      .set({ data, content_hash: rowHashOfStored(data) })
      .where('dataset_id', '=', datasetId)
      .where('row_index', '=', rowIndex)
      .execute();
  }

  /** Deletes the given rows; returns the indexes that existed. */
  async deleteRows(ex: Executor, datasetId: number, rowIndexes: number[]): Promise<number[]> {
    const possible = rowIndexes.filter((i) => i <= MAX_ID); // see findRow
    if (possible.length === 0) return [];
    const rows = await ex
      .deleteFrom('dataset_rows')
      .where('dataset_id', '=', datasetId)
      .where('row_index', 'in', possible)
      .returning('row_index')
      .execute();
    return rows.map((r) => r.row_index);
  }

  /** Removes the cell at `position` from every row of the dataset (one statement). */
  async removeCell(ex: Executor, datasetId: number, position: number): Promise<void> {
    await ex
      .updateTable('dataset_rows')
      // Rewritten in SQL, the rows lose their hash; a diff computes it again when it needs it (diff.repository.ts).
      .set({ data: this.dialect.jsonArrayRemove('data', position), content_hash: null })
      .where('dataset_id', '=', datasetId)
      .execute();
  }

  /** Appends `value` to every row, padding shorter rows with nulls first so the cell lands at `position`. */
  async fillColumn(ex: Executor, datasetId: number, position: number, value: unknown): Promise<void> {
    for await (const r of this.iterateRows(ex, datasetId)) {
      const cells = JSON.parse(r.data) as unknown[];
      while (cells.length < position) cells.push(null);
      cells[position] = value;
      await this.updateRowData(ex, datasetId, r.row_index, JSON.stringify(cells));
    }
  }

  async countRows(ex: Executor, datasetId: number): Promise<number> {
    const row = await ex
      .selectFrom('dataset_rows')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('dataset_id', '=', datasetId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Keyset pages of a dataset's rows through `ex` (inside a transaction on SQLite, where `db` would wait for it). */
  async *iterateRows(ex: Executor, datasetId: number, chunk = 1000): AsyncGenerator<StoredRow> {
    let after = -1;
    for (;;) {
      const rows = await ex
        .selectFrom('dataset_rows')
        .select(['row_index', 'row_uid', 'data'])
        .where('dataset_id', '=', datasetId)
        .where('row_index', '>', after)
        .orderBy('row_index')
        .limit(chunk)
        .execute();
      for (const r of rows) yield r;
      if (rows.length < chunk) return;
      after = rows[rows.length - 1].row_index;
    }
  }
}
