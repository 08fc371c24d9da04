// PromptLayer-compatible routes that build datasets from request logs: from-filter-params (seed 003) and its preview,
// and add-request-log. Unknown body fields are accepted (as seed 003 says) but named in `warnings`.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import { isIsoTime, parseIsoTime } from '../../iso-time.js';
import type { DatasetFromLogsService, FromFilterInput } from '../../request-logs/dataset-from-logs.service.js';
import { errorResponses } from './common.schemas.js';
import { MAX_INT32 } from '../../input-limits.js';

const V2 = '/api/public/v2';

const DateTime = z
  .string()
  .refine(isIsoTime, 'must be an ISO 8601 date-time, e.g. 2026-04-22T17:00:00Z (UTC when no offset is given)');
const MetaValue = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((v) => String(v))
  .describe('Compared as a string');
const MetaPair = z.looseObject({ key: z.string().min(1).max(1024), value: MetaValue });
const TemplateRef = z.looseObject({
  name: z.string().min(1).max(512),
  version_numbers: z.array(z.number().int().min(1).max(MAX_INT32)).max(1000).optional(),
  labels: z.array(z.string().min(1).max(256)).max(100).optional(),
});
const Score = z.looseObject({
  name: z.string().min(1).max(256),
  operator: z.enum(['>', '<', '>=', '<=', '=']),
  value: z.number().min(-1e12).max(1e12),
});

/** Seed 003's body plus request_log_ids and filter_group; unknown keys pass through so they can be reported. */
const FromFilterBody = z
  .looseObject({
    dataset_group_id: z
      .number()
      .int()
      .min(1)
      .describe('ID of the dataset group where the new version will be created.'),
    variables_to_parse: z.array(z.string().min(1).max(256)).max(1000).optional(),
    start_time: DateTime.optional().describe('Logs with request_start_time at or after this instant'),
    end_time: DateTime.optional().describe('Logs with request_start_time at or before this instant'),
    limit: z
      .number()
      .int()
      .min(0)
      .max(50_000)
      .optional()
      .describe('Maximum number of logs (0..50,000; default 50,000)'),
    q: z.string().max(1000).optional(),
    id: z.number().int().min(1).optional(),
    starred: z.boolean().optional().describe('true: only starred logs; false: no starred filter'),
    order_by_random: z.boolean().optional(),
    metadata_and: z.array(MetaPair).max(100).optional(),
    metadata_or: z.array(MetaPair).max(100).optional(),
    tags_and: z.array(z.string().min(1).max(256)).max(100).optional(),
    tags_or: z.array(z.string().min(1).max(256)).max(100).optional(),
    prompt_templates_include: z.array(TemplateRef).max(100).optional(),
    prompt_templates_exclude: z.array(TemplateRef).max(100).optional(),
    scores: z.array(Score).max(100).optional(),
    status: z
      .array(z.enum(['SUCCESS', 'WARNING', 'ERROR']))
      .max(3)
      .optional(),
    sort_by: z
      .enum([
        'request_start_time',
        'input_tokens',
        'output_tokens',
        'price',
        'score',
        'latency',
        'prompt_name',
        'status',
      ])
      .optional(),
    sort_order: z.enum(['asc', 'desc']).optional(),
    include_fields: z.array(z.string().min(1).max(256)).max(100).optional(),
    transpose_metadata_columns: z.boolean().optional(),
    request_log_ids: z
      .array(z.number().int().min(1))
      .min(1)
      .max(50_000)
      .optional()
      .describe('A static snapshot of these logs; wins over filters'),
    filter_group: z
      .looseObject({ logic: z.enum(['AND', 'OR']).optional(), filters: z.array(z.unknown()).max(200) })
      .optional()
      .describe('Structured filters: {logic, filters:[{field, operator, value, nested_key?} | group]}'),
  })
  .superRefine((b, ctx) => {
    if (b.order_by_random === true && b.limit === undefined) {
      ctx.addIssue({ code: 'custom', path: ['order_by_random'], message: 'order_by_random requires limit to be set' });
    }
    const hasMetadata = (b.metadata_and?.length ?? 0) > 0 || (b.metadata_or?.length ?? 0) > 0;
    if (b.transpose_metadata_columns === true && !hasMetadata && !b.filter_group && !b.request_log_ids) {
      ctx.addIssue({
        code: 'custom',
        path: ['transpose_metadata_columns'],
        message: 'transpose_metadata_columns requires metadata_and or metadata_or to be set',
      });
    }
    if (
      b.start_time !== undefined &&
      b.end_time !== undefined &&
      parseIsoTime(b.start_time) > parseIsoTime(b.end_time)
    ) {
      ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'end_time must not be before start_time' });
    }
  });

type Body = z.infer<typeof FromFilterBody>;

const KNOWN = new Set(Object.keys(FromFilterBody.shape));
const KNOWN_ITEM: Record<string, Set<string>> = {
  metadata_and: new Set(['key', 'value']),
  metadata_or: new Set(['key', 'value']),
  prompt_templates_include: new Set(['name', 'version_numbers', 'labels']),
  prompt_templates_exclude: new Set(['name', 'version_numbers', 'labels']),
  scores: new Set(['name', 'operator', 'value']),
};
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
export function unknownFieldWarnings(body: Record<string, unknown>): string[] {
  const warnings: string[] = [];
  for (const key of Object.keys(body)) {
    if (!KNOWN.has(key)) warnings.push(`unknown field "${key}" was ignored${HINTS[key] ?? ''}`);
  }
  for (const [field, known] of Object.entries(KNOWN_ITEM)) {
    const list = body[field];
    if (!Array.isArray(list)) continue;
    list.forEach((item, i) => {
      if (item && typeof item === 'object') {
        for (const k of Object.keys(item))
          if (!known.has(k)) warnings.push(`unknown field "${field}.${i}.${k}" was ignored`);
      }
    });
  }
  return warnings;
}

function toInput(b: Body): FromFilterInput {
  const pick = <T extends object>(items: T[] | undefined, keys: string[]) =>
    items?.map((i) => Object.fromEntries(Object.entries(i).filter(([k]) => keys.includes(k)))) as T[] | undefined;
  return {
    dataset_group_id: b.dataset_group_id,
    variables_to_parse: b.variables_to_parse,
    start_time: b.start_time,
    end_time: b.end_time,
    limit: b.limit,
    q: b.q,
    id: b.id,
    starred: b.starred,
    order_by_random: b.order_by_random,
    metadata_and: pick(b.metadata_and, ['key', 'value']),
    metadata_or: pick(b.metadata_or, ['key', 'value']),
    tags_and: b.tags_and,
    tags_or: b.tags_or,
    prompt_templates_include: pick(b.prompt_templates_include, ['name', 'version_numbers', 'labels']),
    prompt_templates_exclude: pick(b.prompt_templates_exclude, ['name', 'version_numbers', 'labels']),
    scores: pick(b.scores, ['name', 'operator', 'value']),
    status: b.status,
    sort_by: b.sort_by,
    sort_order: b.sort_order,
    include_fields: b.include_fields,
    transpose_metadata_columns: b.transpose_metadata_columns,
    request_log_ids: b.request_log_ids,
    filter_group: b.filter_group as FromFilterInput['filter_group'],
  };
}

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
    handler: async (req, reply) => {
      const warnings = unknownFieldWarnings(req.body);
      const { draft, group } = await fromLogs.createFromFilter(callerOf(req), toInput(req.body), warnings);
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
    handler: async (req) => {
      const warnings = unknownFieldWarnings(req.body);
      const p = await fromLogs.preview(callerOf(req), toInput(req.body), warnings);
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
