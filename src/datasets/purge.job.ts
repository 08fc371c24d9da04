// Job `maintenance.purge`: hard-deletes failed drafts and finished jobs older than the retention period.
import type { DatabaseHandle } from '../db/database.js';
import type { JobDefinition } from '../jobs/job-catalogue.js';
import type { JobRepository } from '../jobs/job.repository.js';
import type { DatasetRepository } from './dataset.repository.js';

export function purgeJob(dbh: DatabaseHandle, datasets: DatasetRepository, jobs: JobRepository, retentionMs: number): JobDefinition<'maintenance.purge'> {
  return {
    async run() {
      const before = Date.now() - retentionMs;
      for (const id of await datasets.datasetsWithStatusBefore('failed', before)) {
        await dbh.transaction((trx) => datasets.hardDeleteDataset(trx, id));
      }
      await jobs.purgeFinished(before);
    },
  };
}
