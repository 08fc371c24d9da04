// Turns dataset rows into PromptLayer's wire shapes (plus Strata's extra fields).
import type { DatasetGroupRow, DatasetRow } from '../../db/schema.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function presentGroup(
  g: Pick<DatasetGroupRow, 'id' | 'name' | 'workspace_id' | 'is_deleted'> & Partial<DatasetGroupRow>,
) {
  return {
    id: g.id,
    name: g.name,
    workspace_id: g.workspace_id,
    is_deleted: g.is_deleted === 1,
    ...(g.created_at !== undefined ? { created_at: iso(g.created_at) } : {}),
    ...(g.updated_at !== undefined ? { updated_at: iso(g.updated_at) } : {}),
  };
}

export function presentDataset(
  d: DatasetRow,
  group: Pick<DatasetGroupRow, 'id' | 'name' | 'workspace_id' | 'is_deleted'>,
) {
  return {
    id: d.id,
    dataset_group_id: d.group_id,
    version_number: d.version_number,
    column_names: d.column_names,
    filter_params: d.filter_params,
    is_deleted: d.is_deleted === 1,
    user_id: d.user_id,
    dataset_group: presentGroup(group),
    status: d.status,
    origin: d.origin,
    row_count: d.row_count,
    error: d.error,
    warnings: d.warnings,
    file_name: d.file_name,
    source_dataset_id: d.source_dataset_id,
    created_at: isoOrNull(d.created_at),
    updated_at: isoOrNull(d.updated_at),
  };
}

/** PromptLayer's row cells: `[{type: "dataset", value}]` per row, following `columns`. */
export function presentRows(rows: unknown[][]) {
  return rows.map((cells) => cells.map((value) => ({ type: 'dataset' as const, value })));
}
