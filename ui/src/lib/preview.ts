// Reads the from-filter-params preview answer (count + sample of matching logs) into columns and rows for a table.
import { rowAsRecord } from './diff';

export interface Preview {
  count: number | null;
  columns: string[];
  rows: Array<Record<string, unknown>>;
  warnings: string[];
}

export function normalisePreview(raw: unknown): Preview {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const countRaw = r.count ?? r.total ?? r.matching_count ?? r.rows_count;
  const count = typeof countRaw === 'number' ? countRaw : null;
  const givenColumns = Array.isArray(r.columns) ? r.columns.filter((c): c is string => typeof c === 'string') : [];
  const sample = [r.sample, r.sample_rows, r.rows, r.items, r.sample_logs].find(Array.isArray) as unknown[] | undefined;
  const rows = (sample ?? []).map((row) => rowAsRecord(row, givenColumns) ?? {});
  const columns = givenColumns.length ? givenColumns : [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const warnings = Array.isArray(r.warnings) ? r.warnings.map(String) : [];
  return { count, columns, rows, warnings };
}
