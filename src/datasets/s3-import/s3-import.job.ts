// Job `nebius.s3_import` (name kept: queued jobs still run): fetches the object (or every object under a prefix) of an
// S3 import, parses it, checks or infers the schema, and publishes the draft as the dataset's version — or fails it
// with a readable error.
import type { S3Client } from '@aws-sdk/client-s3';
import { PermanentJobError } from '../../errors.js';
import type { JobDefinition } from '../../jobs/job-catalogue.js';
import type { DatabaseHandle } from '../../db/database.js';
import { ColumnIndex } from '../parsers/table-reader.js';
import { FileFormatError, openTableReader } from '../parsers/index.js';
import { ParquetReader } from '../parsers/parquet-reader.js';
import { SchemaInferrer, type ColumnSchema } from '../column-types.js';
import type { DatasetRepository } from '../dataset.repository.js';
import type { VersionPublisher } from '../version-publisher.js';
import { fileVersionCreated, fileVersionFailed } from '../file-version-events.js';
import type { SecretBox } from '../../security/secret-box.js';
import type { EndpointGuard } from '../../net/s3-endpoint-guard.js';
import { declaredCells } from '../typed-schema/declared-cells.js';
import type { S3ImportRepository } from './s3-import.repository.js';
import { describeS3Error, formatOf, getObject, listObjects, parseS3Uri, s3ClientFor } from './s3-source.js';

export interface S3ImportDeps {
  dbh: DatabaseHandle;
  imports: S3ImportRepository;
  datasets: DatasetRepository;
  publisher: VersionPublisher;
  secrets: SecretBox;
  guard: EndpointGuard;
  maxBytes: number;
}

export function s3ImportJob(deps: S3ImportDeps): JobDefinition<'nebius.s3_import'> {
  const { dbh, imports, publisher, secrets, guard } = deps;
  return {
    async run({ datasetId }, ctx) {
      if (!(await publisher.claimDraft(datasetId))) {
        await imports.delete(dbh.db, datasetId);
        return;
      }
      const source = await imports.find(datasetId);
      if (!source) throw new PermanentJobError('the S3 import source is no longer available');
      const declared = source.schema ?? undefined;
      const loc = parseS3Uri(source.uri);
      let url: URL;
      try {
        url = await guard.check(source.service_url);
      } catch (err) {
        throw describeS3Error(err, source.uri, source.service_url);
      }
      let secret: string;
      try {
        secret = secrets.open(source.secret_sealed);
      } catch {
        throw new PermanentJobError('the stored S3 secret cannot be decrypted (was STRATA_SECRET_KEY changed?)');
      }
      const client: S3Client = s3ClientFor(source, secret, guard, url);
      try {
        let objects: Array<{ key: string; size?: number }>;
        if (loc.isPrefix) {
          try {
            objects = await listObjects(client, loc);
          } catch (err) {
            throw describeS3Error(err, source.uri, source.service_url);
          }
          if (objects.length === 0) throw new PermanentJobError(`no objects under ${source.uri}`);
        } else {
          objects = [{ key: loc.key }];
        }

        const writer = await publisher.startRows(datasetId, ctx);
        // Without a declared schema, columns are the union over every file, in first-seen order.
        const index = new ColumnIndex();
        const inferrer = new SchemaInferrer();
        const warnings: string[] = [];
        let totalBytes = 0;
        let parquetSchema: ColumnSchema[] | undefined;
        for (const obj of objects) {
          const where = `s3://${loc.bucket}/${obj.key}`;
          let fetched;
          try {
            fetched = await getObject(client, loc.bucket, obj.key);
          } catch (err) {
            throw describeS3Error(err, where, source.service_url);
          }
          const format = formatOf(obj.key, fetched.contentType);
          if (!format) {
            fetched.body.destroy();
            if (loc.isPrefix) {
              warnings.push(`skipped ${where}: not a .csv, .json, .jsonl or .parquet file`);
              continue;
            }
            throw new PermanentJobError(
              `cannot tell the format of ${where}: name it .csv, .json, .jsonl or .parquet, or set its content type`,
            );
          }
          totalBytes += fetched.size;
          if (totalBytes > deps.maxBytes) {
            fetched.body.destroy();
            throw new PermanentJobError(`the import is larger than the ${deps.maxBytes}-byte limit (at ${where})`);
          }
          const reader = openTableReader(format, fetched.body);
          let rowInFile = 0;
          try {
            for await (const cells of reader.rows()) {
              rowInFile++;
              const names = reader.columns;
              if (declared) {
                await writer.add(declaredCells(declared, names, cells, format, `${where} row ${rowInFile}`));
              } else {
                const row: unknown[] = [];
                names.forEach((n, j) => {
                  row[index.positionOf(n)] = j < cells.length ? cells[j] : null;
                });
                for (let i = 0; i < row.length; i++) if (row[i] === undefined) row[i] = null;
                inferrer.observe(row, index.names.length);
                await writer.add(row);
              }
            }
          } catch (err) {
            if (err instanceof FileFormatError)
              throw new PermanentJobError(`cannot parse ${where} as ${format.toUpperCase()}: ${err.message}`);
            throw err;
          }
          warnings.push(...reader.warnings.map((w) => `${where}: ${w}`));
          if (reader instanceof ParquetReader && objects.length === 1) parquetSchema = reader.declaredSchema;
        }
        await writer.flush();
        if (writer.count === 0) throw new PermanentJobError(`no data rows in ${source.uri}`);
        const schema = declared ?? parquetSchema ?? inferrer.schema(index.names);
        await publisher.publish(
          ctx,
          datasetId,
          {
            columns: schema.map((c) => c.name),
            rowCount: writer.count,
            warnings,
            alsoInTransaction: async (trx, draft) => {
              await deps.datasets.setGroupSchema(trx, draft.group_id, schema);
              await imports.delete(trx, datasetId);
            },
          },
          fileVersionCreated,
        );
      } finally {
        client.destroy();
      }
    },
    async onFailed({ datasetId }, message, ctx) {
      await publisher.fail(ctx, datasetId, message, fileVersionFailed(message));
      await imports.delete(dbh.db, datasetId);
    },
  };
}
