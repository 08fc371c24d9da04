// PromptLayer-compatible routes that build datasets from request logs: from-filter-params (seed 003) and its preview,
// and add-request-log. Unknown body fields are accepted (as seed 003 says) but named in `warnings`. The body's shape
// is request-logs/log-filter.schema.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import type { DatasetFromLogsService } from '../../request-logs/dataset-from-logs.service.js';
import { FromFilterBody, unknownFromFilterFields } from '../../request-logs/log-filter.schema.js';
import { errorResponses } from './common.schemas.js';

const V2 = '/api/public/v2';

const HINTS: Record<string, string> = {
  metadata: ' (use metadata_and or metadata_or: [{key, value}])',
  tags: ' (use tags_and or tags_or)',
  prompt_template: ' (use prompt_templates_include)',
  prompt_templates: ' (use prompt_templates_include)',
  prompt_name: ' (use prompt_templates_include: [{name}])',
  score: ' (use scores: [{name, operator, value}])',
  statuses: ' (use status)',
  order_by: ' (use sort_by)',
};

/** One warning per ignored field, top-level or inside the object lists, so a typo never silently filters nothing. */
function unknownFieldWarnings(body: unknown): string[] {
  return unknownFromFilterFields(body).map((f) => `unknown field "${f}" was ignored${HINTS[f] ?? ''}`);
}

/** Warnings of each request, taken from the raw body before validation drops the unknown fields. */
const warningsOf = new WeakMap<object, string[]>();
const collectWarnings = async (req: FastifyRequest) => {
  warningsOf.set(req, unknownFieldWarnings(req.body));
};

export async function datasetFromLogsRoutes(
  app: FastifyInstance,
  opts: { fromLogs: DatasetFromLogsService },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { fromLogs } = opts;

  r.post(`${V2}/dataset-versions/from-filter-params`, {
    config: { auth: 'api_key' },
    schema: {
      tags: ['datasets'],
      summary: 'Create a dataset version from request logs selected by filter params (async; a draft at once)',
      body: FromFilterBody,
      response: {
        201: z.object({
          success: z.boolean(),
          message: z.string(),
          dataset_id: z.number().int(),
          dataset_group_id: z.number().int(),
          version_number: z.number().int(),
          warnings: z.array(z.string()),
        }),
        ...errorResponses(400, 401, 403, 404),
      },
    },
    preValidation: collectWarnings,
    handler: async (req, reply) => {
      const warnings = warningsOf.get(req) ?? [];
      const { draft, group } = await fromLogs.createFromFilter(callerOf(req), req.body, warnings);
      return reply.code(201).send({
        success: true,
        message: 'Dataset version creation job queued',
        dataset_id: draft.id,
        dataset_group_id: group.id,
        version_number: -1,
        warnings,
      });
    },
  });

  r.post(`${V2}/dataset-versions/from-filter-params/preview`, {
    schema: {
      tags: ['datasets'],
      summary: 'What from-filter-params would build: row count, columns and the first rows (Strata; writes nothing)',
      body: FromFilterBody,
      response: {
        200: z.object({
          success: z.boolean(),
          count: z.number().int(),
          columns: z.array(z.string()),
          rows: z.array(z.array(z.unknown())).describe('The first rows; cells follow `columns`'),
          warnings: z.array(z.string()),
        }),
        ...errorResponses(400, 401, 403, 404),
      },
    },
    preValidation: collectWarnings,
    handler: async (req) => {
      const warnings = warningsOf.get(req) ?? [];
      const p = await fromLogs.preview(callerOf(req), req.body, warnings);
      return { success: true, ...p };
    },
  });

  r.post(`${V2}/dataset-versions/add-request-log`, {
    schema: {
      tags: ['datasets'],
      summary: "Append one request log to the group's draft (new columns are added from the log)",
      body: z.object({ dataset_group_id: z.number().int().min(1), request_log_id: z.number().int().min(1) }),
      response: {
        201: z.object({ success: z.boolean(), message: z.string(), draft_dataset_id: z.number().int() }),
        ...errorResponses(400, 401, 403, 404),
      },
    },
    handler: async (req, reply) => {
      const draft = await fromLogs.addRequestLog(callerOf(req), req.body);
      return reply
        .code(201)
        .send({ success: true, message: 'Request log added to the draft', draft_dataset_id: draft.id });
    },
  });
}
