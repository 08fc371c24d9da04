// PromptLayer-compatible request-log routes: ingestion (/log-request), the SDK's track calls and their /rest twins,
// groups, reading, search and starring.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import type { RequestLogService } from '../../request-logs/request-log.service.js';
import { errorResponses, IdParam } from './common.schemas.js';
import { presentPromptVersion, presentRequestLog } from './request-log.presenter.js';

const V2 = '/api/public/v2';
/** PostgreSQL `integer` columns (tokens, version numbers) hold at most this. */
const INT32 = 2_147_483_647;

const Blueprint = z.looseObject({ type: z.enum(['chat', 'completion']) }).describe('Prompt blueprint: {type:"chat", messages} or {type:"completion", content}');
const Time = z.union([z.number().min(0), z.string().min(1).max(64)]).describe('Unix seconds (fractional allowed) or ISO 8601');
const Status = z.enum(['SUCCESS', 'WARNING', 'ERROR']);

const LogRequestBody = z.object({
  provider: z.string().min(1).max(256),
  model: z.string().min(1).max(512),
  input: Blueprint,
  output: Blueprint,
  request_start_time: Time,
  request_end_time: Time,
  parameters: z.record(z.string(), z.unknown()).nullish(),
  tags: z.array(z.string().min(1).max(256)).max(100).nullish(),
  metadata: z.record(z.string().min(1).max(256), z.string().max(10_000)).nullish().describe('String keys and string values'),
  prompt_name: z.string().min(1).max(512).nullish(),
  prompt_id: z.number().int().min(1).nullish(),
  prompt_version_number: z.number().int().min(1).max(INT32).nullish(),
  prompt_input_variables: z.record(z.string(), z.unknown()).nullish(),
  input_tokens: z.number().int().min(0).max(INT32).nullish(),
  output_tokens: z.number().int().min(0).max(INT32).nullish(),
  price: z.number().min(0).max(1e12).nullish(),
  function_name: z.string().max(512).nullish(),
  score: z.number().min(0).max(100).nullish(),
  score_name: z.string().max(256).nullish(),
  api_type: z.string().max(256).nullish(),
  status: Status.nullish().describe('Default SUCCESS'),
  error_type: z.string().max(256).nullish(),
  error_message: z.string().max(100_000).nullish(),
  group_id: z.number().int().min(1).nullish(),
});

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
  })
  .meta({ id: 'RequestLog' });

const RequestId = z.number().int().min(1);
const BodyKey = { api_key: z.string().optional().describe('The SDK sends its API key here') };
const TrackMetadataBody = z.object({ request_id: RequestId, metadata: z.record(z.string().min(1).max(256), z.string().max(10_000)) });
const TrackScoreBody = z.object({ request_id: RequestId, score: z.number().min(0).max(100), name: z.string().min(1).max(256).nullish() });
const TrackPromptBody = z.object({
  request_id: RequestId,
  prompt_name: z.string().min(1).max(512),
  prompt_input_variables: z.record(z.string(), z.unknown()).nullish(),
  version: z.number().int().min(1).max(INT32).nullish(),
  label: z.string().min(1).max(256).nullish(),
});
const TrackGroupBody = z.object({ request_id: RequestId, group_id: z.number().int().min(1) });
const Ok = z.object({ success: z.boolean(), message: z.string().optional() });

const SearchBody = z.object({
  filter_group: z.looseObject({ logic: z.enum(['AND', 'OR']).optional(), filters: z.array(z.unknown()) }).optional(),
  q: z.string().max(1000).optional(),
  sort_by: z.enum(['request_start_time', 'input_tokens', 'output_tokens', 'price', 'score', 'latency', 'prompt_name', 'status', 'id']).optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
  page: z.number().int().min(1).default(1),
  per_page: z.number().int().min(1).max(100).default(20),
});

