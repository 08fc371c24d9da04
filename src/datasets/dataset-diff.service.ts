// Use case: compare two versions of a group — columns added/removed, rows added/removed/changed with counts and pages.
// Rows are matched by row identity when the versions share lineage (one was copied from the other, or both from a
// common version), and by content otherwise (see docs/drafts-export-diff.md).
import type { Caller } from '../auth/caller.js';
import type { DatabaseHandle } from '../db/database.js';
import type { DatasetRow } from '../db/schema.js';
import { ConflictError, ValidationError } from '../errors.js';
import type { DatasetRepository } from './dataset.repository.js';
import type { DatasetService } from './dataset.service.js';
import type { DiffRepository, DiffSpec, DuplicateKeys, KeyCounts, KeyDiffSpec } from './diff.repository.js';
import { parseStoredCells, stringifyLossless } from './lossless-json.js';
import { rowHashOfAnyText } from './row-hash.js';

/** Lineage walks stop here, in case of a (corrupt) cycle. */
const MAX_LINEAGE = 10_000;

export interface DiffResult {
  dataset: DatasetRow;
  against: DatasetRow;
  matchBy: DiffSpec['matchBy'];
  columns: { added: string[]; removed: string[]; common: string[] };
  counts: { added: number; removed: number; changed: number; unchanged: number };
  added: Array<{ rowId: number; rowUid: string | null; values: Record<string, unknown> }>;
  removed: Array<{ rowId: number; rowUid: string | null; values: Record<string, unknown> }>;
  changed: Array<{
    rowId: number;
    againstRowId: number;
    rowUid: string;
    changedColumns: string[];
    before: Record<string, unknown>;
    after: Record<string, unknown>;
  }>;
}

/** Rows whose missing content hash is computed per transaction. */
const HASH_FILL_BATCH = 2_000;

/**
 * Gives every row of the version its content hash where it has none (rows written before hashes existed, or
 * rewritten in SQL by a column removal), so diffs can rely on them; idempotent, and a no-op once done. The hash is a
 * function of the row's data alone, read and written in one transaction (rows locked on PostgreSQL), so a
 * concurrent edit cannot leave a stale hash; the published-rows guard allows exactly this write.
 */
export class RowHashFill {
  constructor(
    private readonly dbh: Pick<DatabaseHandle, 'transaction'>,
    private readonly diffs: DiffRepository,
  ) {}

  async ensure(datasetId: number): Promise<void> {
    if (!(await this.diffs.hasUnhashedRows(datasetId))) return;
    let after = -1;
    for (;;) {
      const n = await this.dbh.transaction(async (trx) => {
        const rows = await this.diffs.unhashedRows(trx, datasetId, after, HASH_FILL_BATCH);
        const hashes = rows.map((r) => ({ rowIndex: r.row_index, hash: rowHashOfAnyText(r.data) }));
        await this.diffs.setHashes(trx, datasetId, hashes);
        if (rows.length > 0) after = rows[rows.length - 1].row_index;
        return rows.length;
      });
      if (n < HASH_FILL_BATCH) return;
    }
  }
}

/** The two versions a diff compares, after the checks every diff makes: one group, and neither processing nor failed. */
async function comparableVersions(
  access: DatasetService,
  fill: RowHashFill,
  caller: Caller,
  id: number,
  againstId: number,
) {
  const { dataset } = await access.getDataset(caller, id);
  const { dataset: against } = await access.getDataset(caller, againstId);
  if (dataset.group_id !== against.group_id)
    throw new ValidationError(
      `datasets ${id} and ${againstId} belong to different dataset groups; diff compares versions of one group`,
    );
  for (const d of [dataset, against]) {
    if (d.status === 'processing' || d.status === 'failed')
      throw new ConflictError(`dataset ${d.id} is ${d.status}; only ready versions and drafts can be compared`);
  }
  await fill.ensure(dataset.id);
  await fill.ensure(against.id);
  return {
    dataset,
    against,
    toCols: dataset.column_names,
    fromCols: against.column_names,
  };
}

export class DatasetDiffService {
  /** Diffs by a key column the caller picks (`?key=`). */
  readonly byKey: DatasetKeyDiffService;
  private readonly fill: RowHashFill;

