// Job `dataset.column_stats`: right after a version is published, computes and stores the statistics of its first
// page of columns, so the rows page shows them at once. Safe to run twice (stored figures are never overwritten).
import type { DatabaseHandle } from '../db/database.js';
import type { JobDefinition } from '../jobs/job-catalogue.js';
import type { ColumnStatsRepository } from './column-stats.repository.js';
import { FIRST_PAGE_COLUMNS, toStored, type ColumnStatsService } from './column-stats.service.js';
import type { DatasetRepository } from './dataset.repository.js';

export function columnStatsJob(
  dbh: DatabaseHandle,
  datasets: DatasetRepository,
  statsRepo: ColumnStatsRepository,
  stats: ColumnStatsService,
): JobDefinition<'dataset.column_stats'> {
  return {
    async run({ datasetId }, ctx) {
      const d = await datasets.findDataset(datasetId);
      if (!d || d.is_deleted || d.status !== 'ready') return;
      const columnCount = d.column_names.length;
      const to = Math.min(columnCount, FIRST_PAGE_COLUMNS);
      if ((await statsRepo.readCached(datasetId, 0, to)).length === to) return;
      const columns = await stats.compute(d, 0, to, ctx.signal);
      await dbh.transaction(async (trx) => {
        await ctx.fence(trx);
        // Deleted meanwhile: its rows may be purged soon, and figures written now would outlive it.
        const still = await datasets.findDataset(datasetId, trx);
        if (!still || still.is_deleted) return;
        await statsRepo.writeCached(trx, datasetId, toStored(columns));
      });
    },
  };
}