export async function requestLogRoutes(app: FastifyInstance, opts: { logs: RequestLogService }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { logs } = opts;

  r.post('/log-request', {
    config: { auth: 'api_key' },
    schema: {
      tags: ['request logs'],
      summary: 'Log one LLM request; answered 201 once it is durably stored',
      body: LogRequestBody,
      response: { 201: RequestLog.extend({ success: z.boolean(), request_id: z.number(), prompt_version: z.unknown() }), ...errorResponses(400, 401) },
    },
    handler: async (req, reply) => {
      const log = await logs.logRequest(callerOf(req), req.body);
      return reply.code(201).send({ success: true, ...presentRequestLog(log), request_id: log.id, prompt_version: presentPromptVersion(log) });
    },
  });

  // The SDK's track calls (API key in the body) and the documented REST twins (X-API-KEY), one handler each.
  const twin = <S extends z.ZodObject>(paths: [string, string], summary: string, body: S, handle: (req: { body: z.infer<S> } & Parameters<typeof callerOf>[0]) => Promise<unknown>) => {
    for (const path of paths) {
      const viaBody = !path.startsWith('/rest/');
      r.post(path, {
        config: { auth: viaBody ? 'body_api_key' : 'api_key' },
        schema: { tags: ['request logs'], summary, body: viaBody ? body.extend(BodyKey) : body, response: { 200: Ok, ...errorResponses(400, 401, 404) } },
        handler: async (req) => {
          await handle(req as never);
          return { success: true, message: 'ok' };
        },
      });
    }
  };
  twin(['/library-track-metadata', '/rest/track-metadata'], 'Add metadata to a log (string keys and values; a key tracked again is overwritten)', TrackMetadataBody, (req) =>
    logs.trackMetadata(callerOf(req), req.body.request_id, req.body.metadata),
  );
  twin(['/library-track-score', '/rest/track-score'], 'Score a log 0..100 (name defaults to "default"; each name is its own score)', TrackScoreBody, (req) =>
    logs.trackScore(callerOf(req), req.body.request_id, req.body.score, req.body.name),
  );
  twin(['/library-track-prompt', '/rest/track-prompt'], 'Link a log to a prompt template version (by version, label, or latest)', TrackPromptBody, (req) =>
    logs.trackPrompt(callerOf(req), req.body),
  );
  twin(['/track-group', '/rest/track-group'], 'Put a log in a group', TrackGroupBody, (req) => logs.trackGroup(callerOf(req), req.body.request_id, req.body.group_id));

  for (const path of ['/create-group', '/rest/create-group']) {
    r.post(path, {
      config: { auth: path.startsWith('/rest/') ? 'api_key' : 'body_api_key' },
      schema: { tags: ['request logs'], summary: 'Create a group of logs', body: z.object(BodyKey).optional(), response: { 200: z.object({ success: z.boolean(), id: z.number() }), ...errorResponses(401) } },
      handler: async (req) => ({ success: true, id: await logs.createGroup(callerOf(req)) }),
    });
  }

  r.get(`${V2}/requests/:id`, {
    schema: { tags: ['request logs'], summary: 'One request log', params: IdParam, response: { 200: z.object({ success: z.boolean(), request: RequestLog }), ...errorResponses(401, 404) } },
    handler: async (req) => ({ success: true, request: presentRequestLog(await logs.get(callerOf(req), req.params.id)) }),
  });

  r.post(`${V2}/requests/search`, {
    schema: {
      tags: ['request logs'],
      summary: 'Search request logs with a filter_group and/or free text, sorted and paged',
      body: SearchBody,
      response: {
        200: z.object({
          success: z.boolean(),
          items: z.array(RequestLog),
          page: z.number(),
          per_page: z.number(),
          pages: z.number(),
          total: z.number(),
          has_next: z.boolean(),
          has_prev: z.boolean(),
        }),
        ...errorResponses(400, 401),
      },
    },
    handler: async (req) => {
      const b = req.body;
      const { items, total } = await logs.search(callerOf(req), { ...b, filter_group: b.filter_group as never });
      const pages = Math.max(1, Math.ceil(total / b.per_page));
      return { success: true, items: items.map(presentRequestLog), page: b.page, per_page: b.per_page, pages, total, has_next: b.page < pages, has_prev: b.page > 1 };
    },
  });

  for (const [method, starred] of [['POST', true], ['DELETE', false]] as const) {
    r.route({
      method,
      url: `${V2}/requests/:id/star`,
      schema: {
        tags: ['request logs'],
        summary: starred ? 'Star a request log' : 'Unstar a request log',
        params: IdParam,
        response: { 200: z.object({ success: z.boolean(), request: RequestLog }), ...errorResponses(401, 404) },
      },
      handler: async (req) => ({ success: true, request: presentRequestLog(await logs.setStarred(callerOf(req), req.params.id, starred)) }),
    });
  }
}
