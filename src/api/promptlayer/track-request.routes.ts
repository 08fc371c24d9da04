// PromptLayer's /track-request: what the SDK wrappers (pl.OpenAI / pl.Anthropic, pl.openai.OpenAI()) and run() post
// after each provider call, with the API key in the body. Answered 200 with the log id, as the SDKs read it.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import { TrackRequestBody } from '../../request-logs/track-request.schema.js';
import type { TrackRequestService } from '../../request-logs/track-request.service.js';
import { errorResponses } from './common.schemas.js';
import { presentPromptBlueprint } from './request-log.presenter.js';

const TrackRequestReply = z.object({
  success: z.boolean(),
  request_id: z.number().int(),
  prompt_blueprint: z.record(z.string(), z.unknown()),
  trace_id: z.string().nullable(),
  span_id: z.string().nullable(),
});

export async function trackRequestRoutes(app: FastifyInstance, opts: { tracking: TrackRequestService }): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().post('/track-request', {
    config: { auth: 'body_api_key' },
    schema: {
      tags: ['request logs'],
      summary: 'Log one provider call as the SDK wrappers send it (kwargs + response); answered 200 once stored',
      body: TrackRequestBody,
      response: { 200: TrackRequestReply, ...errorResponses(400, 401) },
    },
    handler: async (req) => {
      const log = await opts.tracking.track(callerOf(req), req.body);
      return {
        success: true,
        request_id: log.id,
        prompt_blueprint: presentPromptBlueprint(log),
        trace_id: log.trace_id,
        span_id: log.span_id,
      };
    },
  });
}
