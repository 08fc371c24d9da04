// Reads the version diff response (GET /datasets/{id}/diff?against=) into one shape for the compare page.
// The server's field names are matched tolerantly (e.g. `columns_added` or `columns.added`), so small
// naming differences between server releases do not blank the page.

export type RowChangeKind = 'added' | 'removed' | 'changed';

export interface RowChange {
  kind: RowChangeKind;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** Columns whose value differs (changed rows only). */
  changedColumns: string[];
}

export interface VersionDiff {
  columnsAdded: string[];
  columnsRemoved: string[];
  counts: { added: number; removed: number; changed: number; unchanged: number | null };
  rows: RowChange[];
  /** Total row changes on the server, when it pages the detail. */
  totalChanges: number | null;
  /** Pages of row detail on the server (each page holds up to per_page rows of each kind). */
  pages: number | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : Array.isArray(v) ? v.length : null;

function pick(o: Obj, ...keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined) return o[k];
  return undefined;
}

/** A row in any wire form ({col: v}, [v...], [{type, value}...], {cells|values: ...}) as {column: value}. */
export function rowAsRecord(row: unknown, columns: string[]): Record<string, unknown> | null {
  if (row === null || row === undefined) return null;
  if (Array.isArray(row)) {
    const out: Record<string, unknown> = {};
    row.forEach((cell, i) => {
      const value =
        isObj(cell) && 'value' in cell && Object.keys(cell).every((k) => k === 'value' || k === 'type')
          ? cell.value
          : cell;
      out[columns[i] ?? `column ${i + 1}`] = value;
    });
    return out;
  }
  if (isObj(row)) {
    const inner = pick(row, 'cells', 'values', 'data', 'row');
    if (inner !== undefined && (Array.isArray(inner) || isObj(inner))) return rowAsRecord(inner, columns);
    return { ...row };
  }
  return { value: row };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function changedColumnsOf(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): string[] {
  if (!before || !after) return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !same(before[k], after[k]));
}

function kindOf(v: unknown): RowChangeKind | null {
  const s = typeof v === 'string' ? v.toLowerCase() : '';
  if (['added', 'add', 'insert', 'inserted', 'new'].includes(s)) return 'added';
  if (['removed', 'remove', 'delete', 'deleted'].includes(s)) return 'removed';
  if (['changed', 'change', 'modified', 'update', 'updated'].includes(s)) return 'changed';
  return null;
}

function changeOf(
  entry: unknown,
  fallback: RowChangeKind | null,
  baseColumns: string[],
  otherColumns: string[],
): RowChange | null {
  if (!isObj(entry)) {
    if (!fallback) return null;
    const rec = rowAsRecord(entry, fallback === 'removed' ? baseColumns : otherColumns);
    return {
      kind: fallback,
      before: fallback === 'removed' ? rec : null,
      after: fallback === 'added' ? rec : null,
      changedColumns: [],
    };
  }
  const kind = kindOf(pick(entry, 'change', 'kind', 'type', 'status', 'op', 'action')) ?? fallback;
  if (!kind) return null;
  let before = rowAsRecord(pick(entry, 'before', 'old', 'from', 'left', 'base', 'old_row', 'before_row'), baseColumns);
  let after = rowAsRecord(pick(entry, 'after', 'new', 'to', 'right', 'other', 'new_row', 'after_row'), otherColumns);
  if (!before && !after) {
    const single = rowAsRecord(
      pick(entry, 'row', 'cells', 'values', 'data') ?? null,
      kind === 'removed' ? baseColumns : otherColumns,
    );
    if (kind === 'removed') before = single;
    else after = single;
  }
  const cells = pick(entry, 'cells_changed', 'changed_cells', 'cells');
  if (kind === 'changed' && isObj(cells) && !before && !after) {
    before = {};
    after = {};
    for (const [col, c] of Object.entries(cells)) {
      if (isObj(c)) {
        before[col] = pick(c, 'before', 'old', 'from');
        after[col] = pick(c, 'after', 'new', 'to');
      }
    }
  }
  const given = strings(pick(entry, 'changed_columns', 'columns_changed', 'changed'));
  return {
    kind,
    before: kind === 'added' ? null : before,
    after: kind === 'removed' ? null : after,
    changedColumns: kind === 'changed' ? (given.length ? given : changedColumnsOf(before, after)) : [],
  };
}

export function normaliseDiff(
  raw: unknown,
  baseColumns: string[] = [],
  otherColumns: string[] = baseColumns,
): VersionDiff {
  const r: Obj = isObj(raw) ? (isObj(raw.diff) ? raw.diff : raw) : {};
  const columns = isObj(r.columns) ? r.columns : {};
  const columnsAdded = strings(pick(r, 'columns_added', 'added_columns') ?? pick(columns, 'added'));
  const columnsRemoved = strings(pick(r, 'columns_removed', 'removed_columns') ?? pick(columns, 'removed'));

  const rows: RowChange[] = [];
  const list = pick(r, 'changes', 'row_changes', 'items', 'differences', 'details');
  const rowsField = r.rows;
  const listed = Array.isArray(list) ? list : Array.isArray(rowsField) ? rowsField : null;
  if (listed) {
    for (const e of listed) {
      const c = changeOf(e, null, baseColumns, otherColumns);
      if (c) rows.push(c);
    }
  }
  // Separate arrays per kind: {rows: {added: [...], ...}} or rows_added: [...].
  const rowsObj = isObj(rowsField) ? rowsField : {};
  for (const kind of ['added', 'removed', 'changed'] as const) {
    const arr = pick(rowsObj, kind) ?? pick(r, `rows_${kind}`, `${kind}_rows`);
    if (Array.isArray(arr) && !listed)
      for (const e of arr) {
        const c = changeOf(e, kind, baseColumns, otherColumns);
        if (c) rows.push(c);
      }
  }

  const countsObj = (
    isObj(pick(r, 'counts', 'summary', 'stats', 'totals')) ? pick(r, 'counts', 'summary', 'stats', 'totals') : {}
  ) as Obj;
  const count = (kind: RowChangeKind) =>
    num(pick(countsObj, `rows_${kind}`, kind, `${kind}_rows`)) ??
    num(pick(rowsObj, `${kind}_count`)) ??
    num(pick(r, `rows_${kind}_count`, `rows_${kind}`)) ??
    rows.filter((x) => x.kind === kind).length;
  const unchanged = num(pick(countsObj, 'rows_unchanged', 'unchanged', 'unchanged_rows')) ?? num(r.rows_unchanged);
  const total = num(pick(r, 'total', 'total_changes'));
  const pages = typeof r.pages === 'number' ? r.pages : null;
  return {
    columnsAdded,
    columnsRemoved,
    counts: { added: count('added'), removed: count('removed'), changed: count('changed'), unchanged },
    rows,
    totalChanges: typeof r.total === 'number' || typeof r.total_changes === 'number' ? total : null,
    pages,
  };
}
