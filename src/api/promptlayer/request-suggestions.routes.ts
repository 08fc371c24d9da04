// GET /api/public/v2/requests/suggestions: existing values of a request-log field for filter autocompletion.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import { SUGGESTION_FIELDS, type RequestSuggestionService } from '../../request-logs/request-suggestion.service.js';
import { errorResponses } from './common.schemas.js';

const Query = z.object({
  field: z.enum(SUGGESTION_FIELDS).describe('Request log field to get suggestions for'),
  prefix: z.string().max(256).optional().describe('Case-insensitive prefix'),
  metadata_key: z.string().min(1).max(256).optional().describe('Required when field is metadata_values'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export async function requestSuggestionRoutes(
  app: FastifyInstance,
  opts: { suggestions: RequestSuggestionService },
): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get('/api/public/v2/requests/suggestions', {
    schema: {
      tags: ['request logs'],
      summary:
        'Existing values of a request-log field (models, providers, prompt names, tags, metadata keys and values, statuses)',
      querystring: Query,
      response: {
        200: z.object({ success: z.literal(true), values: z.array(z.string()) }),
        ...errorResponses(400, 401),
      },
    },
    handler: async (req) => ({
      success: true as const,
      values: await opts.suggestions.suggest(callerOf(req), req.query),
    }),
  });
}