  constructor(
    dbh: Pick<DatabaseHandle, 'transaction'>,
    private readonly datasets: DatasetRepository,
    private readonly diffs: DiffRepository,
    private readonly access: DatasetService,
  ) {
    this.fill = new RowHashFill(dbh, diffs);
    this.byKey = new DatasetKeyDiffService(diffs, access, this.fill);
  }

  /** What changed from `againstId` to `id`: "added" rows are in `id` only, "removed" rows in `againstId` only. */
  async diff(
    caller: Caller,
    id: number,
    againstId: number,
    page: { page: number; perPage: number; only?: ChangeKind },
  ): Promise<DiffResult> {
    const { dataset, against, toCols, fromCols } = await comparableVersions(
      this.access,
      this.fill,
      caller,
      id,
      againstId,
    );
    const commonNames = toCols.filter((c) => fromCols.includes(c));
    const spec: DiffSpec = {
      fromId: against.id,
      toId: dataset.id,
      common: commonNames.map((c) => [fromCols.indexOf(c), toCols.indexOf(c)]),
      matchBy: (await this.shareLineage(dataset, against)) ? 'row_identity' : 'content',
    };
    const offset = (page.page - 1) * page.perPage;
    const counts = await this.diffs.counts(spec);
    // A page is read only for the kinds asked for that have rows at this offset (each page is a pass of its own).
    const want = (k: ChangeKind) => (page.only === undefined || page.only === k) && counts[k] > offset;
    const [added, removed, changed] = await Promise.all([
      want('added') ? this.diffs.onlyInPage(spec, 'added', offset, page.perPage) : [],
      want('removed') ? this.diffs.onlyInPage(spec, 'removed', offset, page.perPage) : [],
      want('changed') ? this.diffs.changedPage(spec, offset, page.perPage) : [],
    ]);
    const uidOrNull = (uid: string) => (spec.matchBy === 'row_identity' ? uid : null);
    return {
      dataset,
      against,
      matchBy: spec.matchBy,
      columns: {
        added: toCols.filter((c) => !fromCols.includes(c)),
        removed: fromCols.filter((c) => !toCols.includes(c)),
        common: commonNames,
      },
      counts: {
        added: counts.added,
        removed: counts.removed,
        changed: counts.changed,
        unchanged: counts.matched - counts.changed,
      },
      added: added.map((r) => ({
        rowId: r.row_index,
        rowUid: uidOrNull(r.row_uid),
        values: rowValues(toCols, r.data),
      })),
      removed: removed.map((r) => ({
        rowId: r.row_index,
        rowUid: uidOrNull(r.row_uid),
        values: rowValues(fromCols, r.data),
      })),
      changed: changed.map((r) => {
        const before = rowValues(fromCols, r.from_data);
        const after = rowValues(toCols, r.to_data);
        return {
          rowId: r.to_index,
          againstRowId: r.from_index,
          rowUid: r.row_uid,
          changedColumns: commonNames.filter((c) => cellsDiffer(before[c], after[c])),
          before,
          after,
        };
      }),
    };
  }

  /** True when the two versions' source chains (source_dataset_id) meet: their row identities are comparable. */
  private async shareLineage(a: DatasetRow, b: DatasetRow): Promise<boolean> {
    const lineage = async (d: DatasetRow) => {
      const seen = new Set<number>([d.id]);
      let next = d.source_dataset_id;
      while (next !== null && !seen.has(next) && seen.size < MAX_LINEAGE) {
        seen.add(next);
        next = (await this.datasets.findDataset(next))?.source_dataset_id ?? null;
      }
      return seen;
    };
    const la = await lineage(a);
    for (const id of await lineage(b)) if (la.has(id)) return true;
    return false;
  }
}

/** Duplicated key values listed in a 400, at most. */
const DUPLICATE_SAMPLE = 5;
/** Progress steps of a key diff: each step compares one row-index window of each side. */
const PROGRESS_STEPS = 10;
const MIN_WINDOW_ROWS = 2_000;

export interface KeyDiffCounts {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
}

export interface CellChange {
  column: string;
  old: unknown;
  new: unknown;
}

