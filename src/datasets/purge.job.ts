// Job `maintenance.purge`: deletes the rows of deleted versions in batches, hard-deletes failed drafts (rows first,
// in batches) and finished jobs older than the retention period.
import type { DatabaseHandle } from '../db/database.js';
import type { JobDefinition } from '../jobs/job-catalogue.js';
import type { JobRepository } from '../jobs/job.repository.js';
import type { DatasetRepository } from './dataset.repository.js';

export interface PurgeOptions {
  /** Failed drafts and finished jobs older than this go. */
  retentionMs: number;
  /** Rows of versions deleted longer ago than this go (reads already under way, such as an export, finish first). */
  deletedRowsGraceMs: number;
  /** Rows deleted per transaction: a 1M-row version never holds the write lock (SQLite) or one huge delete (PostgreSQL). */
  batchRows: number;
}

export function purgeJob(
  dbh: DatabaseHandle,
  datasets: DatasetRepository,
  jobs: JobRepository,
  opts: PurgeOptions,
): JobDefinition<'maintenance.purge'> {
  const purgeRows = async (datasetId: number) => {
    for (;;) {
      // Relaxed: a batch lost to a crash is simply deleted again by the next run.
      const n = await dbh.transaction((trx) => datasets.deleteRowBatch(trx, datasetId, opts.batchRows), {
        relaxed: true,
      });
      if (n < opts.batchRows) return;
      // Let requests and other jobs run between batches.
      await new Promise((r) => setImmediate(r));
    }
  };
  return {
    async run() {
      const now = Date.now();
      for (const id of await datasets.deletedDatasetsWithRows(now - opts.deletedRowsGraceMs)) await purgeRows(id);
      const before = now - opts.retentionMs;
      for (const id of await datasets.datasetsWithStatusBefore('failed', before)) {
        await purgeRows(id);
        await dbh.transaction((trx) => datasets.hardDeleteDataset(trx, id));
      }
      await jobs.purgeFinished(before);
    },
  };
}
