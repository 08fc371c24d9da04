// Job `dataset.import_file`: streams an uploaded blob through its parser into the draft, then publishes it.
import type { JobDefinition } from '../jobs/job-catalogue.js';
import { BlobNotFoundError, type BlobStore } from '../storage/blob-store.js';
import { PermanentJobError } from '../errors.js';
import { FileFormatError, openTableReader } from './parsers/index.js';
import type { VersionPublisher } from './version-publisher.js';

export function importFileJob(publisher: VersionPublisher, blobs: BlobStore): JobDefinition<'dataset.import_file'> {
  return {
    async run({ datasetId, blobKey, format }, ctx) {
      if (!(await publisher.claimDraft(datasetId))) {
        await blobs.delete(blobKey);
        return;
      }
      const writer = await publisher.startRows(datasetId, ctx);
      let input;
      try {
        input = await blobs.get(blobKey);
      } catch (err) {
        if (err instanceof BlobNotFoundError) throw new PermanentJobError('the uploaded file is no longer available');
        throw err;
      }
      const reader = openTableReader(format, input);
      for await (const row of reader.rows()) await writer.add(row);
      await writer.flush();
      if (writer.count === 0) throw new FileFormatError('file has no data rows');
      await publisher.publish(ctx, datasetId, { columns: reader.columns, rowCount: writer.count, warnings: reader.warnings }, (d, version) => ({
        workspaceId: d.workspace_id,
        type: 'dataset_version_created_by_file',
        details: { dataset_id: d.id, dataset_version_number: version },
        userId: d.user_id,
      }));
      await blobs.delete(blobKey);
    },
    async onFailed({ datasetId, blobKey }, message) {
      await publisher.fail(datasetId, message, (d) => ({
        workspaceId: d.workspace_id,
        type: 'dataset_version_created_by_file_failed',
        details: { dataset_id: d.id, error_message: message },
        userId: d.user_id,
      }));
      await blobs.delete(blobKey);
    },
  };
}
