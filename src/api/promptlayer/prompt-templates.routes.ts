// PromptLayer-compatible prompt registry routes: publish and patch (/rest/prompt-templates), the run() fetch, raw get,
// list, release labels, and the workspace's provider base URLs (/api/public/v2/provider-base-urls).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import { ValidationError } from '../../errors.js';
import type { PromptTemplateService } from '../../prompt-templates/prompt-template.service.js';
import { errorResponses } from './common.schemas.js';
import {
  presentBaseUrl,
  presentLabel,
  presentLabelRef,
  presentListItem,
  presentPublished,
  presentRendered,
  presentVersion,
} from './prompt-template.presenter.js';
import { MAX_INT32 } from '../../input-limits.js';
import { paging } from '../paging.js';

// ---- the template itself: validated at the door, so a stored template always has a shape rendering understands

const ContentPart = z.looseObject({ type: z.string().min(1).max(100) }).superRefine((p, ctx) => {
  if (p.type === 'text' && typeof p.text !== 'string')
    ctx.addIssue({ code: 'custom', message: 'a text part needs a string `text`', path: ['text'] });
  if (p.type === 'image_url') {
    const u = p.image_url;
    const ok =
      typeof u === 'string' || (!!u && typeof u === 'object' && typeof (u as { url?: unknown }).url === 'string');
    if (!ok) ctx.addIssue({ code: 'custom', message: 'an image_url part needs `image_url.url`', path: ['image_url'] });
  }
});
const Content = z
  .union([z.string(), z.array(ContentPart).max(1000)])
  .describe('Content parts (`{type: "text", text}`, `{type: "image_url", image_url: {url}}` …), or one string');
const TemplateFormat = z.enum(['f-string', 'jinja2']);
const Message = z.looseObject({
  role: z.enum(['system', 'user', 'assistant', 'function', 'tool', 'placeholder', 'developer']),
  content: Content.nullish(),
  template_format: TemplateFormat.optional(),
  name: z.string().max(512).nullish(),
});
const ToolList = z.array(z.looseObject({})).max(1000).nullish();
const ChatTemplate = z.looseObject({
  type: z.literal('chat'),
  messages: z.array(Message).max(10_000),
  template_format: TemplateFormat.optional(),
  tools: ToolList,
  functions: ToolList,
  input_variables: z.array(z.string()).max(10_000).optional(),
});
const CompletionTemplate = z.looseObject({
  type: z.literal('completion'),
  content: Content,
  template_format: TemplateFormat.optional(),
  input_variables: z.array(z.string()).max(10_000).optional(),
});
const TemplateContent = z
  .discriminatedUnion('type', [ChatTemplate, CompletionTemplate])
  .describe('A chat (`messages`) or completion (`content`) prompt template');

const ModelMetadata = z
  .looseObject({
    provider: z
      .string()
      .min(1)
      .max(100)
      .describe('openai, openai.azure, anthropic … (llm_kwargs are built for openai, openai.azure and anthropic)'),
    name: z.string().min(1).max(512).describe('The model name, e.g. gpt-4o'),
    parameters: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Spread into llm_kwargs (temperature, max_tokens …)'),
    api_type: z
      .string()
      .max(64)
      .nullish()
      .describe("OpenAI: 'chat-completions' (the default), 'responses' or 'images'"),
  })
  .describe('The model run() calls');
const VersionMetadata = z.looseObject({ model: ModelMetadata.nullish() });

const PublishBody = z.object({
  prompt_template: z.looseObject({
    prompt_name: z.string().min(1).max(512),
    tags: z.array(z.string().max(256)).max(100).optional(),
    provider_base_url_name: z.string().max(255).nullish(),
  }),
  prompt_version: z.looseObject({
    prompt_template: TemplateContent,
    commit_message: z.string().max(10_000).nullish(),
    metadata: VersionMetadata.nullish(),
    provider_base_url_name: z
      .string()
      .max(255)
      .nullish()
      .describe('Names a provider base URL of the workspace for run()'),
  }),
  release_labels: z.array(z.string().min(1).max(256)).max(50).nullish(),
  external_ids: z.array(z.unknown()).nullish(),
});

const IdentifierParam = z.object({ identifier: z.string().min(1).max(512).describe('The prompt name or id') });
const Version = z.number().int().min(1).max(MAX_INT32);

