// The diff reply (GET /datasets/{id}/diff): one shape for both ways of matching rows. Added, removed and changed rows
// have the same inner shape whatever matched them; only the identity fields differ (`row_uid` by row identity or
// content, `key` and the cell `changes` by a key column), so each caller passes those and nothing else.
import type { DatasetRow } from '../../db/schema.js';
import { pageCount } from '../paging.js';

interface DiffRowCore {
  rowId: number;
  values: Record<string, unknown>;
}

interface ChangedRowCore {
  rowId: number;
  againstRowId: number;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** What both diff services return: the versions, columns, counts and one page of each kind of row. */
interface DiffCore<R extends DiffRowCore, C extends ChangedRowCore> {
  dataset: Pick<DatasetRow, 'id'>;
  against: Pick<DatasetRow, 'id'>;
  columns: { added: string[]; removed: string[]; common: string[] };
  counts: { added: number; removed: number; changed: number; unchanged: number };
  added: R[];
  removed: R[];
  changed: C[];
}

export function presentDiff<
  R extends DiffRowCore,
  C extends ChangedRowCore,
  H extends object,
  I extends object,
  J extends { changed_columns: string[] },
>(
  d: DiffCore<R, C>,
  fields: {
    /** How rows were matched (`match_by`, and `key`), after the two dataset ids. */
    head: H;
    /** A row's identity fields, between `row_id` and `values`. */
    identity: (row: R) => I;
    /** A changed row's identity fields and changed columns, between `against_row_id` and `before`. */
    changes: (row: C) => J;
  },
  page: { page: number; perPage: number; only?: 'added' | 'removed' | 'changed' },
) {
  const row = (x: R) => ({ row_id: x.rowId, ...fields.identity(x), values: x.values });
  const longest = page.only ? d.counts[page.only] : Math.max(d.counts.added, d.counts.removed, d.counts.changed);
  return {
    success: true,
    dataset_id: d.dataset.id,
    against_dataset_id: d.against.id,
    ...fields.head,
    columns: { added: d.columns.added, removed: d.columns.removed, unchanged: d.columns.common },
    counts: d.counts,
    rows: {
      added: d.added.map(row),
      removed: d.removed.map(row),
      changed: d.changed.map((x) => ({
        row_id: x.rowId,
        against_row_id: x.againstRowId,
        ...fields.changes(x),
        before: x.before,
        after: x.after,
      })),
    },
    page: page.page,
    per_page: page.perPage,
    pages: pageCount(longest, page.perPage),
  };
}
