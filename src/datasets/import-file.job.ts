// Job `dataset.import_file`: streams an uploaded blob through its parser into the draft, then publishes it.
import type { JobDefinition } from '../jobs/job-catalogue.js';
import { BlobNotFoundError, type BlobStore } from '../storage/blob-store.js';
import { PermanentJobError, TransientError } from '../errors.js';
import { FileFormatError } from './parsers/index.js';
import { encodeRowsInThread } from './threaded-import.js';
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
      // A read error of the stream itself is the storage failing (network, server restart), never the file's content:
      // the parsers would report it as a syntax error, so it is told apart here and retried as transient.
      let storageError: unknown;
      input.on('error', (err) => (storageError ??= err));
      // Parsing, row checks and encoding run in a worker thread while this one stores the batches it sends.
      const reader = encodeRowsInThread(format, input, writer.batchRows);
      try {
        for await (const rows of reader.batches()) await writer.addStored(rows);
      } catch (err) {
        if (storageError !== undefined) {
          throw new TransientError(
            `reading the uploaded file from storage failed: ${(storageError as Error).message ?? String(storageError)}`,
            { cause: storageError },
          );
        }
        throw err;
      }
      await writer.flush();
      if (writer.count === 0) throw new FileFormatError('file has no data rows');
      await publisher.publish(
        ctx,
        datasetId,
        { columns: reader.columns, rowCount: writer.count, warnings: reader.warnings },
        (d, version) => ({
          workspaceId: d.workspace_id,
          type: 'dataset_version_created_by_file',
          details: { dataset_id: d.id, dataset_version_number: version },
          userId: d.user_id,
        }),
      );
      await blobs.delete(blobKey);
    },
    async onFailed({ datasetId, blobKey }, message, ctx) {
      await publisher.fail(ctx, datasetId, message, (d) => ({
        workspaceId: d.workspace_id,
        type: 'dataset_version_created_by_file_failed',
        details: { dataset_id: d.id, error_message: message },
        userId: d.user_id,
      }));
      await blobs.delete(blobKey);
    },
  };
}
