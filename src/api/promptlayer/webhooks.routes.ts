// Webhook endpoints of the caller's workspace (Strata; PromptLayer configures webhooks only in its UI): CRUD, secret rotation, deliveries.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WebhookDeliveryRow, WebhookEndpointRow } from '../../db/schema.js';
import { callerOf } from '../../http/auth-hook.js';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/webhook-events.js';
import type { WebhookService } from '../../webhooks/webhook.service.js';
import { errorResponses, IdParam } from './common.schemas.js';
import { pageCount } from '../paging.js';

const V2 = '/api/public/v2/webhooks';
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const EventType = z.enum(WEBHOOK_EVENT_TYPES);

const Webhook = z
  .object({
    id: z.number().int(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()).describe('Subscribed event types; empty means every event'),
    enabled: z.boolean(),
    disabled_reason: z
      .string()
      .nullable()
      .describe('Why the endpoint was disabled (by the API or after a run of failures)'),
    consecutive_failures: z.number().int(),
    next_retry_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    disabled_at: z.string().nullable(),
  })
  .meta({ id: 'Webhook' });

const Delivery = z
  .object({
    id: z.number().int(),
    event_id: z.string().describe('Also the webhook-id header; the same on every attempt'),
    event_type: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: z.string().nullable(),
    first_attempt_at: z.string().nullable(),
    last_attempt_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'WebhookDelivery' });

function presentWebhook(e: WebhookEndpointRow): z.infer<typeof Webhook> {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    enabled: e.enabled === 1,
    disabled_reason: e.disabled_reason,
    consecutive_failures: e.consecutive_failures,
    next_retry_at: iso(e.retry_at),
    created_at: iso(e.created_at)!,
    updated_at: iso(e.updated_at)!,
    disabled_at: iso(e.disabled_at),
  };
}

function presentDelivery(d: WebhookDeliveryRow): z.infer<typeof Delivery> {
  return {
    id: d.id,
    event_id: d.event_id,
    event_type: d.event_type,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    next_attempt_at: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    first_attempt_at: iso(d.first_attempt_at),
    last_attempt_at: iso(d.last_attempt_at),
    delivered_at: iso(d.delivered_at),
    created_at: iso(d.created_at)!,
    updated_at: iso(d.updated_at)!,
  };
}

const Url = z
  .string()
  .min(1)
  .max(2048)
  .describe('http(s) URL; must resolve to a public address unless STRATA_OUTBOUND_ALLOWLIST permits it');

const CreateBody = z.object({
  url: Url,
  events: z.array(EventType).max(50).optional().describe('Event types to receive; omit or [] for every event'),
  description: z.string().max(500).nullable().optional(),
});

const PatchBody = z
  .object({
    url: Url.optional(),
    events: z.array(EventType).max(50).optional(),
    description: z.string().max(500).nullable().optional(),
    enabled: z.boolean().optional().describe('true re-enables an endpoint (also one disabled after failures)'),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one of url, events, description, enabled');

const WithSecret = z.object({
  success: z.boolean(),
  message: z.string(),
  webhook: Webhook,
  secret: z.string().describe('Shown only now: keep it to verify signatures'),
});

export async function webhookRoutes(app: FastifyInstance, opts: { webhooks: WebhookService }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { webhooks } = opts;

  r.post(V2, {
    schema: {
      tags: ['webhooks'],
      summary: 'Register a webhook endpoint (its signing secret is shown once)',
      body: CreateBody,
      response: { 201: WithSecret, ...errorResponses(400, 401) },
    },
    handler: async (req, reply) => {
      const { endpoint, secret } = await webhooks.create(callerOf(req), req.body);
      return reply
        .code(201)
        .send({ success: true, message: 'Webhook created', webhook: presentWebhook(endpoint), secret });
    },
  });

  r.get(V2, {
    schema: {
      tags: ['webhooks'],
      summary: 'Webhook endpoints of the workspace',
      response: {
        200: z.object({ success: z.boolean(), webhooks: z.array(Webhook), event_types: z.array(z.string()) }),
      },
    },
    handler: async (req) => ({
      success: true,
      webhooks: (await webhooks.list(callerOf(req))).map(presentWebhook),
      event_types: [...WEBHOOK_EVENT_TYPES],
    }),
  });

  r.get(`${V2}/:id`, {
    schema: {
      tags: ['webhooks'],
      summary: 'One webhook endpoint',
      params: IdParam,
      response: { 200: z.object({ success: z.boolean(), webhook: Webhook }), ...errorResponses(404) },
    },
    handler: async (req) => ({
      success: true,
      webhook: presentWebhook(await webhooks.get(callerOf(req), req.params.id)),
    }),
  });

  r.patch(`${V2}/:id`, {
    schema: {
      tags: ['webhooks'],
      summary: 'Change url, events, description or enabled',
      params: IdParam,
      body: PatchBody,
      response: { 200: z.object({ success: z.boolean(), webhook: Webhook }), ...errorResponses(400, 404) },
    },
    handler: async (req) => ({
      success: true,
      webhook: presentWebhook(await webhooks.update(callerOf(req), req.params.id, req.body)),
    }),
  });

  r.delete(`${V2}/:id`, {
    schema: {
      tags: ['webhooks'],
      summary: 'Delete a webhook endpoint and its pending deliveries',
      params: IdParam,
      response: { 200: z.object({ success: z.boolean(), message: z.string() }), ...errorResponses(404) },
    },
    handler: async (req) => {
      await webhooks.delete(callerOf(req), req.params.id);
      return { success: true, message: 'Webhook deleted' };
    },
  });

  r.post(`${V2}/:id/rotate-secret`, {
    schema: {
      tags: ['webhooks'],
      summary: 'Replace the signing secret (the old one stops working at once)',
      params: IdParam,
      response: { 200: WithSecret, ...errorResponses(404) },
    },
    handler: async (req) => {
      const { endpoint, secret } = await webhooks.rotateSecret(callerOf(req), req.params.id);
      return { success: true, message: 'Secret rotated', webhook: presentWebhook(endpoint), secret };
    },
  });

  r.get(`${V2}/:id/deliveries`, {
    schema: {
      tags: ['webhooks'],
      summary: 'Deliveries of an endpoint, newest first',
      params: IdParam,
      querystring: z.object({
        status: z.enum(['pending', 'succeeded', 'failed']).optional(),
        page: z.coerce.number().int().min(1).default(1),
        per_page: z.coerce.number().int().min(1).max(100).default(20),
      }),
      response: {
        200: z.object({
          success: z.boolean(),
          deliveries: z.array(Delivery),
          page: z.number(),
          per_page: z.number(),
          total: z.number(),
          pages: z.number(),
        }),
        ...errorResponses(404),
      },
    },
    handler: async (req) => {
      const q = req.query;
      const { rows, total } = await webhooks.deliveries(callerOf(req), req.params.id, {
        status: q.status,
        page: q.page,
        perPage: q.per_page,
      });
      return {
        success: true,
        deliveries: rows.map(presentDelivery),
        page: q.page,
        per_page: q.per_page,
        total,
        pages: pageCount(total, q.per_page),
      };
    },
  });
}
