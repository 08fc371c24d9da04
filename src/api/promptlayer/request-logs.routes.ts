// PromptLayer-compatible request-log routes: ingestion (/log-request), the SDK's track calls and their /rest twins,
// groups, reading, search and starring.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import { FILTER_CONDITION_KEYS, FILTER_GROUP_KEYS, FilterGroupSchema } from '../../request-logs/log-filter.schema.js';
import type { SortColumn } from '../../request-logs/request-log.repository.js';
import {
  LogRequestBody,
  Status,
  TrackGroupBody,
  TrackMetadataBody,
  TrackPromptBody,
  TrackScoreBody,
} from '../../request-logs/request-log.schema.js';
import type { RequestLogService } from '../../request-logs/request-log.service.js';
import { errorResponses, IdParam } from './common.schemas.js';
import {
  presentPromptVersion,
  presentRequestDetail,
  presentRequestLog,
  presentSearchItem,
} from './request-log.presenter.js';
import { paging } from '../paging.js';

const V2 = '/api/public/v2';
const RequestLog = z
  .object({
    id: z.number().int(),
    provider: z.string(),
    model: z.string(),
    input: z.record(z.string(), z.unknown()),
    output: z.record(z.string(), z.unknown()),
    input_text: z.string(),
    output_text: z.string(),
    parameters: z.record(z.string(), z.unknown()),
    request_start_time: z.string(),
    request_end_time: z.string(),
    latency_ms: z.number(),
    input_tokens: z.number(),
    output_tokens: z.number(),
    price: z.number(),
    status: Status,
    error_type: z.string().nullable(),
    error_message: z.string().nullable(),
    function_name: z.string().nullable(),
    api_type: z.string().nullable(),
    tags: z.array(z.string()),
    metadata: z.record(z.string(), z.string()),
    scores: z.record(z.string(), z.number()),
    score: z.number().nullable(),
    is_starred: z.boolean(),
    group_id: z.number().nullable(),
    prompt_name: z.string().nullable(),
    prompt_id: z.number().nullable(),
    prompt_version_number: z.number().nullable(),
    prompt_input_variables: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    trace_id: z.string().nullable(),
    span_id: z.string().nullable(),
  })
  .meta({ id: 'RequestLog' });

const PromptBlueprint = z.object({
  prompt_template: z.record(z.string(), z.unknown()),
  metadata: z.object({
    model: z.object({ provider: z.string(), name: z.string(), parameters: z.record(z.string(), z.unknown()) }),
  }),
  inference_client_name: z.string().nullable(),
});

