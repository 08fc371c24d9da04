// PromptLayer-compatible prompt registry routes: publish (/rest/prompt-templates), get by version or label, list.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import { renderTemplate, type PromptTemplateService, type TemplateVersion } from '../../prompt-templates/prompt-template.service.js';
import { errorResponses } from './common.schemas.js';

const TemplateContent = z
  .looseObject({ type: z.enum(['chat', 'completion']) })
  .describe('A chat (`messages`) or completion (`content`) prompt template');

const PublishBody = z.object({
  prompt_template: z.looseObject({
    prompt_name: z.string().min(1).max(512),
    tags: z.array(z.string().max(256)).max(100).optional(),
  }),
  prompt_version: z.looseObject({
    prompt_template: TemplateContent,
    commit_message: z.string().max(10_000).nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
  }),
  release_labels: z.array(z.string().min(1).max(256)).max(50).nullish(),
});

const GetBody = z
  .looseObject({
    version: z.number().int().min(1).max(2_147_483_647).optional(),
    label: z.string().min(1).max(256).optional(),
    input_variables: z.record(z.string(), z.unknown()).optional(),
    provider: z.string().optional(),
    model: z.string().optional(),
  })
  .nullish();

const ListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(30),
  label: z.string().min(1).optional().describe('Only templates having this release label, at the labelled version'),
  name: z.string().min(1).optional(),
});

const TemplateResponse = z
  .object({
    id: z.number().int(),
    prompt_name: z.string(),
    tags: z.array(z.string()),
    prompt_template: z.unknown(),
    version: z.number().int(),
    version_number: z.number().int(),
    commit_message: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    release_labels: z.array(z.string()),
    llm_kwargs: z.null(),
    created_at: z.string(),
  })
  .meta({ id: 'PromptTemplateVersion' });

function presentTemplate(t: TemplateVersion, inputVariables?: Record<string, unknown>): z.infer<typeof TemplateResponse> {
  return {
    id: t.template.id,
    prompt_name: t.template.name,
    tags: JSON.parse(t.template.tags) as string[],
    prompt_template: renderTemplate(JSON.parse(t.version.prompt_template), inputVariables),
    version: t.version.version_number,
    version_number: t.version.version_number,
    commit_message: t.version.commit_message,
    metadata: t.version.metadata === null ? null : (JSON.parse(t.version.metadata) as Record<string, unknown>),
    release_labels: t.labels,
    // Strata stores templates and logs; it does not call model providers, so there are no provider kwargs.
    llm_kwargs: null,
    created_at: new Date(t.version.created_at).toISOString(),
  };
}

// These paths sit outside /api and /rest, so each route names its auth mode; 'any' lets the web UI (JWT) use them too.
export async function promptTemplateRoutes(app: FastifyInstance, opts: { templates: PromptTemplateService }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { templates } = opts;

  // The SDK's templates.get() without params sends Content-Type: application/json and no body at all.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      (err as { statusCode?: number }).statusCode = 400;
      done(err as Error, undefined);
    }
  });

  r.post('/rest/prompt-templates', {
    config: { auth: 'any' },
    schema: {
      tags: ['prompt templates'],
      summary: 'Publish a new version of a prompt template (creating it on first publish); release labels move to it',
      body: PublishBody,
      response: { 201: TemplateResponse.extend({ success: z.boolean() }), ...errorResponses(400, 401) },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const published = await templates.publish(callerOf(req), {
        prompt_name: b.prompt_template.prompt_name,
        tags: b.prompt_template.tags,
        prompt_template: b.prompt_version.prompt_template,
        commit_message: b.prompt_version.commit_message,
        metadata: b.prompt_version.metadata,
        release_labels: b.release_labels ?? undefined,
      });
      return reply.code(201).send({ success: true, ...presentTemplate(published) });
    },
  });

  r.post('/prompt-templates/:name', {
    config: { auth: 'any' },
    schema: {
      tags: ['prompt templates'],
      summary: 'Get a prompt template (by name or id) at a version, at a release label, or latest; input_variables are substituted',
      params: z.object({ name: z.string().min(1).max(512) }),
      body: GetBody,
      response: { 200: TemplateResponse.extend({ success: z.boolean() }), ...errorResponses(400, 401, 404) },
    },
    handler: async (req) => {
      const b = req.body ?? {};
      const found = await templates.get(callerOf(req), req.params.name, { version: b.version, label: b.label });
      return { success: true, ...presentTemplate(found, b.input_variables) };
    },
  });

  r.get('/prompt-templates', {
    config: { auth: 'any' },
    schema: {
      tags: ['prompt templates'],
      summary: 'List prompt templates with their latest (or labelled) version',
      querystring: ListQuery,
      response: {
        200: z.object({
          success: z.boolean(),
          items: z.array(TemplateResponse),
          page: z.number(),
          per_page: z.number(),
          total: z.number(),
          pages: z.number(),
          has_next: z.boolean(),
          has_prev: z.boolean(),
        }),
        ...errorResponses(400, 401),
      },
    },
    handler: async (req) => {
      const q = req.query;
      const { items, total } = await templates.list(callerOf(req), { page: q.page, perPage: q.per_page, label: q.label, name: q.name });
      const pages = Math.max(1, Math.ceil(total / q.per_page));
      return { success: true, items: items.map((t) => presentTemplate(t)), page: q.page, per_page: q.per_page, total, pages, has_next: q.page < pages, has_prev: q.page > 1 };
    },
  });
}