// ---- the run() fetch

const RenderBody = z
  .looseObject({
    version: Version.nullish(),
    label: z.string().min(1).max(256).nullish(),
    input_variables: z.record(z.string(), z.unknown()).nullish(),
    provider: z
      .string()
      .min(1)
      .max(100)
      .nullish()
      .describe('Build llm_kwargs for this provider instead of metadata.model.provider'),
    model: z.string().min(1).max(512).nullish().describe('Use this model name in llm_kwargs'),
    model_parameter_overrides: z
      .record(z.string(), z.unknown())
      .nullish()
      .describe('Merged over metadata.model.parameters'),
    metadata_filters: z
      .record(z.string(), z.unknown())
      .nullish()
      .describe('Not supported by Strata (named in warnings)'),
    skip_input_variable_rendering: z.boolean().nullish(),
    workspace_id: z.number().int().nullish().describe('Ignored: the workspace is the API key’s'),
    api_key: z.string().nullish().describe('The Python SDK sends its key here too; the X-API-KEY header authenticates'),
  })
  .nullish();
const RENDER_FIELDS = new Set(Object.keys(RenderBody.unwrap().unwrap().shape));

const BaseUrl = z
  .object({
    id: z.number().int(),
    name: z.string(),
    provider: z.string(),
    url: z.string(),
    is_default: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'ProviderBaseUrl' });

const VersionFields = {
  success: z.boolean(),
  id: z.number().int(),
  prompt_name: z.string(),
  tags: z.array(z.string()),
  workspace_id: z.number().int(),
  prompt_template: z.unknown(),
  version: z.number().int(),
  version_number: z.number().int(),
  prompt_version_id: z.number().int(),
  commit_message: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  provider_base_url_name: z.string().nullable(),
  release_labels: z.array(z.string()),
  created_at: z.string(),
};
const Warnings = z.array(z.string()).describe('Request fields Strata accepted but does not apply');
const PublishedResponse = z
  .object({ ...VersionFields, external_ids: z.array(z.unknown()), warnings: Warnings })
  .meta({ id: 'PublishedPromptTemplate' });
const RenderedResponse = z
  .object({
    ...VersionFields,
    llm_kwargs: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('The provider request run() sends (see docs/request-logs.md)'),
    provider_base_url: BaseUrl.nullable(),
    snippets: z.array(z.unknown()),
    warning: z
      .string()
      .nullable()
      .describe('PromptLayer’s one-line warning (the SDKs print it): missing input variables …'),
    warnings: Warnings,
  })
  .meta({ id: 'RenderedPromptTemplate' });
const RawResponse = z
  .object({
    ...VersionFields,
    snippets: z.array(z.unknown()),
    llm_kwargs: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .meta({ id: 'PromptTemplateRaw' });
const ListItem = z
  .object({
    ...VersionFields,
    llm_kwargs: z.null(),
    external_ids: z.array(z.unknown()),
    is_snippet: z.boolean(),
    folder_id: z.null(),
  })
  .omit({ success: true })
  .meta({ id: 'PromptTemplateListItem' });

const QueryBool = z.enum(['true', 'false']).transform((v) => v === 'true');
const Timestamp = z
  .string()
  .max(64)
  .transform((v, ctx) => {
    // A time without an offset is UTC, as everywhere in Strata.
    const ms = Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(v) || /^\d{4}-\d\d-\d\d$/.test(v) ? v : `${v}Z`);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'not an ISO 8601 time' });
      return z.NEVER;
    }
    return ms;
  });
const ListQuery = z.looseObject({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(30),
  label: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('Only templates having this release label, at the labelled version'),
  name: z.string().min(1).max(512).optional().describe('Case-insensitive partial match'),
  tags: z
    .union([z.string().max(256), z.array(z.string().max(256)).max(100)])
    .optional()
    .describe('Templates having all of these tags'),
  status: z
    .enum(['active', 'deleted', 'all'])
    .default('active')
    .describe('Strata never deletes templates: deleted is always empty'),
  created_after: Timestamp.optional(),
  created_before: Timestamp.optional(),
  updated_after: Timestamp.optional(),
  updated_before: Timestamp.optional(),
  sort_by: z.enum(['created_at', 'updated_at', 'name', 'id']).optional().describe('Without it: by id, oldest first'),
  sort_order: z.enum(['asc', 'desc']).default('desc'),
  is_snippet: QueryBool.optional().describe('Strata has no snippets: true is always empty'),
  external_source: z.string().max(256).optional().describe('Not supported (named in warnings)'),
  external_id: z.string().max(256).optional().describe('Not supported (named in warnings)'),
  created_by_email: z.string().max(320).optional().describe('Not supported (named in warnings)'),
});
const LIST_FIELDS = new Set(Object.keys(ListQuery.shape));
const LIST_UNSUPPORTED = ['external_source', 'external_id', 'created_by_email'] as const;

