// The typed job catalogue: every job name with its payload. Handlers live beside their domain.
import type { Tx } from '../db/database.js';
import type { BuildSpec } from '../request-logs/build-spec.js';

export type FileFormat = 'csv' | 'json' | 'jsonl' | 'parquet';

export interface JobPayloads {
  /** Parse an uploaded file blob into a processing draft, then publish it as the next version. */
  'dataset.import_file': { datasetId: number; blobKey: string; format: FileFormat };
  /** Fill a processing draft with the request logs a filter (or an id list) selects, then publish it. */
  'dataset.build_from_filter': { datasetId: number; spec: BuildSpec; warnings: string[] };
  /** Fetch the object(s) of a Nebius S3 import (source in nebius_s3_imports) into the processing draft, then publish it. */
  'nebius.s3_import': { datasetId: number };
  /** Read a completed Nebius multipart upload's parts (in order) into the processing draft, checked against its schema. */
  'nebius.upload_import': { datasetId: number };
  /** Copy a published version's rows (with their row identity) into a new draft, then make it editable. */
  'dataset.copy_draft': { datasetId: number; sourceId: number };
  /** Publish a saved draft as the group's next version. */
  'dataset.save_draft': { datasetId: number };
  /** Compute and store the column statistics of a just-published version's first columns (for the rows page). */
  'dataset.column_stats': { datasetId: number };
  /** Hard-delete failed drafts (and finished jobs) older than the retention period. */
  'maintenance.purge': Record<string, never>;
}

export type JobName = keyof JobPayloads;

export interface JobRunContext {
  readonly jobId: number;
  readonly attempt: number;
  /** Aborted when the worker stops or loses its lease: long loops should check it. */
  readonly signal: AbortSignal;
  /**
   * Throws LeaseLostError unless this attempt still holds the job's lease. Call it inside EVERY transaction through
   * which the job writes (rows, deletes, status, publication): a stalled worker resumed after a takeover then
   * changes nothing.
   */
  fence(trx: Tx): Promise<void>;
}

export interface JobDefinition<N extends JobName> {
  run(payload: JobPayloads[N], ctx: JobRunContext): Promise<void>;
  /** Called once when the job has failed for good (permanent error or out of attempts); fence its writes with `ctx`. */
  onFailed?(payload: JobPayloads[N], message: string, ctx: JobRunContext): Promise<void>;
}

export type JobHandlers = { [N in JobName]: JobDefinition<N> };
