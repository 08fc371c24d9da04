// Use cases of PromptLayer's draft flow: create a draft (empty or copied from a version), edit its rows and columns, save it.
import type { DatabaseHandle, Tx } from '../db/database.js';
import type { DatasetGroupRow, DatasetRow } from '../db/schema.js';
import type { Caller } from '../auth/caller.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { DatasetRepository } from './dataset.repository.js';
import type { DatasetService } from './dataset.service.js';
import type { DraftRepository } from './draft.repository.js';
import { MAX_COLUMNS } from '../input-limits.js';

/** Most rows one add-rows call may carry. */
export const MAX_ROWS_PER_CALL = 1000;

export class DraftService {
  constructor(
    private readonly dbh: DatabaseHandle,
    private readonly datasets: DatasetRepository,
    private readonly drafts: DraftRepository,
    private readonly access: DatasetService,
    private readonly jobs: JobQueue,
  ) {}

  /**
   * Creates the group's draft: empty (copying=false), or processing while a job copies `source_dataset_id`'s rows
   * (copying=true). A copy replaces the group's draft while that draft is untouched (no rows, no columns, not a copy);
   * otherwise 409 when the group already has a draft being edited, copied or saved.
   */
  async createDraft(
    caller: Caller,
    input: { dataset_group_id: number; source_dataset_id?: number },
  ): Promise<{ draft: DatasetRow; group: DatasetGroupRow; copying: boolean }> {
    const group = await this.access.getGroup(caller, input.dataset_group_id);
    let source: DatasetRow | undefined;
    if (input.source_dataset_id !== undefined) {
      source = (await this.access.getDataset(caller, input.source_dataset_id)).dataset;
      if (source.group_id !== group.id)
        throw new ValidationError(`dataset ${source.id} belongs to dataset group ${source.group_id}, not ${group.id}`);
      if (source.status !== 'ready')
        throw new ValidationError(
          `dataset ${source.id} is not a published version (status ${source.status}); copy a ready version`,
        );
    }
    const draft = await this.dbh.transaction(async (trx) => {
      await this.datasets.lockGroup(trx, group.id);
      const existing = await this.drafts.findDraftInProgress(trx, group.id);
      // The empty draft every group starts with stands in for "no draft yet": a copy takes its place (same id).
      if (existing && source && (await this.isUntouched(trx, existing))) {
        await this.datasets.updateDataset(trx, existing.id, {
          status: 'processing',
          source_dataset_id: source.id,
          column_names: JSON.stringify(source.column_names),
        });
        await this.jobs.enqueue(
          trx,
          'dataset.copy_draft',
          { datasetId: existing.id, sourceId: source.id },
          { workspaceId: group.workspace_id },
        );
        return {
          ...existing,
          status: 'processing' as const,
          source_dataset_id: source.id,
          column_names: source.column_names,
        };
      }
      if (existing) {
        throw new ConflictError(
          existing.status === 'draft'
            ? `dataset group ${group.id} already has a draft (dataset ${existing.id}); edit it, save it or delete it first`
            : `dataset group ${group.id} has a draft in progress (dataset ${existing.id} is being copied or saved); try again when it is done`,
        );
      }
      const d = await this.datasets.insertDataset(trx, {
        group_id: group.id,
        workspace_id: group.workspace_id,
        status: source ? 'processing' : 'draft',
        origin: 'draft',
        user_id: caller.userId,
        source_dataset_id: source?.id ?? null,
        column_names: JSON.stringify(source?.column_names ?? []),
      });
      if (source)
        await this.jobs.enqueue(
          trx,
          'dataset.copy_draft',
          { datasetId: d.id, sourceId: source.id },
          { workspaceId: group.workspace_id },
        );
      return d;
    });
    if (source) this.jobs.notify();
    return { draft, group, copying: source !== undefined };
  }

  /** An editable draft nobody has filled yet: no columns, no rows, not copied from a version. */
  private async isUntouched(ex: Tx, d: DatasetRow): Promise<boolean> {
    if (d.status !== 'draft' || d.source_dataset_id !== null || d.column_names.length > 0) return false;
    return !(await this.drafts.hasRows(ex, d.id));
  }

  /** Queues the group's draft to become the next version; the draft id is returned at once (202). */
  async saveDraft(caller: Caller, input: { dataset_group_id: number }): Promise<DatasetRow> {
    const group = await this.access.getGroup(caller, input.dataset_group_id);
    const draft = await this.dbh.transaction(async (trx) => {
      await this.datasets.lockGroup(trx, group.id);
      const d = await this.drafts.findDraftInProgress(trx, group.id);
      if (!d) throw new NotFoundError(`draft of dataset group ${group.id}`);
      if (d.status !== 'draft')
        throw new ConflictError(
          `the draft of dataset group ${group.id} (dataset ${d.id}) is still being copied or saved`,
        );
      if (d.column_names.length === 0)
        throw new ValidationError(`the draft (dataset ${d.id}) has no columns yet; add rows before saving it`);
      await this.datasets.updateDataset(trx, d.id, { status: 'processing' });
      await this.jobs.enqueue(trx, 'dataset.save_draft', { datasetId: d.id }, { workspaceId: group.workspace_id });
      return d;
    });
    this.jobs.notify();
    return draft;
  }

  // ---- row and column edits (drafts only)

