// Zod schemas of the Nebius face (/v1) for types and OpenAPI; requests are validated by request-models.ts (pydantic's rules).
import { z } from 'zod';
import { PRIMITIVE_TYPES, type ColumnType } from '../../datasets/column-types.js';
import type { ExportFormat } from '../../datasets/export/index.js';
import type { FileFormat } from '../../jobs/job-catalogue.js';
import { MAX_COLUMNS } from '../../input-limits.js';

export const SchemaPrimitive = z.object({ name: z.enum(PRIMITIVE_TYPES) }).meta({ id: 'SchemaPrimitive' });

export const ColumnTypeSchema: z.ZodType<ColumnType> = z
  .lazy(() => z.discriminatedUnion('name', [SchemaPrimitive, SchemaOption]))
  .meta({ id: 'ColumnType' });

export const SchemaOption = z
  .object({
    name: z.literal('option'),
    get item() {
      return ColumnTypeSchema;
    },
  })
  .meta({ id: 'SchemaOption' });

export const ColumnSchemaZ = z.object({ name: z.string(), type: ColumnTypeSchema }).meta({ id: 'ColumnSchema' });

const ttl = z
  .number()
  .int()
  .min(60)
  .max(30 * 86400)
  .optional()
  .describe('Strata: makes a TEMPORARY dataset that is removed this many seconds after creation');

export const CreateDatasetRequestUpload = z
  .object({
    name: z
      .string()
      .min(1)
      .max(256)
      .describe('Name of the dataset (unique in the workspace among live datasets; 1..256 characters).'),
    schema: z
      .array(ColumnSchemaZ)
      .min(1)
      .max(MAX_COLUMNS)
      .describe(`Dataset schema definition (at most ${MAX_COLUMNS} columns).`),
    folder: z.string().describe('Folder path where the dataset is stored.'),
    rows: z
      .array(
        z
          .record(z.string(), z.unknown())
          .refine((r) => Object.keys(r).length <= MAX_COLUMNS, `a row has at most ${MAX_COLUMNS} keys`),
      )
      .describe('Rows; every cell is checked against the schema.'),
    ai_project_id: z.string().nullable().optional(),
    ttl_seconds: ttl,
  })
  .meta({ id: 'CreateDatasetRequestUpload' });

export const CreateDatasetRequestS3 = z
  .object({
    name: z.string().min(1),
    folder: z.string(),
    s3_service_url: z
      .string()
      .min(1)
      .describe('S3-compatible endpoint, e.g. https://storage.eu-north1.nebius.cloud:443'),
    s3_region: z.string().min(1),
    s3_uri: z
      .string()
      .min(1)
      .describe(
        's3://bucket/key for one object (.csv, .json, .jsonl, .parquet) or s3://bucket/prefix/ for every object under it',
      ),
    s3_key_id: z.string().min(1),
    s3_secret_key: z.string().min(1).describe('Never returned or logged; stored encrypted until the import finishes.'),
    ai_project_id: z.string().nullable().optional(),
    schema: z
      .array(ColumnSchemaZ)
      .min(1)
      .max(MAX_COLUMNS)
      .optional()
      .describe('Strata: the schema the files must match; inferred when omitted'),
    ttl_seconds: ttl,
  })
  .meta({ id: 'CreateDatasetRequestS3' });

export const DatasetStatus = z.enum(['READY', 'PENDING', 'FAILED', 'TEMPORARY', 'DRAFT']).meta({ id: 'DatasetStatus' });

const datasetFields = {
  id: z.string().describe('32 hex characters'),
  name: z.string(),
  status: DatasetStatus,
  schema: z.array(ColumnSchemaZ),
  metadata: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  current_version_origin: z.object({ type: z.enum(['upload', 's3']) }).nullable(),
  folder: z.string(),
  current_version: z.string(),
  created_at: z.number().int().describe('Unix seconds'),
  error: z.string().nullable(),
  ai_project_id: z.string().nullable(),
};

export const CreateDatasetResponse = z.object(datasetFields).meta({ id: 'CreateDatasetResponse' });
export const DatasetObject = z.object({ ...datasetFields, type: z.literal('dataset') }).meta({ id: 'Dataset' });

export const ValidationErrorItem = z.object({
  type: z.string(),
  loc: z.array(z.union([z.string(), z.number()])),
  msg: z.string(),
  input: z.unknown(),
  ctx: z.record(z.string(), z.unknown()).optional(),
});
export const HTTPValidationError = z
  .object({ detail: z.array(ValidationErrorItem) })
  .meta({ id: 'HTTPValidationError' });
export const HTTPError = z.object({ detail: z.string() }).meta({ id: 'HTTPError' });

export const DatasetIdParam = z.object({ id: z.string().describe('Dataset id (32 hex characters)') });

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().optional().describe('last_id of the previous page'),
  folder: z.string().optional().describe('Only datasets in exactly this folder'),
});

export const ContentQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  version: z.string().optional().describe('A version id; the current version when omitted'),
});

/** The core's export formats this face offers, in its documented order (Nebius's API has no JSON array export). */
export const NEBIUS_EXPORT_FORMATS = ['jsonl', 'csv', 'parquet'] as const satisfies readonly ExportFormat[];

export const ExportQuery = z.object({
  format: z.enum(NEBIUS_EXPORT_FORMATS).default('jsonl'),
  version: z.string().optional(),
});

export const PatchBody = z.object({ name: z.string().min(1).optional(), folder: z.string().optional() });

/** The file formats a multipart upload may hold, in the documented order. */
export const UPLOAD_FILE_FORMATS = ['jsonl', 'json', 'csv', 'parquet'] as const satisfies readonly FileFormat[];

/** POST /v1/datasets/uploads: the dataset a multipart upload makes (Strata adds the file's format). */
export const CreateUploadBody = z
  .object({
    name: z.string().min(1).max(256),
    schema: z.array(ColumnSchemaZ).min(1),
    folder: z.string(),
    format: z
      .enum(UPLOAD_FILE_FORMATS)
      .default('jsonl')
      .optional()
      .describe('Strata: the format of the uploaded file (JSON Lines by default)'),
  })
  .meta({ id: 'CreateUploadRequest' });

export const UploadInfo = z
  .object({
    status: z.enum(['PENDING', 'COMPLETED', 'FAILED']),
    dataset: z.object({
      name: z.string(),
      schema: z.array(ColumnSchemaZ),
      folder: z.string(),
      id: z.string().nullable(),
    }),
    created_at: z.number().int(),
    error: z.string().nullable(),
    completed_at: z.number().int().nullable(),
    ai_project_id: z.string().nullable(),
  })
  .meta({ id: 'UploadInfoResponse' });

export const UploadResponse = z.object({ id: z.string(), upload_info: UploadInfo }).meta({ id: 'UploadResponse' });

export const UploadPart = z
  .object({
    id: z.string(),
    upload_id: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    created_at: z.number().int(),
  })
  .meta({ id: 'UploadPartInfoResponse' });

export const UploadParts = z
  .object({ object: z.literal('list'), data: z.array(UploadPart) })
  .meta({ id: 'UploadPartsResponse' });

export const CompleteUploadBody = z.object({ part_ids: z.array(z.string()) }).meta({ id: 'CompleteUploadRequest' });

export const UploadIdParam = z.object({ upload_id: z.string() });
