// Job `nebius.upload_import` (name kept: queued jobs still run): reads a completed multipart upload's parts, in the
// order complete gave, as one file with the same parsers and typed-schema checks as an S3 import, and publishes the
// draft — or fails it with a readable error.
import { Readable } from 'node:stream';
import { PermanentJobError } from '../../errors.js';
import type { JobDefinition } from '../../jobs/job-catalogue.js';
import { FileFormatError, openTableReader } from '../parsers/index.js';
import type { DatasetRepository } from '../dataset.repository.js';
import type { VersionPublisher } from '../version-publisher.js';
import { fileVersionCreated, fileVersionFailed } from '../file-version-events.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { declaredCells } from '../typed-schema/declared-cells.js';
import type { UploadRepository } from './upload.repository.js';
import { partKey } from './upload.service.js';

export interface UploadImportDeps {
  uploads: UploadRepository;
  datasets: DatasetRepository;
  publisher: VersionPublisher;
  blobs: BlobStore;
}

/** The parts' bytes one after another, each blob opened only when the previous one is finished. */
function concatenated(blobs: BlobStore, keys: string[]): Readable {
  return Readable.from(
    (async function* () {
      for (const key of keys) for await (const chunk of await blobs.get(key)) yield chunk as Buffer;
    })(),
  );
}

export function uploadImportJob(deps: UploadImportDeps): JobDefinition<'nebius.upload_import'> {
  const { uploads, publisher, blobs } = deps;
  return {
    async run({ datasetId }, ctx) {
      if (!(await publisher.claimDraft(datasetId))) return;
      const upload = await uploads.findUploadOfDataset(datasetId);
      if (!upload?.part_ids) throw new PermanentJobError('the upload of this dataset is no longer available');
      const { schema, format, part_ids: partIds } = upload;
      const writer = await publisher.startRows(datasetId, ctx);
      const reader = openTableReader(
        format,
        concatenated(
          blobs,
          partIds.map((p) => partKey(upload.id, p)),
        ),
      );
      let row = 0;
      try {
        for await (const cells of reader.rows()) {
          row++;
          await writer.add(declaredCells(schema, reader.columns, cells, format, `row ${row}`));
        }
      } catch (err) {
        if (err instanceof FileFormatError)
          throw new PermanentJobError(`cannot parse the uploaded file as ${format.toUpperCase()}: ${err.message}`);
        throw err;
      }
      await writer.flush();
      await publisher.publish(
        ctx,
        datasetId,
        {
          columns: schema.map((c) => c.name),
          rowCount: writer.count,
          warnings: reader.warnings,
          alsoInTransaction: async (trx, draft) => deps.datasets.setGroupSchema(trx, draft.group_id, schema),
        },
        fileVersionCreated,
      );
    },
    async onFailed({ datasetId }, message, ctx) {
      await publisher.fail(ctx, datasetId, message, fileVersionFailed(message));
    },
  };
}
