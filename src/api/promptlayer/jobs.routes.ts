// Visible job status for the caller's workspace (Strata).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { JobRow } from '../../db/schema.js';
import { NotFoundError } from '../../errors.js';
import { callerOf } from '../../http/auth-hook.js';
import type { JobRepository } from '../../jobs/job.repository.js';
import { errorResponses, IdParam } from './common.schemas.js';

const Job = z
  .object({
    id: z.number(),
    type: z.string(),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    attempts: z.number(),
    max_attempts: z.number(),
    last_error: z.string().nullable(),
    dataset_id: z.number().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'Job' });

function presentJob(j: JobRow): z.infer<typeof Job> {
  const payload = j.payload as { datasetId?: number };
  return {
    id: j.id,
    type: j.type,
    status: j.status,
    attempts: j.attempts,
    max_attempts: j.max_attempts,
    last_error: j.last_error,
    dataset_id: payload.datasetId ?? null,
    created_at: new Date(j.created_at).toISOString(),
    updated_at: new Date(j.updated_at).toISOString(),
    finished_at: j.finished_at ? new Date(j.finished_at).toISOString() : null,
  };
}

export async function jobRoutes(app: FastifyInstance, opts: { jobs: JobRepository }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/public/v2/jobs', {
    schema: {
      tags: ['jobs'],
      summary: 'Recent background jobs of the workspace',
      querystring: z.object({
        status: z.enum(['queued', 'running', 'done', 'failed']).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: { 200: z.object({ success: z.boolean(), jobs: z.array(Job) }) },
    },
    handler: async (req) => ({
      success: true,
      jobs: (await opts.jobs.listForWorkspace(callerOf(req).workspaceId, req.query.limit, req.query.status)).map(
        presentJob,
      ),
    }),
  });
  r.get('/api/public/v2/jobs/:id', {
    schema: {
      tags: ['jobs'],
      summary: 'One background job',
      params: IdParam,
      response: { 200: z.object({ success: z.boolean(), job: Job }), ...errorResponses(404) },
    },
    handler: async (req) => {
      const job = await opts.jobs.findById(req.params.id);
      if (!job || job.workspace_id !== callerOf(req).workspaceId) throw new NotFoundError('job', req.params.id);
      return { success: true, job: presentJob(job) };
    },
  });
}
