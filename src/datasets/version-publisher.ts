// Fills a processing draft with rows and publishes it atomically as the group's next version (or fails it).
// Every job that builds a version (file, filter params, S3, draft save) goes through here.
import type { DatabaseHandle, Tx } from '../db/database.js';
import type { DatasetRow } from '../db/schema.js';
import type { DomainEvent, EventSink } from '../events/domain-events.js';
import type { JobRunContext } from '../jobs/job-catalogue.js';
import { LeaseLostError } from '../jobs/job.repository.js';
import type { DatasetRepository } from './dataset.repository.js';
import { storedRow, type StoredRowValues } from './stored-row.js';

/** Buffers rows and writes them in batches, each batch in its own transaction. */
export class RowWriter {
  private batch: StoredRowValues[] = [];
  private next = 0;

  constructor(
    private readonly dbh: DatabaseHandle,
    private readonly repo: DatasetRepository,
    private readonly datasetId: number,
    private readonly batchSize: number,
    private readonly ctx: JobRunContext,
  ) {}

  get count(): number {
    return this.next + this.batch.length;
  }

  /** Rows per transaction. */
  get batchRows(): number {
    return this.batchSize;
  }

  async add(cells: unknown[], rowUid: string | null = null): Promise<void> {
    this.batch.push(storedRow(cells, rowUid));
    if (this.batch.length >= this.batchSize) await this.flush();
  }

  /** Rows already turned into stored values (storedRow), e.g. by the import thread (threaded-import.ts). */
  async addStored(rows: readonly StoredRowValues[]): Promise<void> {
    for (const row of rows) {
      this.batch.push(row);
      if (this.batch.length >= this.batchSize) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    if (this.ctx.signal.aborted) throw new Error('job interrupted');
    const rows = this.batch;
    this.batch = [];
    const first = this.next;
    this.next += rows.length;
    // Relaxed durability is safe here: an interrupted import starts over from an empty draft.
    await this.dbh.transaction(
      async (trx) => {
        await this.ctx.fence(trx);
        await this.repo.insertRows(trx, this.datasetId, first, rows);
      },
      { relaxed: true },
    );
  }
}

export interface PublishResult {
  columns: string[];
  rowCount: number;
  warnings?: string[];
  filterParams?: string | null;
  /** Extra writes that must commit with the publication (e.g. the group's typed schema). */
  alsoInTransaction?: (trx: Tx, draft: DatasetRow, version: number) => Promise<void>;
}

export class VersionPublisher {
  constructor(
    private readonly dbh: DatabaseHandle,
    private readonly repo: DatasetRepository,
    private readonly events: EventSink,
    private readonly batchSize: number,
    /** Further writes committed with every publication (app.ts enqueues the column statistics job here). */
    private readonly afterPublish?: (trx: Tx, datasetId: number) => Promise<unknown>,
  ) {}

  /** The draft if it still waits for this job; undefined when an earlier run already finished it. */
  async claimDraft(datasetId: number): Promise<DatasetRow | undefined> {
    const d = await this.repo.findDataset(datasetId);
    return d && d.status === 'processing' ? d : undefined;
  }

  /** Removes rows a previous, interrupted attempt left behind, and returns a writer for a fresh start. */
  async startRows(datasetId: number, ctx: JobRunContext): Promise<RowWriter> {
    // Fenced, and only while the draft still waits: a stale attempt resumed after another published cannot empty it.
    await this.dbh.transaction(async (trx) => {
      await ctx.fence(trx);
      const draft = await this.repo.findDataset(datasetId, trx);
      if (!draft || draft.status !== 'processing') throw new LeaseLostError(ctx.jobId);
      await this.repo.deleteRows(trx, datasetId);
    });
    return new RowWriter(this.dbh, this.repo, datasetId, this.batchSize, ctx);
  }

  /**
   * In one transaction: checks the lease, gives the draft the next version number, marks it ready and
   * records the event built from that number. Returns the number, or undefined when already published.
   */
  async publish(
    ctx: JobRunContext,
    datasetId: number,
    result: PublishResult,
    event: (d: DatasetRow, version: number) => DomainEvent | undefined,
  ): Promise<number | undefined> {
    // The rows are committed (row batches) and the draft is not visible as a version yet: refreshed here, the
    // planner's statistics know the version before any reader sees it.
    await this.repo.refreshRowStatistics(result.rowCount);
    return this.dbh.transaction(async (trx: Tx) => {
      await ctx.fence(trx);
      const draft = await this.repo.findDataset(datasetId, trx);
      if (!draft || draft.status !== 'processing') return undefined;
      await this.repo.lockGroup(trx, draft.group_id);
      const version = await this.repo.nextVersionNumber(trx, draft.group_id);
      await this.repo.updateDataset(trx, datasetId, {
        status: 'ready',
        version_number: version,
        column_names: JSON.stringify(result.columns),
        row_count: result.rowCount,
        warnings: result.warnings && result.warnings.length > 0 ? JSON.stringify(result.warnings) : null,
        ...(result.filterParams !== undefined ? { filter_params: result.filterParams } : {}),
        finished_at: Date.now(),
      });
      await result.alsoInTransaction?.(trx, draft, version);
      await this.afterPublish?.(trx, datasetId);
      const e = event(draft, version);
      if (e) await this.events.record(trx, e);
      return version;
    });
  }

  /** Marks a processing draft failed with its error, removes its rows, and records the event (fenced by `ctx`). */
  async fail(
    ctx: JobRunContext,
    datasetId: number,
    message: string,
    event: (d: DatasetRow) => DomainEvent | undefined,
  ): Promise<void> {
    await this.dbh.transaction(async (trx) => {
      await ctx.fence(trx);
      const draft = await this.repo.findDataset(datasetId, trx);
      if (!draft || draft.status !== 'processing') return;
      await this.repo.deleteRows(trx, datasetId);
      // Messages may quote file content; PostgreSQL text cannot hold NUL.
      const error = message.replaceAll('\u0000', '\\u0000');
      await this.repo.updateDataset(trx, datasetId, { status: 'failed', error, row_count: 0, finished_at: Date.now() });
      const e = event(draft);
      if (e) await this.events.record(trx, e);
    });
  }
}