export interface KeyDiffResult {
  dataset: DatasetRow;
  against: DatasetRow;
  key: string;
  columns: { added: string[]; removed: string[]; common: string[] };
  counts: KeyDiffCounts;
  added: Array<{ rowId: number; key: unknown; values: Record<string, unknown> }>;
  removed: Array<{ rowId: number; key: unknown; values: Record<string, unknown> }>;
  changed: Array<{
    rowId: number;
    againstRowId: number;
    key: unknown;
    changes: CellChange[];
    before: Record<string, unknown>;
    after: Record<string, unknown>;
  }>;
}

/** One step of a key diff's progress: rows of both versions compared so far, of all, and the counts so far. */
export interface KeyDiffProgress {
  compared: number;
  total: number;
  counts: KeyDiffCounts;
}

export type ChangeKind = 'added' | 'removed' | 'changed';

interface PreparedKeyDiff {
  key: string;
  dataset: DatasetRow;
  against: DatasetRow;
  spec: KeyDiffSpec;
  toCols: string[];
  fromCols: string[];
  columns: KeyDiffResult['columns'];
}

// Lossless: a big integer stays a LosslessNumber (its reply is the nearest number, as row reads give), so two cells
// differing only beyond 2^53 still compare as changed.
const rowValues = (cols: string[], data: string): Record<string, unknown> => {
  const cells = parseStoredCells(data);
  return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? null]));
};

const cellsDiffer = (a: unknown, b: unknown) => stringifyLossless(a) !== stringifyLossless(b);

const countsOf = (c: KeyCounts): KeyDiffCounts => ({
  added: c.added,
  removed: c.removed,
  changed: c.changed,
  unchanged: c.matched - c.changed,
});

/**
 * Key-column diffs: rows of two versions matched by the value of a column the caller names (a JSON value: `1` and
 * `"1"` differ; rows with a null key never match). Keys must be unique within each version.
 */
export class DatasetKeyDiffService {
  constructor(
    private readonly diffs: DiffRepository,
    private readonly access: DatasetService,
    private readonly fill: RowHashFill,
  ) {}

  /** Checks the versions and the key column (uniqueness is checked by the caller: see refuseDuplicates). */
  private async prepare(caller: Caller, id: number, againstId: number, key: string): Promise<PreparedKeyDiff> {
    const { dataset, against, toCols, fromCols } = await comparableVersions(
      this.access,
      this.fill,
      caller,
      id,
      againstId,
    );
    const missing = [dataset, against].filter((d) => !d.column_names.includes(key)).map((d) => d.id);
    if (missing.length) {
      const shared = toCols.filter((c) => fromCols.includes(c));
      throw new ValidationError(
        `unknown key column ${JSON.stringify(key)}: dataset ${missing.join(' and ')} has no such column; columns both versions have: ${shared.map((c) => JSON.stringify(c)).join(', ') || 'none'}`,
        [{ path: ['key'], message: 'unknown column', type: 'value_error' }],
      );
    }
    const common = toCols.filter((c) => fromCols.includes(c));
    const spec: KeyDiffSpec = {
      fromId: against.id,
      toId: dataset.id,
      key: [fromCols.indexOf(key), toCols.indexOf(key)],
      common: common.filter((c) => c !== key).map((c) => [fromCols.indexOf(c), toCols.indexOf(c)]),
    };
    return {
      key,
      dataset,
      against,
      spec,
      toCols,
      fromCols,
      columns: {
        added: toCols.filter((c) => !fromCols.includes(c)),
        removed: fromCols.filter((c) => !toCols.includes(c)),
        common,
      },
    };
  }

  /** A 400 naming how many key values repeat in a version, with a sample; `against` is checked first. */
  private refuseDuplicates(p: PreparedKeyDiff, dups: readonly [DuplicateKeys, DuplicateKeys]): void {
    for (const [d, dup] of [
      [p.against, dups[0]],
      [p.dataset, dups[1]],
    ] as const) {
      if (dup.keys === 0) continue;
      const sample = dup.sample.map((s) => `${s.key} (${s.rows} rows)`).join(', ');
      throw new ValidationError(
        `key column ${JSON.stringify(p.key)} is not unique in dataset ${d.id}: ${dup.keys} value(s) appear on more than one row (${dup.rows} rows in all), e.g. ${sample}; pick a column whose values are unique`,
        [{ path: ['key'], message: `${dup.keys} duplicated key value(s) in dataset ${d.id}`, type: 'value_error' }],
      );
    }
  }

