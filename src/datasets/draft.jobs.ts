// Jobs `dataset.copy_draft` (fill a new draft from a version) and `dataset.save_draft` (publish a draft as the next version).
import type { DatabaseHandle } from '../db/database.js';
import { PermanentJobError } from '../errors.js';
import type { JobDefinition } from '../jobs/job-catalogue.js';
import type { DatasetRepository } from './dataset.repository.js';
import type { DraftRepository } from './draft.repository.js';
import type { VersionPublisher } from './version-publisher.js';

export function copyDraftJob(
  dbh: DatabaseHandle,
  datasets: DatasetRepository,
  drafts: DraftRepository,
  publisher: VersionPublisher,
): JobDefinition<'dataset.copy_draft'> {
  return {
    async run({ datasetId, sourceId }, ctx) {
      // One fenced transaction: the copy and the switch to `draft` happen together or not at all, so a rerun is safe.
      await dbh.transaction(async (trx) => {
        await ctx.fence(trx);
        const draft = await drafts.lockDataset(trx, datasetId);
        // finished_at marks a finished copy: after it the draft may be `processing` again because it is being saved.
        if (!draft || draft.status !== 'processing' || draft.finished_at !== null) return;
        const source = await datasets.findDataset(sourceId, trx);
        if (!source) throw new PermanentJobError(`source dataset ${sourceId} no longer exists`);
        const copied = await drafts.copyRows(trx, datasetId, sourceId);
        await datasets.updateDataset(trx, datasetId, {
          status: 'draft',
          column_names: JSON.stringify(source.column_names),
          row_count: copied,
          finished_at: Date.now(),
        });
      });
    },
    async onFailed({ datasetId }, message, ctx) {
      await publisher.fail(ctx, datasetId, `copying the source version failed: ${message}`, () => undefined);
    },
  };
}

export function saveDraftJob(
  dbh: DatabaseHandle,
  datasets: DatasetRepository,
  drafts: DraftRepository,
  publisher: VersionPublisher,
): JobDefinition<'dataset.save_draft'> {
  return {
    async run({ datasetId }, ctx) {
      const draft = await publisher.claimDraft(datasetId);
      if (!draft) return;
      const rowCount = await drafts.countRows(dbh.db, datasetId);
      await publisher.publish(ctx, datasetId, { columns: draft.column_names, rowCount }, (d, version) => ({
        workspaceId: d.workspace_id,
        type: 'dataset_version_created_from_draft',
        details: { dataset_id: d.id, dataset_version_number: version },
        userId: d.user_id,
      }));
    },
    async onFailed({ datasetId }, message, ctx) {
      // The user's edits stay: the draft becomes editable again, with the error to read.
      await dbh.transaction(async (trx) => {
        await ctx.fence(trx);
        const d = await datasets.findDataset(datasetId, trx);
        if (d && d.status === 'processing')
          await datasets.updateDataset(trx, datasetId, { status: 'draft', error: `saving failed: ${message}` });
      });
    },
  };
}