  /** Appends rows given as {column: value} objects; keys not yet in the draft become new columns (in first-seen order). */
  async addRows(
    caller: Caller,
    id: number,
    rows: Array<Record<string, unknown>>,
  ): Promise<{ rowIds: number[]; columns: string[] }> {
    if (rows.length === 0) throw new ValidationError('rows must hold at least one row');
    if (rows.length > MAX_ROWS_PER_CALL) throw new ValidationError(`at most ${MAX_ROWS_PER_CALL} rows per call`);
    return this.edit(caller, id, async (trx, draft, columns) => {
      for (const row of rows)
        for (const key of Object.keys(row))
          if (!columns.includes(key)) columns.push(checkColumnName(key, columns, true));
      const first = await this.datasets.nextRowIndex(trx, id);
      const stored = rows.map((row) => ({
        data: JSON.stringify(columns.map((c) => (Object.hasOwn(row, c) ? (row[c] ?? null) : null))),
      }));
      await this.datasets.insertRows(trx, id, first, stored);
      await this.datasets.updateDataset(trx, id, {
        column_names: JSON.stringify(columns),
        row_count: draft.row_count + rows.length,
      });
      return { rowIds: rows.map((_, i) => first + i), columns };
    });
  }

  /** Sets some cells of one row; every key must be an existing column. */
  async updateRow(
    caller: Caller,
    id: number,
    rowId: number,
    values: Record<string, unknown>,
  ): Promise<{ rowId: number; values: Record<string, unknown> }> {
    return this.edit(caller, id, async (trx, _draft, columns) => {
      const unknown = Object.keys(values).filter((k) => !columns.includes(k));
      if (unknown.length > 0) throw new ValidationError(`unknown column(s) ${unknown.join(', ')}; add a column first`);
      const row = await this.drafts.findRow(trx, id, rowId);
      if (!row) throw new NotFoundError(`row ${rowId} of dataset`, id);
      const cells = JSON.parse(row.data) as unknown[];
      while (cells.length < columns.length) cells.push(null);
      for (const [k, v] of Object.entries(values)) cells[columns.indexOf(k)] = v ?? null;
      await this.drafts.updateRowData(trx, id, rowId, JSON.stringify(cells));
      await this.datasets.updateDataset(trx, id, {});
      return { rowId, values: Object.fromEntries(columns.map((c, i) => [c, cells[i]])) };
    });
  }

  /** Deletes rows by id; ids that do not exist are reported, not an error (deleting twice is harmless). */
  async deleteRows(caller: Caller, id: number, rowIds: number[]): Promise<{ deleted: number[]; missing: number[] }> {
    if (rowIds.length === 0) throw new ValidationError('row_ids must hold at least one id');
    return this.edit(caller, id, async (trx, draft) => {
      const deleted = await this.drafts.deleteRows(trx, id, [...new Set(rowIds)]);
      await this.datasets.updateDataset(trx, id, { row_count: draft.row_count - deleted.length });
      return { deleted: deleted.sort((a, b) => a - b), missing: rowIds.filter((r) => !deleted.includes(r)) };
    });
  }

  async addColumn(caller: Caller, id: number, name: string, defaultValue: unknown = null): Promise<string[]> {
    return this.edit(caller, id, async (trx, _draft, columns) => {
      const position = columns.length;
      columns.push(checkColumnName(name, columns, false));
      // Rows shorter than the column list read as null, so only a non-null default needs rewriting rows.
      if (defaultValue !== null && defaultValue !== undefined)
        await this.drafts.fillColumn(trx, id, position, defaultValue);
      await this.datasets.updateDataset(trx, id, { column_names: JSON.stringify(columns) });
      return columns;
    });
  }

  async renameColumn(caller: Caller, id: number, from: string, to: string): Promise<string[]> {
    return this.edit(caller, id, async (trx, _draft, columns) => {
      const position = columns.indexOf(from);
      if (position < 0) throw new NotFoundError(`column "${from}" of dataset`, id);
      if (from === to) return columns;
      columns[position] = checkColumnName(to, columns, false);
      await this.datasets.updateDataset(trx, id, { column_names: JSON.stringify(columns) });
      return columns;
    });
  }

  async removeColumn(caller: Caller, id: number, name: string): Promise<string[]> {
    return this.edit(caller, id, async (trx, _draft, columns) => {
      const position = columns.indexOf(name);
      if (position < 0) throw new NotFoundError(`column "${name}" of dataset`, id);
      await this.drafts.removeCell(trx, id, position);
      columns.splice(position, 1);
      await this.datasets.updateDataset(trx, id, { column_names: JSON.stringify(columns) });
      return columns;
    });
  }

  /** Runs an edit in one transaction with the draft locked; anything but an editable draft is a 409. */
  private async edit<T>(
    caller: Caller,
    id: number,
    fn: (trx: Tx, draft: DatasetRow, columns: string[]) => Promise<T>,
  ): Promise<T> {
    await this.access.getDataset(caller, id);
    return this.dbh.transaction(async (trx) => {
      const draft = await this.drafts.lockDataset(trx, id);
      if (!draft || draft.is_deleted) throw new NotFoundError('dataset', id);
      if (draft.status !== 'draft') {
        throw new ConflictError(
          draft.status === 'processing'
            ? `dataset ${id} is being processed (copied or saved); edit it once it is a draft again`
            : `dataset ${id} is version ${draft.version_number}, not a draft; published versions are immutable (create a draft from it instead)`,
        );
      }
      // A copy: edits change the list they are given before writing it.
      return fn(trx, draft, [...draft.column_names]);
    });
  }
}

function checkColumnName(name: string, existing: string[], fromRow: boolean): string {
  if (name.trim() === '') throw new ValidationError('column names must not be blank');
  if (name.length > 1000) throw new ValidationError('column names are at most 1000 characters');
  if (!fromRow && existing.includes(name)) throw new ValidationError(`column "${name}" already exists`);
  if (existing.length >= MAX_COLUMNS) throw new ValidationError(`a dataset has at most ${MAX_COLUMNS} columns`);
  return name;
}