  /** What changed from `againstId` to `id`, rows matched by `key`; `only` returns one kind of rows (others empty). */
  async diff(
    caller: Caller,
    id: number,
    againstId: number,
    key: string,
    page: { page: number; perPage: number; only?: ChangeKind },
  ): Promise<KeyDiffResult> {
    const p = await this.prepare(caller, id, againstId, key);
    const { spec, toCols, fromCols } = p;
    const offset = (page.page - 1) * page.perPage;
    // One statement: the duplicate check, the counts and the pages read each side's keys once.
    const kinds = (['added', 'removed', 'changed'] as const).filter((k) => page.only === undefined || page.only === k);
    const d = await this.diffs.byKey.diffPage(spec, { offset, limit: page.perPage, kinds }, DUPLICATE_SAMPLE);
    this.refuseDuplicates(p, d.dups);
    const { counts, added, removed, changed } = d;
    const compared = p.columns.common.filter((c) => c !== key);
    return {
      dataset: p.dataset,
      against: p.against,
      key,
      columns: p.columns,
      counts: countsOf(counts),
      added: added.map((r) => ({
        rowId: r.row_index,
        key: JSON.parse(r.k) as unknown,
        values: rowValues(toCols, r.data),
      })),
      removed: removed.map((r) => ({
        rowId: r.row_index,
        key: JSON.parse(r.k) as unknown,
        values: rowValues(fromCols, r.data),
      })),
      changed: changed.map((r) => {
        const before = rowValues(fromCols, r.from_data);
        const after = rowValues(toCols, r.to_data);
        return {
          rowId: r.to_index,
          againstRowId: r.from_index,
          key: JSON.parse(r.k) as unknown,
          changes: compared
            .filter((c) => cellsDiffer(before[c], after[c]))
            .map((c) => ({ column: c, old: before[c], new: after[c] })),
          before,
          after,
        };
      }),
    };
  }

  /**
   * The counts of a key diff computed window by window (row-index ranges of each version, so each step is a bounded
   * query), yielding progress after each: the caller streams it and stops iterating when its client leaves.
   * Checks (400s) run before the first step and throw.
   */
  async *progress(
    caller: Caller,
    id: number,
    againstId: number,
    key: string,
  ): AsyncGenerator<KeyDiffProgress, { columns: KeyDiffResult['columns']; counts: KeyDiffCounts; total: number }> {
    const p = await this.prepare(caller, id, againstId, key);
    const repo = this.diffs.byKey;
    this.refuseDuplicates(p, [
      await repo.duplicateKeys(p.spec.fromId, p.spec.key[0], DUPLICATE_SAMPLE),
      await repo.duplicateKeys(p.spec.toId, p.spec.key[1], DUPLICATE_SAMPLE),
    ]);
    const [to, from] = await Promise.all([repo.rowCount(p.spec.toId), repo.rowCount(p.spec.fromId)]);
    const total = to.n + from.n;
    const sum: KeyCounts = { added: 0, removed: 0, matched: 0, changed: 0 };
    const step = (maxIndex: number) => Math.max(MIN_WINDOW_ROWS, Math.ceil((maxIndex + 1) / PROGRESS_STEPS));
    const toStep = step(to.maxIndex);
    const fromStep = step(from.maxIndex);
    let toDone = 0;
    yield { compared: 0, total, counts: countsOf(sum) };
    for (let i = 0; i * toStep <= to.maxIndex || i * fromStep <= from.maxIndex; i++) {
      const toWin = i * toStep <= to.maxIndex ? { lo: i * toStep, hi: (i + 1) * toStep } : undefined;
      const fromWin = i * fromStep <= from.maxIndex ? { lo: i * fromStep, hi: (i + 1) * fromStep } : undefined;
      const c = await repo.counts(p.spec, { toWin, fromWin });
      sum.added += c.added;
      sum.removed += c.removed;
      sum.matched += c.matched;
      sum.changed += c.changed;
      // Each row of `to` is added or matched, so its windows count exactly; `from` is counted by the share of its
      // row-index range done (drafts can have gaps in row indexes).
      toDone += c.added + c.matched;
      const fromDone = Math.round(from.n * Math.min(1, ((i + 1) * fromStep) / (from.maxIndex + 1)));
      yield { compared: Math.min(total, toDone + fromDone), total, counts: countsOf(sum) };
    }
    return { columns: p.columns, counts: countsOf(sum), total };
  }
}
