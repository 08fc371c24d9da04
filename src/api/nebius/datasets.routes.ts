// Nebius-compatible dataset routes (/v1/datasets): create by rows upload or S3 import, list, read, rename/move, delete, content, export.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import { ValidationError } from '../../errors.js';
import type { NebiusService } from '../../nebius/nebius.service.js';
import { EXPORT_CONTENT_TYPES, exportStream } from '../../nebius/export-stream.js';
import { presentNebiusDataset, presentNebiusDatasetObject } from './dataset.presenter.js';
import {
  ContentQuery,
  CreateDatasetRequestS3,
  CreateDatasetRequestUpload,
  CreateDatasetResponse,
  DatasetIdParam,
  DatasetObject,
  ExportQuery,
  fastApiIssues,
  HTTPError,
  HTTPValidationError,
  ListQuery,
  PatchBody,
  type S3Body,
  type UploadBody,
} from './schemas.js';

const S3_FIELDS = ['s3_service_url', 's3_region', 's3_uri', 's3_key_id', 's3_secret_key'];

/** Picks the body variant (any s3_* field means an S3 import) and validates it alone, so errors name the right fields. */
function parseCreateBody(body: unknown): { kind: 'upload'; body: UploadBody } | { kind: 's3'; body: S3Body } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('body must be a JSON object', [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'model_attributes_type' }]);
  }
  const isS3 = S3_FIELDS.some((f) => f in body);
  const parsed = isS3 ? CreateDatasetRequestS3.safeParse(body, { reportInput: true }) : CreateDatasetRequestUpload.safeParse(body, { reportInput: true });
  if (!parsed.success) throw new ValidationError('request body is not valid', fastApiIssues(parsed.error));
  return isS3 ? { kind: 's3', body: parsed.data as S3Body } : { kind: 'upload', body: parsed.data as UploadBody };
}

const errors = { 401: HTTPError, 404: HTTPError, 409: HTTPError, 422: HTTPValidationError };

export async function nebiusDatasetRoutes(app: FastifyInstance, opts: { nebius: NebiusService; uploadBodyLimit: number }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { nebius } = opts;

  r.post('/v1/datasets', {
    bodyLimit: opts.uploadBodyLimit,
    schema: {
      tags: ['nebius'],
      summary: 'Create a dataset by uploading rows or importing from S3',
      body: z.union([CreateDatasetRequestUpload, CreateDatasetRequestS3]),
      response: { 200: CreateDatasetResponse, 401: errors[401], 422: errors[422] },
    },
    // Runs after authentication and before the union check: validates the one variant the body is meant to be.
    preValidation: async (req) => {
      const parsed = parseCreateBody(req.body);
      (req as { nebiusBody?: unknown }).nebiusBody = parsed;
    },
    handler: async (req) => {
      const parsed = (req as { nebiusBody?: ReturnType<typeof parseCreateBody> }).nebiusBody ?? parseCreateBody(req.body);
      const caller = callerOf(req);
      const view = parsed.kind === 's3' ? await nebius.createFromS3(caller, parsed.body) : await nebius.createFromRows(caller, parsed.body);
      return presentNebiusDataset(view);
    },
  });

  r.get('/v1/datasets', {
    schema: {
      tags: ['nebius'],
      summary: 'List datasets, newest first (cursor paging)',
      querystring: ListQuery,
      response: { 200: z.object({ data: z.array(DatasetObject), has_more: z.boolean(), last_id: z.string().nullable() }), 401: errors[401], 422: errors[422] },
    },
    handler: async (req) => {
      const { data, hasMore } = await nebius.list(callerOf(req), req.query);
      const out = data.map(presentNebiusDatasetObject);
      return { data: out, has_more: hasMore, last_id: out.length > 0 ? out[out.length - 1].id : null };
    },
  });

  r.get('/v1/datasets/:id', {
    schema: { tags: ['nebius'], summary: 'One dataset', params: DatasetIdParam, response: { 200: DatasetObject, 401: errors[401], 404: errors[404] } },
    handler: async (req) => presentNebiusDatasetObject(await nebius.get(callerOf(req), req.params.id)),
  });

  r.patch('/v1/datasets/:id', {
    schema: {
      tags: ['nebius'],
      summary: 'Rename or move a dataset (schema and rows are unchanged)',
      params: DatasetIdParam,
      body: PatchBody,
      response: { 200: DatasetObject, 401: errors[401], 404: errors[404], 422: errors[422] },
    },
    handler: async (req) => presentNebiusDatasetObject(await nebius.update(callerOf(req), req.params.id, req.body)),
  });

  r.delete('/v1/datasets/:id', {
    schema: { tags: ['nebius'], summary: 'Delete a dataset', params: DatasetIdParam, response: { 200: z.object({}), 401: errors[401], 404: errors[404] } },
    handler: async (req) => {
      await nebius.remove(callerOf(req), req.params.id);
      return {};
    },
  });

  r.get('/v1/datasets/:id/content', {
    schema: {
      tags: ['nebius'],
      summary: 'A page of rows (objects keyed by column)',
      params: DatasetIdParam,
      querystring: ContentQuery,
      response: { 200: z.object({ rows: z.array(z.record(z.string(), z.unknown())), version: z.string() }), ...errors },
    },
    handler: async (req) => nebius.readContent(callerOf(req), req.params.id, req.query),
  });

  r.get('/v1/datasets/:id/export', {
    schema: {
      tags: ['nebius'],
      summary: 'The rows as a JSONL, CSV or Parquet file',
      params: DatasetIdParam,
      querystring: ExportQuery,
      response: { 200: z.unknown().describe('The file (application/jsonl, text/csv or application/vnd.apache.parquet)'), ...errors },
    },
    handler: async (req, reply) => {
      const exp = await nebius.openExport(callerOf(req), req.params.id, req.query.version);
      const format = req.query.format;
      const stream = await exportStream(format, exp.columns, exp.schema, exp.rows);
      const fileName = `${exp.group.name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'dataset'}.${format}`;
      return reply
        .header('content-type', EXPORT_CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .send(stream);
    },
  });
}
