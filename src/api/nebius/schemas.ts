// Zod schemas of the Nebius face (/v1): request bodies, the dataset object and FastAPI's validation error; one source for validation, types and OpenAPI.
import { z } from 'zod';
import { PRIMITIVE_TYPES, type ColumnType } from '../../datasets/column-types.js';
import type { FieldIssue } from '../../errors.js';
import { MAX_COLUMNS } from '../../input-limits.js';

export const SchemaPrimitive = z.object({ name: z.enum(PRIMITIVE_TYPES) }).meta({ id: 'SchemaPrimitive' });

export const ColumnTypeSchema: z.ZodType<ColumnType> = z.lazy(() => z.discriminatedUnion('name', [SchemaPrimitive, SchemaOption])).meta({ id: 'ColumnType' });

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
    name: z.string().min(1).describe('Name of the dataset (unique in the workspace among live datasets).'),
    schema: z.array(ColumnSchemaZ).min(1).max(MAX_COLUMNS).describe(`Dataset schema definition (at most ${MAX_COLUMNS} columns).`),
    folder: z.string().describe('Folder path where the dataset is stored.'),
    rows: z
      .array(z.record(z.string(), z.unknown()).refine((r) => Object.keys(r).length <= MAX_COLUMNS, `a row has at most ${MAX_COLUMNS} keys`))
      .describe('Rows; every cell is checked against the schema.'),
    ai_project_id: z.string().nullable().optional(),
    ttl_seconds: ttl,
  })
  .meta({ id: 'CreateDatasetRequestUpload' });

export const CreateDatasetRequestS3 = z
  .object({
    name: z.string().min(1),
    folder: z.string(),
    s3_service_url: z.string().min(1).describe('S3-compatible endpoint, e.g. https://storage.eu-north1.nebius.cloud:443'),
    s3_region: z.string().min(1),
    s3_uri: z.string().min(1).describe('s3://bucket/key for one object (.csv, .json, .jsonl, .parquet) or s3://bucket/prefix/ for every object under it'),
    s3_key_id: z.string().min(1),
    s3_secret_key: z.string().min(1).describe('Never returned or logged; stored encrypted until the import finishes.'),
    ai_project_id: z.string().nullable().optional(),
    schema: z.array(ColumnSchemaZ).min(1).max(MAX_COLUMNS).optional().describe('Strata: the schema the files must match; inferred when omitted'),
    ttl_seconds: ttl,
  })
  .meta({ id: 'CreateDatasetRequestS3' });

export type UploadBody = z.infer<typeof CreateDatasetRequestUpload>;
export type S3Body = z.infer<typeof CreateDatasetRequestS3>;

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

export const ValidationErrorItem = z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() });
export const HTTPValidationError = z.object({ detail: z.array(ValidationErrorItem) }).meta({ id: 'HTTPValidationError' });
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

export const ExportQuery = z.object({
  format: z.enum(['jsonl', 'csv', 'parquet']).default('jsonl'),
  version: z.string().optional(),
});

export const PatchBody = z.object({ name: z.string().min(1).optional(), folder: z.string().optional() });

const TYPE_NAMES: Record<string, [string, string]> = {
  string: ['string_type', 'Input should be a valid string'],
  number: ['float_type', 'Input should be a valid number'],
  int: ['int_type', 'Input should be a valid integer'],
  boolean: ['bool_type', 'Input should be a valid boolean'],
  object: ['dict_type', 'Input should be a valid dictionary'],
  record: ['dict_type', 'Input should be a valid dictionary'],
  array: ['list_type', 'Input should be a valid list'],
};

/** Zod issues in FastAPI's form: `{loc: ["body", ...path], msg, type}` with pydantic's type names where they exist. */
export function fastApiIssues(error: z.ZodError, prefix: Array<string | number> = ['body']): FieldIssue[] {
  return error.issues.map((i) => {
    const loc = [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (i.code === 'invalid_type') {
      if ((i as { input?: unknown }).input === undefined) return { loc, msg: 'Field required', type: 'missing' };
      const [type, msg] = TYPE_NAMES[i.expected] ?? [`${i.expected}_type`, i.message];
      return { loc, msg, type };
    }
    if (i.code === 'invalid_union') {
      return {
        loc,
        msg: `Input should be a column type: {"name": one of ${PRIMITIVE_TYPES.join(', ')}} or {"name": "option", "item": <column type>}`,
        type: 'union_tag_invalid',
      };
    }
    if (i.code === 'invalid_value') return { loc, msg: i.message, type: i.values.length === 1 ? 'literal_error' : 'enum' };
    if (i.code === 'too_small') return { loc, msg: i.message, type: i.origin === 'string' ? 'string_too_short' : i.origin === 'array' ? 'too_short' : 'greater_than_equal' };
    if (i.code === 'too_big') return { loc, msg: i.message, type: i.origin === 'string' ? 'string_too_long' : i.origin === 'array' ? 'too_long' : 'less_than_equal' };
    return { loc, msg: i.message, type: i.code };
  });
}