const PatchList = z.union([z.array(z.unknown()).max(10_000), z.record(z.string(), z.unknown())]);
const PatchBody = z.object({
  version: Version.nullish(),
  label: z.string().min(1).max(256).nullish(),
  messages: PatchList.nullish(),
  tools: PatchList.nullish(),
  functions: PatchList.nullish(),
  function_call: z.unknown().optional(),
  tool_choice: z.unknown().optional(),
  content: PatchList.nullish(),
  model_parameters: z.record(z.string(), z.unknown()).nullish(),
  response_format: z.unknown().optional(),
  commit_message: z.string().max(10_000).nullish(),
  release_labels: z.array(z.string().min(1).max(256)).max(50).nullish(),
});

const Label = z
  .object({
    id: z.number().int(),
    name: z.string(),
    prompt_id: z.number().int(),
    prompt_version_id: z.number().int(),
    prompt_version_number: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'PromptLabel' });
const LabelIdParam = z.object({ prompt_label_id: z.coerce.number().int().min(1).max(MAX_INT32) });

/** Unknown request fields, named so that nothing is silently ignored. */
const unknownFields = (body: object | null | undefined, known: Set<string>) =>
  Object.keys(body ?? {})
    .filter((k) => !known.has(k))
    .map((k) => `${k}: not a field of this request; ignored`);

/** Turns a template that fails the publish schema into a 400 naming the first problem. */
function checkTemplate(template: unknown): void {
  const parsed = TemplateContent.safeParse(template);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`prompt_template.${issue.path.join('.')}: ${issue.message}`);
  }
}

