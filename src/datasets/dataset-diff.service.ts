// Use case: compare two versions of a group — columns added/removed, rows added/removed/changed with counts and pages.
// Rows are matched by row identity when the versions share lineage (one was copied from the other, or both from a
// common version), and by content otherwise (see docs/drafts-export-diff.md).
import type { Caller } from '../auth/caller.js';
import type { DatasetRow } from '../db/schema.js';
import { ConflictError, ValidationError } from '../errors.js';
import type { DatasetRepository } from './dataset.repository.js';
import type { DatasetService } from './dataset.service.js';
import type { DiffRepository, DiffSpec } from './diff.repository.js';

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
  changed: Array<{ rowId: number; againstRowId: number; rowUid: string; changedColumns: string[]; before: Record<string, unknown>; after: Record<string, unknown> }>;
}

export class DatasetDiffService {
  constructor(
    private readonly datasets: DatasetRepository,
    private readonly diffs: DiffRepository,
    private readonly access: DatasetService,
  ) {}

  /** What changed from `againstId` to `id`: "added" rows are in `id` only, "removed" rows in `againstId` only. */
  async diff(caller: Caller, id: number, againstId: number, page: { page: number; perPage: number }): Promise<DiffResult> {
    const { dataset } = await this.access.getDataset(caller, id);
    const { dataset: against } = await this.access.getDataset(caller, againstId);
    if (dataset.group_id !== against.group_id) throw new ValidationError(`datasets ${id} and ${againstId} belong to different dataset groups; diff compares versions of one group`);
    for (const d of [dataset, against]) {
      if (d.status === 'processing' || d.status === 'failed') throw new ConflictError(`dataset ${d.id} is ${d.status}; only ready versions and drafts can be compared`);
    }
    const toCols = JSON.parse(dataset.column_names) as string[];
    const fromCols = JSON.parse(against.column_names) as string[];
    const commonNames = toCols.filter((c) => fromCols.includes(c));
    const spec: DiffSpec = {
      fromId: against.id,
      toId: dataset.id,
      common: commonNames.map((c) => [fromCols.indexOf(c), toCols.indexOf(c)]),
      matchBy: (await this.shareLineage(dataset, against)) ? 'row_identity' : 'content',
    };
    const offset = (page.page - 1) * page.perPage;
    const counts = await this.diffs.counts(spec);
    const [added, removed, changed] = await Promise.all([
      this.diffs.onlyInPage(spec, 'added', offset, page.perPage),
      this.diffs.onlyInPage(spec, 'removed', offset, page.perPage),
      this.diffs.changedPage(spec, offset, page.perPage),
    ]);
    const values = (cols: string[], data: string) => {
      const cells = JSON.parse(data) as unknown[];
      return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? null]));
    };
    const uidOrNull = (uid: string) => (spec.matchBy === 'row_identity' ? uid : null);
    return {
      dataset,
      against,
      matchBy: spec.matchBy,
      columns: { added: toCols.filter((c) => !fromCols.includes(c)), removed: fromCols.filter((c) => !toCols.includes(c)), common: commonNames },
      counts: { added: counts.added, removed: counts.removed, changed: counts.changed, unchanged: counts.matched - counts.changed },
      added: added.map((r) => ({ rowId: r.row_index, rowUid: uidOrNull(r.row_uid), values: values(toCols, r.data) })),
      removed: removed.map((r) => ({ rowId: r.row_index, rowUid: uidOrNull(r.row_uid), values: values(fromCols, r.data) })),
      changed: changed.map((r) => {
        const before = values(fromCols, r.from_data);
        const after = values(toCols, r.to_data);
        return {
          rowId: r.to_index,
          againstRowId: r.from_index,
          rowUid: r.row_uid,
          changedColumns: commonNames.filter((c) => JSON.stringify(before[c]) !== JSON.stringify(after[c])),
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
