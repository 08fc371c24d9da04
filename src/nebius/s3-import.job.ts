// Job `nebius.s3_import`: fetches the object (or every object under a prefix) of an S3 import, parses it, checks or
// infers the schema, and publishes the draft as the dataset's version — or fails it with a readable error.
import type { S3Client } from '@aws-sdk/client-s3';
import { PermanentJobError } from '../errors.js';
import { parseLossless } from '../datasets/lossless-json.js';
import type { FileFormat, JobDefinition } from '../jobs/job-catalogue.js';
import type { DatabaseHandle } from '../db/database.js';
import { ColumnIndex } from '../datasets/parsers/table-reader.js';
import { FileFormatError, openTableReader } from '../datasets/parsers/index.js';
import { ParquetReader } from '../datasets/parsers/parquet-reader.js';
import {
  baseType,
  cellsInSchemaOrder,
  checkRows,
  SchemaInferrer,
  type ColumnSchema,
  type ColumnType,
} from '../datasets/column-types.js';
import type { VersionPublisher } from '../datasets/version-publisher.js';
import type { SecretBox } from '../security/secret-box.js';
import type { EndpointGuard } from '../net/s3-endpoint-guard.js';
import type { NebiusRepository } from './nebius.repository.js';
import { describeS3Error, formatOf, getObject, listObjects, parseS3Uri, s3ClientFor } from './s3-source.js';

/** At most this many schema problems are listed in the error. */
const MAX_SCHEMA_ISSUES = 5;

export interface S3ImportDeps {
  dbh: DatabaseHandle;
  repo: NebiusRepository;
  publisher: VersionPublisher;
  secrets: SecretBox;
  guard: EndpointGuard;
  maxBytes: number;
}

/** CSV cells are text: with a declared schema they are read as that type ("" is null for nullable columns). */
function fromText(t: ColumnType, text: unknown): unknown {
  if (typeof text !== 'string') return text;
  if (text === '' && (t.name === 'option' || t.name === 'null')) return null;
  const b = baseType(t);
  switch (b.name) {
    case 'integer':
      return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
    case 'float':
    case 'double':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    case 'boolean':
      return /^(true|false)$/i.test(text.trim()) ? text.trim().toLowerCase() === 'true' : text;
    case 'json':
      try {
        return parseLossless(text);
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/**
 * One file row checked against a declared schema (CSV text read as the declared types), as cells in schema order;
 * a mismatch fails the import naming the row and up to MAX_SCHEMA_ISSUES problems.
 */
export function declaredCells(
  declared: ColumnSchema[],
  names: string[],
  cells: unknown[],
  format: FileFormat,
  where: string,
): unknown[] {
  const obj: Record<string, unknown> = {};
  names.forEach((n, j) => {
    if (j < cells.length) obj[n] = cells[j];
  });
  if (format === 'csv') for (const c of declared) if (c.name in obj) obj[c.name] = fromText(c.type, obj[c.name]);
  const issues = checkRows(declared, [obj], [], MAX_SCHEMA_ISSUES);
  if (issues.length > 0) {
    const list = issues.map((i) => `column "${i.loc[1]}": ${i.msg}`).join('; ');
    throw new PermanentJobError(`schema mismatch in ${where}: ${list}`);
  }
  return cellsInSchemaOrder(declared, obj);
}

export function s3ImportJob(deps: S3ImportDeps): JobDefinition<'nebius.s3_import'> {
  const { dbh, repo, publisher, secrets, guard } = deps;
  return {
    async run({ datasetId }, ctx) {
      if (!(await publisher.claimDraft(datasetId))) {
        await repo.deleteS3Import(dbh.db, datasetId);
        return;
      }
      const source = await repo.findS3Import(datasetId);
      if (!source) throw new PermanentJobError('the S3 import source is no longer available');
      const declared = source.schema_json ? (JSON.parse(source.schema_json) as ColumnSchema[]) : undefined;
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
              await repo.setGroupSchema(trx, draft.group_id, JSON.stringify(schema));
              await repo.deleteS3Import(trx, datasetId);
            },
          },
          (d, version) => ({
            workspaceId: d.workspace_id,
            type: 'dataset_version_created_by_file',
            details: { dataset_id: d.id, dataset_version_number: version },
            userId: d.user_id,
          }),
        );
      } finally {
        client.destroy();
      }
    },
    async onFailed({ datasetId }, message, ctx) {
      await publisher.fail(ctx, datasetId, message, (d) => ({
        workspaceId: d.workspace_id,
        type: 'dataset_version_created_by_file_failed',
        details: { dataset_id: d.id, error_message: message },
        userId: d.user_id,
      }));
      await repo.deleteS3Import(dbh.db, datasetId);
    },
  };
}