// These paths sit outside /api and /rest, so each route names its auth mode; 'any' lets the web UI (JWT) use them too.
export async function promptTemplateRoutes(
  app: FastifyInstance,
  opts: { templates: PromptTemplateService },
): Promise<void> {
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
      response: { 201: PublishedResponse, ...errorResponses(400, 401) },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const warnings = b.external_ids?.length ? ['external_ids: not supported by Strata; ignored'] : [];
      if (b.prompt_template.folder_id !== undefined && b.prompt_template.folder_id !== null)
        warnings.push('folder_id: Strata has no folders; ignored');
      const published = await templates.publish(callerOf(req), {
        prompt_name: b.prompt_template.prompt_name,
        tags: b.prompt_template.tags,
        prompt_template: b.prompt_version.prompt_template,
        commit_message: b.prompt_version.commit_message,
        metadata: b.prompt_version.metadata,
        release_labels: b.release_labels ?? undefined,
        provider_base_url_name:
          b.prompt_version.provider_base_url_name ?? b.prompt_template.provider_base_url_name ?? null,
      });
      return reply.code(201).send(presentPublished(published, warnings));
    },
  });

  r.patch('/rest/prompt-templates/:identifier', {
    config: { auth: 'any' },
    schema: {
      tags: ['prompt templates'],
      summary:
        'A new version from a base version (version, label or latest) with messages, tools, content or model parameters patched',
      params: IdentifierParam,
      body: PatchBody,
      response: { 201: PublishedResponse, ...errorResponses(400, 401, 404) },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const patched = await templates.patch(
        callerOf(req),
        req.params.identifier,
        { ...b, version: b.version ?? undefined, label: b.label ?? undefined },
        checkTemplate,
      );
      return reply.code(201).send(presentPublished(patched, []));
    },
  });

  r.post('/prompt-templates/:identifier', {
    config: { auth: 'any' },
    schema: {
      tags: ['prompt templates'],
      summary:
        'The template fetch of run(): a version rendered with input_variables, with llm_kwargs for its provider and the provider base URL',
      params: IdentifierParam,
      body: RenderBody,
      response: { 200: RenderedResponse, ...errorResponses(400, 401, 404) },
    },
    handler: async (req) => {
      const b = req.body ?? {};
      const warnings = unknownFields(b, RENDER_FIELDS);
      if (b.metadata_filters && Object.keys(b.metadata_filters).length > 0)
        warnings.push(
          'metadata_filters: A/B release labels are not supported by Strata; the version was chosen by version, label or latest',
        );
      if (b.workspace_id !== undefined && b.workspace_id !== null)
        warnings.push('workspace_id: the workspace is the API key’s; ignored');
      const rendered = await templates.render(callerOf(req), req.params.identifier, {
        version: b.version ?? undefined,
        label: b.label ?? undefined,
        input_variables: b.input_variables ?? undefined,
        provider: b.provider ?? undefined,
        model: b.model ?? undefined,
        model_parameter_overrides: b.model_parameter_overrides ?? undefined,
        skip_input_variable_rendering: b.skip_input_variable_rendering ?? false,
      });
      return presentRendered(rendered, warnings);
    },
  });

  r.get('/prompt-templates/:identifier', {
    config: { auth: 'any' },
    schema: {
      tags: ['prompt templates'],
      summary: 'A version as stored (by version, label or latest); include_llm_kwargs=true adds the provider request',
      params: IdentifierParam,
      querystring: z.object({
        version: z.coerce.number().int().min(1).max(MAX_INT32).optional(),
        label: z.string().min(1).max(256).optional(),
        resolve_snippets: QueryBool.optional().describe('Strata has no snippets: both values return the same template'),
        include_llm_kwargs: QueryBool.default(false),
      }),
      response: { 200: RawResponse, ...errorResponses(400, 401, 404) },
    },
    handler: async (req) => {
      const q = req.query;
      if (q.include_llm_kwargs) {
        const rendered = await templates.render(callerOf(req), req.params.identifier, {
          version: q.version,
          label: q.label,
          skip_input_variable_rendering: true,
        });
        return { success: true, ...presentVersion(rendered), snippets: [], llm_kwargs: rendered.llm_kwargs };
      }
      const found = await templates.get(callerOf(req), req.params.identifier, { version: q.version, label: q.label });
      return { success: true, ...presentVersion(found), snippets: [] };
    },
  });

  r.get('/prompt-templates/:identifier/labels', {
    config: { auth: 'any' },
    schema: {
      tags: ['prompt templates'],
      summary: 'The release labels of a template and the version each points at',
      params: IdentifierParam,
      response: {
        200: z.object({
          success: z.boolean(),
          release_labels: z.array(
            z.object({
              release_label_id: z.number().int(),
              release_label: z.string(),
              prompt_version_id: z.number().int(),
              prompt_version_number: z.number().int(),
            }),
          ),
        }),
        ...errorResponses(401, 404),
      },
    },
    handler: async (req) => {
      const { labels } = await templates.labels(callerOf(req), req.params.identifier);
      return { success: true, release_labels: labels.map(presentLabelRef) };
    },
  });

  r.post('/prompts/:prompt_id/label', {
    config: { auth: 'any' },
    schema: {
      tags: ['prompt templates'],
      summary:
        'Create a release label on a version of a template (409 if the template has it already: move it with PATCH)',
      params: z.object({ prompt_id: z.coerce.number().int().min(1).max(MAX_INT32) }),
      body: z.object({ name: z.string().min(1).max(256), prompt_version_number: Version }),
      response: { 200: Label, ...errorResponses(400, 401, 404, 409) },
    },
    handler: async (req) =>
      presentLabel(
        await templates.createLabel(callerOf(req), req.params.prompt_id, req.body.name, req.body.prompt_version_number),
      ),
  });

  r.patch('/prompt-labels/:prompt_label_id', {
    config: { auth: 'any' },
    schema: {
      tags: ['prompt templates'],
      summary: 'Move a release label to another version of its template',
      params: LabelIdParam,
      body: z.object({ prompt_version_number: Version }),
      response: { 200: Label, ...errorResponses(400, 401, 404) },
    },
    handler: async (req) =>
      presentLabel(
        await templates.moveLabel(callerOf(req), req.params.prompt_label_id, req.body.prompt_version_number),
      ),
  });

  r.delete('/prompt-labels/:prompt_label_id', {
    config: { auth: 'any' },
    schema: {
      tags: ['prompt templates'],
      summary: 'Delete a release label',
      params: LabelIdParam,
      response: { 204: z.null().describe('Deleted'), ...errorResponses(401, 404) },
    },
    handler: async (req, reply) => {
      await templates.deleteLabel(callerOf(req), req.params.prompt_label_id);
      return reply.code(204).send(null);
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
          items: z.array(ListItem),
          page: z.number(),
          per_page: z.number(),
          total: z.number(),
          pages: z.number(),
          has_next: z.boolean(),
          has_prev: z.boolean(),
          next_num: z.number().nullable(),
          prev_num: z.number().nullable(),
          warnings: Warnings,
        }),
        ...errorResponses(400, 401),
      },
    },
    handler: async (req) => {
      const q = req.query;
      const warnings = unknownFields(q, LIST_FIELDS);
      for (const f of LIST_UNSUPPORTED) if (q[f] !== undefined) warnings.push(`${f}: not supported by Strata; ignored`);
      // Strata keeps no deleted templates and no snippets, so these filters match nothing rather than everything.
      const empty = q.status === 'deleted' || q.is_snippet === true;
      const { items, total } = empty
        ? { items: [], total: 0 }
        : await templates.list(callerOf(req), {
            page: q.page,
            perPage: q.per_page,
            label: q.label,
            name: q.name,
            tags: q.tags === undefined ? undefined : Array.isArray(q.tags) ? q.tags : [q.tags],
            createdAfter: q.created_after,
            createdBefore: q.created_before,
            updatedAfter: q.updated_after,
            updatedBefore: q.updated_before,
            sortBy: q.sort_by,
            sortOrder: q.sort_order,
          });
      return {
        success: true,
        items: items.map(presentListItem),
        ...paging(q.page, q.per_page, total),
        warnings,
      };
    },
  });

  // ---- provider base URLs: where run() sends a provider's requests (the SDKs read provider_base_url.url)

  const BaseUrlName = z.object({ name: z.string().min(1).max(255) });
  r.get('/api/public/v2/provider-base-urls', {
    schema: {
      tags: ['prompt templates'],
      summary: 'The workspace’s provider base URLs',
      response: { 200: z.object({ success: z.boolean(), items: z.array(BaseUrl) }), ...errorResponses(401) },
    },
    handler: async (req) => ({
      success: true,
      items: (await templates.listBaseUrls(callerOf(req))).map(presentBaseUrl),
    }),
  });
  r.get('/api/public/v2/provider-base-urls/:name', {
    schema: {
      tags: ['prompt templates'],
      summary: 'One provider base URL by name',
      params: BaseUrlName,
      response: { 200: z.object({ success: z.boolean(), provider_base_url: BaseUrl }), ...errorResponses(401, 404) },
    },
    handler: async (req) => ({
      success: true,
      provider_base_url: presentBaseUrl(await templates.getBaseUrl(callerOf(req), req.params.name)),
    }),
  });
  r.put('/api/public/v2/provider-base-urls/:name', {
    schema: {
      tags: ['prompt templates'],
      summary:
        'Create or replace a named provider base URL; is_default makes it the one used by versions of that provider that name none',
      params: BaseUrlName,
      body: z.object({
        provider: z.string().min(1).max(100),
        url: z.string().min(1).max(2048),
        is_default: z.boolean().optional(),
      }),
      response: { 200: z.object({ success: z.boolean(), provider_base_url: BaseUrl }), ...errorResponses(400, 401) },
    },
    handler: async (req) => ({
      success: true,
      provider_base_url: presentBaseUrl(
        await templates.putBaseUrl(callerOf(req), { name: req.params.name, ...req.body }),
      ),
    }),
  });
  r.delete('/api/public/v2/provider-base-urls/:name', {
    schema: {
      tags: ['prompt templates'],
      summary: 'Delete a provider base URL',
      params: BaseUrlName,
      response: { 200: z.object({ success: z.boolean() }), ...errorResponses(401, 404) },
    },
    handler: async (req) => {
      await templates.deleteBaseUrl(callerOf(req), req.params.name);
      return { success: true };
    },
  });
}
