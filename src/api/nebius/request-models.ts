// Seed 004's pydantic request models (and the query/PATCH models of the other /v1 routes) as PyModel definitions,
// and the parsers that validate requests with them: the one source of the Nebius face's 422 answers.
import { PRIMITIVE_TYPES } from '../../datasets/column-types.js';
import { ValidationError, type FieldIssue, type InputSource } from '../../errors.js';
import { NEBIUS_EXPORT_FORMATS, UPLOAD_FILE_FORMATS } from './schemas.js';
import { PydanticValidator, pyInt, type PyField, type PyModel, type PyType } from './pydantic-validation.js';
import type { CreateFromRowsInput, CreateFromS3Input } from '../../datasets/typed-schema/typed-dataset.service.js';

/** `option` types nest at most this deep (a Strata bound: deeper answers one `value_error` instead of recursing). */
export const MAX_OPTION_DEPTH = 32;

const str: PyType = { kind: 'str' };
const optionalStr: PyType = { kind: 'nullable', inner: str };
const req = (name: string, type: PyType): PyField => ({ name, type, required: true });
const opt = (name: string, type: PyType): PyField => ({ name, type, required: false });

const columnType: PyType = { kind: 'union', members: () => [SchemaPrimitive, SchemaOption] };

export const SchemaPrimitive: PyModel = {
  name: 'SchemaPrimitive',
  fields: () => [req('name', { kind: 'enum', values: PRIMITIVE_TYPES })],
};
export const SchemaOption: PyModel = {
  name: 'SchemaOption',
  fields: () => [req('name', { kind: 'enum', values: ['option'] }), req('item', columnType)],
};
export const ColumnSchemaModel: PyModel = {
  name: 'ColumnSchema',
  fields: () => [req('name', str), req('type', columnType)],
};

export const CreateDatasetRequestUpload: PyModel = {
  name: 'CreateDatasetRequestUpload',
  fields: () => [
    req('name', str),
    req('schema', { kind: 'list', item: { kind: 'model', model: ColumnSchemaModel } }),
    req('folder', str),
    req('rows', { kind: 'list', item: { kind: 'dict' } }),
    opt('ai_project_id', optionalStr),
  ],
};

export const CreateDatasetRequestS3: PyModel = {
  name: 'CreateDatasetRequestS3',
  fields: () => [
    req('name', str),
    req('folder', str),
    ...['s3_service_url', 's3_region', 's3_uri', 's3_key_id', 's3_secret_key'].map((f) => req(f, str)),
    opt('ai_project_id', optionalStr),
  ],
};

/** POST /v1/datasets/uploads (a multipart upload's dataset). */
export const CreateUploadRequest: PyModel = {
  name: 'CreateUploadRequest',
  fields: () => [
    req('name', str),
    req('schema', { kind: 'list', item: { kind: 'model', model: ColumnSchemaModel } }),
    req('folder', str),
  ],
};

/** Strata's extension of CreateUploadRequest: the file's format (checked after the seed model accepted the body). */
export const UploadFormatExtras: PyModel = {
  name: 'extras',
  fields: () => [opt('format', { kind: 'literal', values: UPLOAD_FILE_FORMATS })],
};

export const CompleteUploadRequest: PyModel = {
  name: 'CompleteUploadRequest',
  fields: () => [req('part_ids', { kind: 'list', item: str })],
};

export const PatchDatasetRequest: PyModel = {
  name: 'PatchDatasetRequest',
  fields: () => [opt('name', str), opt('folder', str)],
};

// +2: the body's union and a column's type union sit above the first option.
const validator = new PydanticValidator({
  maxUnionDepth: MAX_OPTION_DEPTH + 2,
  depthMessage: `option types nest at most ${MAX_OPTION_DEPTH} levels deep`,
});