/** PromptLayer's RequestLogDetailResponse, plus Strata's full log as `request`. */
const RequestDetail = z.object({
  success: z.literal(true),
  prompt_blueprint: PromptBlueprint,
  request_id: z.number().int(),
  provider: z.string(),
  model: z.string(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  tokens: z.number().int(),
  price: z.number(),
  request_start_time: z.string().describe('ISO 8601 date-time'),
  request_end_time: z.string().describe('ISO 8601 date-time'),
  latency_ms: z.number(),
  trace_id: z.string().nullable(),
  request: RequestLog.describe('Strata: the full log'),
});

/** PromptLayer's RequestLogSearchResult over Strata's log; `metadata`/`scores` take the documented list form. */
const SearchItem = RequestLog.omit({ metadata: true, scores: true }).extend({
  engine: z.string(),
  provider_type: z.string(),
  latency: z.number().describe('Seconds'),
  tags_array: z.array(z.string()),
  metadata: z
    .array(z.record(z.string(), z.string()))
    .describe('One object holding every metadata key, or [] without metadata'),
  scores: z.array(z.object({ name: z.string(), score: z.number() })),
  metadata_map: z.record(z.string(), z.string()).describe('Strata: metadata as one object'),
  scores_map: z.record(z.string(), z.number()).describe('Strata: scores by name'),
});

const BodyKey = { api_key: z.string().optional().describe('The SDK sends its API key here') };
const Ok = z.object({ success: z.boolean(), message: z.string().optional() });

/** Sort names PromptLayer documents, mapped onto Strata's; Strata's own names stay accepted. */
const SORTS: Record<string, SortColumn> = {
  request_start_time: 'request_start_time',
  input_tokens: 'input_tokens',
  output_tokens: 'output_tokens',
  cost: 'price',
  latency_ms: 'latency',
  status: 'status',
  price: 'price',
  latency: 'latency',
  score: 'score',
  prompt_name: 'prompt_name',
  id: 'id',
};
/** PromptLayer's default page size, and the largest Strata serves (PromptLayer's own maximum is 25). */
const SEARCH_PER_PAGE = 10;
const SEARCH_MAX_PER_PAGE = 100;

const SearchBody = z.looseObject({
  filter_group: FilterGroupSchema.nullish(),
  q: z.string().max(1000).nullish(),
  sort_by: z
    .enum(Object.keys(SORTS) as [string, ...string[]])
    .nullish()
    .describe(
      'PromptLayer: request_start_time, input_tokens, output_tokens, cost, latency_ms, status; Strata also: price, latency, score, prompt_name, id',
    ),
  sort_order: z.enum(['asc', 'desc']).nullish(),
  page: z.number().int().min(1).nullish().describe('Default 1'),
  per_page: z
    .number()
    .int()
    .min(1)
    .max(SEARCH_MAX_PER_PAGE)
    .nullish()
    .describe(`Default ${SEARCH_PER_PAGE}; PromptLayer allows up to 25, Strata up to ${SEARCH_MAX_PER_PAGE}`),
  include_prompt_name: z.boolean().nullish().describe('Accepted; Strata always includes prompt_name'),
  metadata_cost_breakdown_key: z.string().nullish().describe('Analytics only: ignored here, with a warning'),
});
const SEARCH_FIELDS = new Set(Object.keys(SearchBody.shape));

/** Unknown keys inside an (already validated, so at most 8 deep) filter_group, by path. */
function filterGroupWarnings(group: unknown, path: string, out: string[]): void {
  if (!group || typeof group !== 'object') return;
  for (const key of Object.keys(group))
    if (!FILTER_GROUP_KEYS.has(key)) out.push(`"${path}.${key}" is not a field of a filter group; ignored`);
  const filters = (group as { filters?: unknown }).filters;
  if (!Array.isArray(filters)) return;
  filters.forEach((f, i) => {
    if (!f || typeof f !== 'object') return;
    if ('filters' in f) return filterGroupWarnings(f, `${path}.filters.${i}`, out);
    for (const key of Object.keys(f))
      if (!FILTER_CONDITION_KEYS.has(key))
        out.push(`"${path}.filters.${i}.${key}" is not a field of a filter; ignored`);
  });
}

/** Body fields the search cannot honour, one sentence each (never silently ignored). */
function searchWarnings(body: Record<string, unknown>): string[] {
  const warnings: string[] = [];
  for (const key of Object.keys(body))
    if (!SEARCH_FIELDS.has(key)) warnings.push(`"${key}" is not a field of /requests/search; ignored`);
  filterGroupWarnings(body.filter_group, 'filter_group', warnings);
  if (body.metadata_cost_breakdown_key !== undefined && body.metadata_cost_breakdown_key !== null) {
    warnings.push('"metadata_cost_breakdown_key" applies to /requests/analytics, which Strata does not serve; ignored');
  }
  return warnings;
}

export async function requestLogRoutes(app: FastifyInstance, opts: { logs: RequestLogService }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { logs } = opts;

  r.post('/log-request', {
    config: { auth: 'api_key' },
    schema: {
      tags: ['request logs'],
      summary: 'Log one LLM request; answered 201 once it is durably stored',
      body: LogRequestBody,
      response: {
        201: RequestLog.extend({
          success: z.boolean(),
          request_id: z.number(),
          prompt_version: z.unknown(),
          warnings: z
            .array(z.string())
            .describe('E.g. a prompt template that does not exist: the log is stored unlinked'),
        }),
        ...errorResponses(400, 401),
      },
    },
    handler: async (req, reply) => {
      const log = await logs.logRequest(callerOf(req), req.body);
      return reply.code(201).send({
        success: true,
        ...presentRequestLog(log),
        request_id: log.id,
        prompt_version: presentPromptVersion(log),
        warnings: log.warnings,
      });
    },
  });

  // The SDK's track calls and their documented REST twins, one handler each: both take the API key in the body
  // (as the SDKs and PromptLayer's examples send it) or in X-API-KEY.
  const twin = <S extends z.ZodObject>(
    paths: [string, string],
    summary: string,
    body: S,
    handle: (req: { body: z.infer<S> } & Parameters<typeof callerOf>[0]) => Promise<unknown>,
  ) => {
    for (const path of paths) {
      r.post(path, {
        config: { auth: 'body_api_key' },
        schema: {
          tags: ['request logs'],
          summary,
          body: body.extend(BodyKey),
          response: { 200: Ok, ...errorResponses(400, 401, 404) },
        },
        handler: async (req) => {
          await handle(req as never);
          return { success: true, message: 'ok' };
        },
      });
    }
  };
  twin(
    ['/library-track-metadata', '/rest/track-metadata'],
    'Add metadata to a log (string keys and values; a key tracked again is overwritten)',
    TrackMetadataBody,
    (req) => logs.trackMetadata(callerOf(req), req.body.request_id, req.body.metadata),
  );
  twin(
    ['/library-track-score', '/rest/track-score'],
    'Score a log 0..100 (name defaults to "default"; each name is its own score)',
    TrackScoreBody,
    (req) => logs.trackScore(callerOf(req), req.body.request_id, req.body.score, req.body.name),
  );
  twin(
    ['/library-track-prompt', '/rest/track-prompt'],
    'Link a log to a prompt template version (by version, label, or latest)',
    TrackPromptBody,
    (req) => logs.trackPrompt(callerOf(req), req.body),
  );
  twin(['/track-group', '/rest/track-group'], 'Put a log in a group', TrackGroupBody, (req) =>
    logs.trackGroup(callerOf(req), req.body.request_id, req.body.group_id),
  );

  for (const path of ['/create-group', '/rest/create-group']) {
    r.post(path, {
      config: { auth: 'body_api_key' },
      schema: {
        tags: ['request logs'],
        summary: 'Create a group of logs',
        body: z.object(BodyKey).optional(),
        response: { 200: z.object({ success: z.boolean(), id: z.number() }), ...errorResponses(401) },
      },
      handler: async (req) => ({ success: true, id: await logs.createGroup(callerOf(req)) }),
    });
  }

  r.get(`${V2}/requests/:id`, {
    schema: {
      tags: ['request logs'],
      summary: "One request log: PromptLayer's documented fields, plus Strata's full log as `request`",
      params: IdParam,
      response: { 200: RequestDetail, ...errorResponses(401, 404) },
    },
    handler: async (req) => presentRequestDetail(await logs.get(callerOf(req), req.params.id)),
  });

  r.post(`${V2}/requests/search`, {
    schema: {
      tags: ['request logs'],
      summary: 'Search request logs with a filter_group and/or free text, sorted and paged',
      body: SearchBody,
      response: {
        200: z.object({
          success: z.boolean(),
          items: z.array(SearchItem),
          page: z.number(),
          per_page: z.number(),
          pages: z.number(),
          total: z.number(),
          has_next: z.boolean(),
          has_prev: z.boolean(),
          next_num: z.number().nullable(),
          prev_num: z.number().nullable(),
          warnings: z.array(z.string()).describe('Strata: body fields it could not honour'),
        }),
        ...errorResponses(400, 401),
      },
    },
    handler: async (req) => {
      const b = req.body;
      const page = b.page ?? 1;
      const perPage = b.per_page ?? SEARCH_PER_PAGE;
      const { items, total } = await logs.search(callerOf(req), {
        filter_group: b.filter_group ?? undefined,
        q: b.q ?? undefined,
        sort_by: b.sort_by ? SORTS[b.sort_by] : undefined,
        sort_order: b.sort_order ?? undefined,
        page,
        per_page: perPage,
      });
      return {
        success: true,
        items: items.map(presentSearchItem),
        ...paging(page, perPage, total),
        warnings: searchWarnings(b),
      };
    },
  });

  for (const [method, starred] of [
    ['POST', true],
    ['DELETE', false],
  ] as const) {
    r.route({
      method,
      url: `${V2}/requests/:id/star`,
      schema: {
        tags: ['request logs'],
        summary: starred ? 'Star a request log' : 'Unstar a request log',
        params: IdParam,
        response: { 200: z.object({ success: z.boolean(), request: RequestLog }), ...errorResponses(401, 404) },
      },
      handler: async (req) => ({
        success: true,
        request: presentRequestLog(await logs.setStarred(callerOf(req), req.params.id, starred)),
      }),
    });
  }
}
