// Nebius multipart uploads (/v1/datasets/uploads): create, send parts (raw bytes), list parts, complete, read.
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth-hook.js';
import type { ColumnSchema } from '../../datasets/column-types.js';
import type { FileFormat } from '../../jobs/job-catalogue.js';
import type { UploadService } from '../../datasets/uploads/upload.service.js';
import { CompleteUploadRequest, CreateUploadRequest, parseBody, UploadFormatExtras } from './request-models.js';
import { presentPart, presentUpload } from './upload.presenter.js';
import { ValidationError } from '../../errors.js';
import {
  CompleteUploadBody,
  CreateUploadBody,
  HTTPError,
  HTTPValidationError,
  UploadIdParam,
  UploadPart,
  UploadParts,
  UploadResponse,
} from './schemas.js';

const errors = { 401: HTTPError, 404: HTTPError, 409: HTTPError, 413: HTTPError, 422: HTTPValidationError };

export async function nebiusUploadRoutes(
  app: FastifyInstance,
  uploads: UploadService,
  documentedOnly: () => (data: unknown) => { value: unknown },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['nebius'];

  r.post('/v1/datasets/uploads', {
    schema: {
      tags,
      summary: 'Create a multipart upload for a dataset',
      body: CreateUploadBody,
      response: { 200: UploadResponse, 401: errors[401], 422: errors[422] },
    },
    validatorCompiler: documentedOnly,
    handler: async (req) => {
      const body = parseBody<{ name: string; schema: ColumnSchema[]; folder: string; format?: FileFormat }>(
        CreateUploadRequest,
        req.body,
        UploadFormatExtras,
      );
      const aiProject = (req.query as Record<string, unknown>).ai_project_id;
      return presentUpload(
        await uploads.create(callerOf(req), {
          ...body,
          ai_project_id: typeof aiProject === 'string' ? aiProject : null,
        }),
      );
    },
  });

  r.get('/v1/datasets/uploads/:upload_id', {
    schema: {
      tags,
      summary: 'One multipart upload',
      params: UploadIdParam,
      response: { 200: UploadResponse, 401: errors[401], 404: errors[404] },
    },
    handler: async (req) => presentUpload(await uploads.get(callerOf(req), req.params.upload_id)),
  });

  r.post('/v1/datasets/uploads/:upload_id/parts', {
    schema: {
      tags,
      summary: "Upload one part (the request body is the part's raw bytes, application/octet-stream)",
      params: UploadIdParam,
      response: { 200: UploadPart, 401: errors[401], 404: errors[404], 409: errors[409], 413: errors[413] },
    },
    handler: async (req) => {
      if (!(req.body instanceof Readable))
        throw new ValidationError('send the part as application/octet-stream', [
          {
            type: 'bytes_type',
            path: [],
            message: 'Input should be the raw bytes of the part (Content-Type: application/octet-stream)',
            input: null,
          },
        ]);
      return presentPart(await uploads.putPart(callerOf(req), req.params.upload_id, req.body));
    },
  });

  r.get('/v1/datasets/uploads/:upload_id/parts', {
    schema: {
      tags,
      summary: 'List the parts of a multipart upload',
      params: UploadIdParam,
      response: { 200: UploadParts, 401: errors[401], 404: errors[404] },
    },
    handler: async (req) => ({
      object: 'list' as const,
      data: (await uploads.listParts(callerOf(req), req.params.upload_id)).map(presentPart),
    }),
  });

  r.post('/v1/datasets/uploads/:upload_id/complete', {
    schema: {
      tags,
      summary: 'Complete a multipart upload: the parts, in this order, become the dataset file',
      params: UploadIdParam,
      body: CompleteUploadBody,
      response: { 200: UploadResponse, ...errors },
    },
    validatorCompiler: documentedOnly,
    handler: async (req) => {
      const body = parseBody<{ part_ids: string[] }>(CompleteUploadRequest, req.body);
      return presentUpload(await uploads.complete(callerOf(req), req.params.upload_id, body.part_ids));
    },
  });
}