/** Strata's extension fields, checked after the seed models accepted the body (pydantic ignores unknown keys). */
const ttlField: PyField = opt('ttl_seconds', { kind: 'int', ge: 60, le: 30 * 86400 });
const s3SchemaField: PyField = opt('schema', { kind: 'list', item: { kind: 'model', model: ColumnSchemaModel } });
const StrataUploadExtras: PyModel = { name: 'extras', fields: () => [ttlField] };
const StrataS3Extras: PyModel = { name: 'extras', fields: () => [ttlField, s3SchemaField] };

/** The validated bodies are the core's inputs (a small body's rows are in memory; a streamed body's on disk). */
export type UploadBody = Omit<CreateFromRowsInput, 'rows'> & { rows: Array<Record<string, unknown>> };
export type S3Body = CreateFromS3Input;

function fail(issues: FieldIssue[], source: InputSource = 'body'): never {
  throw new ValidationError('request is not valid', issues, source);
}

const missingBody: FieldIssue = { type: 'missing', path: [], message: 'Field required', input: null };

/** A body model's errors at the body's root (FastAPI's single-model body), or a missing body. */
export function parseBody<T>(model: PyModel, body: unknown, extras?: PyModel): T {
  if (body === undefined) fail([missingBody]);
  const out = validator.validate({ kind: 'model', model }, body, []);
  if (out.errors.length > 0) fail(out.errors);
  if (extras) {
    const more = validator.validate({ kind: 'model', model: extras }, body, []);
    if (more.errors.length > 0) fail(more.errors);
  }
  return body as T;
}

/** POST /v1/datasets: `Union[CreateDatasetRequestUpload, CreateDatasetRequestS3]` in pydantic's smart mode. */
export function parseCreateBody(body: unknown): { kind: 'upload'; body: UploadBody } | { kind: 's3'; body: S3Body } {
  if (body === undefined) fail([missingBody]);
  const out = validator.validate(
    { kind: 'union', members: () => [CreateDatasetRequestUpload, CreateDatasetRequestS3] },
    body,
    [],
  );
  if (out.errors.length > 0) fail(out.errors);
  const isS3 = out.member === CreateDatasetRequestS3.name;
  const more = validator.validate({ kind: 'model', model: isS3 ? StrataS3Extras : StrataUploadExtras }, body, []);
  if (more.errors.length > 0) fail(more.errors);
  const b = body as Record<string, unknown>;
  if (b.ttl_seconds !== undefined) b.ttl_seconds = pyInt(b.ttl_seconds);
  return isS3 ? { kind: 's3', body: b as unknown as S3Body } : { kind: 'upload', body: b as unknown as UploadBody };
}

/** Query models: each field is an optional query parameter with a default. */
export interface QueryField {
  name: string;
  type: PyType;
  default?: unknown;
}

/** Validates query parameters as FastAPI does (all problems at once, at the parameter's name) and applies defaults. */
export function parseQuery<T>(fields: QueryField[], query: Record<string, unknown>): T {
  const issues: FieldIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const raw = query[f.name];
    // A repeated parameter: FastAPI reads the last value for a scalar.
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (v === undefined) {
      if (f.default !== undefined) out[f.name] = f.default;
      continue;
    }
    const r = validator.validate(f.type, v, [f.name]);
    if (r.errors.length > 0) issues.push(...r.errors);
    else out[f.name] = f.type.kind === 'int' ? pyInt(v) : v;
  }
  if (issues.length > 0) fail(issues, 'query');
  return out as T;
}

export const LIST_QUERY: QueryField[] = [
  { name: 'limit', type: { kind: 'int', ge: 1, le: 100 }, default: 20 },
  { name: 'after', type: str },
  { name: 'folder', type: str },
];

export const CONTENT_QUERY: QueryField[] = [
  { name: 'limit', type: { kind: 'int', ge: 1, le: 1000 }, default: 100 },
  { name: 'offset', type: { kind: 'int', ge: 0 }, default: 0 },
  { name: 'version', type: str },
];

export const EXPORT_QUERY: QueryField[] = [
  { name: 'format', type: { kind: 'literal', values: NEBIUS_EXPORT_FORMATS }, default: 'jsonl' },
  { name: 'version', type: str },
];
