// Nebius-compatible dataset routes (/v1/datasets): create (rows upload, streamed when large, or S3 import), list, read, rename/move, delete, content, export, and the multipart upload routes.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import { ValidationError } from '../../errors.js';
import type { TypedDatasetService } from '../../datasets/typed-schema/typed-dataset.service.js';
import { TYPED_EXPORT_CONTENT_TYPES, type TypedExportFormat } from '../../datasets/typed-schema/typed-export.js';
import { JsonSyntaxError, parseLossless, stringifyLossless } from '../../datasets/lossless-json.js';
import {
  CONTENT_QUERY,
  EXPORT_QUERY,
  LIST_QUERY,
  parseBody,
  parseCreateBody,
  parseQuery,
  PatchDatasetRequest,
} from './request-models.js';
import { presentNebiusDataset, presentNebiusDatasetObject } from './dataset.presenter.js';
import type { UploadService } from '../../datasets/uploads/upload.service.js';
import { nebiusUploadRoutes } from './uploads.routes.js';
import { readCreateBody } from './streamed-body.js';
import {
  ContentQuery,
  CreateDatasetRequestS3,
  CreateDatasetRequestUpload,
  CreateDatasetResponse,
  DatasetIdParam,
  DatasetObject,
  ExportQuery,
  HTTPError,
  HTTPValidationError,
  ListQuery,
  PatchBody,
} from './schemas.js';

/** These routes validate with request-models.ts (pydantic's rules); the zod schemas only document them. */
const documentedOnly = () => (data: unknown) => ({ value: data });

/** JSON bodies as FastAPI reads them: Python's json grammar and errors, big integers kept exactly. */
function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return parseLossless(text);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new ValidationError('malformed JSON', [
      {
        type: 'json_invalid',
        path: [err.pos],
        message: 'JSON decode error',
        input: {},
        ctx: { error: err.message },
      },
    ]);
  }
}

const errors = { 401: HTTPError, 404: HTTPError, 409: HTTPError, 422: HTTPValidationError };

/** Rethrows a core ValidationError about inputs the route read from the query string. */
function fromQuery(err: unknown): never {
  throw err instanceof ValidationError ? err.in('query') : err;
}

export async function nebiusDatasetRoutes(
  app: FastifyInstance,
  opts: { typedDatasets: TypedDatasetService; uploads: UploadService; uploadBodyLimit: number; tmpDir: string },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const nebius = opts.typedDatasets;
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: opts.uploadBodyLimit },
    (_req, body, done) => {
      try {
        done(null, parseJsonBody(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );

  // The create route streams large bodies (rows spooled to disk), in its own scope with its own JSON parser.
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', (req, payload, done) => {
      readCreateBody(payload, { maxBytes: opts.uploadBodyLimit, tmpDir: opts.tmpDir, parse: parseJsonBody }).then(
        ({ value, cleanup }) => {
          (req as { cleanupBody?: () => Promise<void> }).cleanupBody = cleanup;
          done(null, value);
        },
        (err: Error) => done(err, undefined),
      );
    });
    // The handler removes the spool files; this also covers requests that fail before it runs.
    scope.addHook('onResponse', async (req) => {
      await (req as { cleanupBody?: () => Promise<void> }).cleanupBody?.();
    });
    scope.withTypeProvider<ZodTypeProvider>().post('/v1/datasets', {
      bodyLimit: opts.uploadBodyLimit,
      schema: {
        tags: ['nebius'],
        summary: 'Create a dataset by uploading rows or importing from S3',
        body: z.union([CreateDatasetRequestUpload, CreateDatasetRequestS3]),
        response: { 200: CreateDatasetResponse, 401: errors[401], 422: errors[422] },
      },
      validatorCompiler: documentedOnly,
      handler: async (req) => {
        try {
          const parsed = parseCreateBody(req.body);
          const caller = callerOf(req);
          const view =
            parsed.kind === 's3'
              ? await nebius.createFromS3(caller, parsed.body)
              : await nebius.createFromRows(caller, parsed.body);
          return presentNebiusDataset(view);
        } finally {
          await (req as { cleanupBody?: () => Promise<void> }).cleanupBody?.();
        }
      },
    });
  });

  // Parts arrive as raw bytes and are streamed to blob storage (the service counts and bounds them).
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
  await nebiusUploadRoutes(app, opts.uploads, documentedOnly);

  r.get('/v1/datasets', {
    schema: {
      tags: ['nebius'],
      summary: 'List datasets, newest first (cursor paging)',
      querystring: ListQuery,
      response: {
        200: z.object({ data: z.array(DatasetObject), has_more: z.boolean(), last_id: z.string().nullable() }),
        401: errors[401],
        422: errors[422],
      },
    },
    validatorCompiler: documentedOnly,
    handler: async (req) => {
      const q = parseQuery<{ limit: number; after?: string; folder?: string }>(LIST_QUERY, req.query);
      // The service's `after` came from the query string: its issue is shown at ["query", "after"].
      const { data, hasMore } = await nebius.list(callerOf(req), q).catch(fromQuery);
      const out = data.map(presentNebiusDatasetObject);
      return { data: out, has_more: hasMore, last_id: out.length > 0 ? out[out.length - 1].id : null };
    },
  });

  r.get('/v1/datasets/:id', {
    schema: {
      tags: ['nebius'],
      summary: 'One dataset',
      params: DatasetIdParam,
      response: { 200: DatasetObject, 401: errors[401], 404: errors[404] },
    },
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
    validatorCompiler: documentedOnly,
    handler: async (req) =>
      presentNebiusDatasetObject(
        await nebius.update(
          callerOf(req),
          req.params.id,
          parseBody<{ name?: string; folder?: string }>(PatchDatasetRequest, req.body),
        ),
      ),
  });

  r.delete('/v1/datasets/:id', {
    schema: {
      tags: ['nebius'],
      summary: 'Delete a dataset',
      params: DatasetIdParam,
      response: { 200: z.object({}), 401: errors[401], 404: errors[404] },
    },
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
    validatorCompiler: documentedOnly,
    // Sent as text so big integers in json cells keep every digit.
    handler: async (req, reply) => {
      const q = parseQuery<{ limit: number; offset: number; version?: string }>(CONTENT_QUERY, req.query);
      const content = await nebius.readContent(callerOf(req), req.params.id, q);
      return reply.type('application/json; charset=utf-8').send(stringifyLossless(content) as never);
    },
  });

  r.get('/v1/datasets/:id/export', {
    schema: {
      tags: ['nebius'],
      summary: 'The rows as a JSONL, CSV or Parquet file',
      params: DatasetIdParam,
      querystring: ExportQuery,
      response: {
        200: z.unknown().describe('The file (application/jsonl, text/csv or application/vnd.apache.parquet)'),
        ...errors,
      },
    },
    validatorCompiler: documentedOnly,
    handler: async (req, reply) => {
      const q = parseQuery<{ format: TypedExportFormat; version?: string }>(EXPORT_QUERY, req.query);
      const { group, file } = await nebius.exportFile(callerOf(req), req.params.id, q);
      const fileName = `${group.name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'dataset'}.${q.format}`;
      return reply
        .header('content-type', TYPED_EXPORT_CONTENT_TYPES[q.format])
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .send(file);
    },
  });
}
