// Use cases of webhook endpoints: register (URL checked by the outbound guard), list, change, rotate the secret, delete, deliveries.
import type { DatabaseHandle } from '../db/database.js';
import type { WebhookDeliveryRow, WebhookDeliveryStatus, WebhookEndpointRow } from '../db/schema.js';
import type { Caller } from '../auth/caller.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { assertOutboundAllowed, OutboundAllowlist, type HostResolver } from '../net/outbound-guard.js';
import { newWebhookSecret } from './signatures.js';
import { WEBHOOK_EVENT_TYPES } from './webhook-events.js';
import type { EndpointPatch, WebhookRepository } from './webhook.repository.js';

export interface WebhookServiceOptions {
  allowlist: readonly string[];
  resolve?: HostResolver;
}

export class WebhookService {
  private readonly allowlist: OutboundAllowlist;

  constructor(
    private readonly dbh: DatabaseHandle,
    private readonly repo: WebhookRepository,
    private readonly opts: WebhookServiceOptions,
  ) {
    this.allowlist = new OutboundAllowlist(opts.allowlist);
  }

  async create(
    caller: Caller,
    input: { url: string; events?: string[]; description?: string | null },
  ): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
    const url = await this.checkUrl(input.url);
    const secret = newWebhookSecret();
    const endpoint = await this.repo.insertEndpoint({
      workspaceId: caller.workspaceId,
      url,
      description: input.description ?? null,
      events: checkEvents(input.events ?? []),
      secret,
      createdBy: caller.userId,
    });
    return { endpoint, secret };
  }

  async list(caller: Caller): Promise<WebhookEndpointRow[]> {
    return this.repo.listEndpoints(caller.workspaceId);
  }

  /** An endpoint of the caller's workspace; another workspace's is reported missing (ids are not secrets, but URLs are). */
  async get(caller: Caller, id: number): Promise<WebhookEndpointRow> {
    const endpoint = await this.repo.findEndpoint(id);
    if (!endpoint || endpoint.workspace_id !== caller.workspaceId) throw new NotFoundError('webhook', id);
    return endpoint;
  }

  async update(
    caller: Caller,
    id: number,
    input: { url?: string; events?: string[]; description?: string | null; enabled?: boolean },
  ): Promise<WebhookEndpointRow> {
    const current = await this.get(caller, id);
    const patch: EndpointPatch = {};
    if (input.url !== undefined) patch.url = await this.checkUrl(input.url);
    if (input.events !== undefined) patch.events = checkEvents(input.events);
    if (input.description !== undefined) patch.description = input.description;
    if (input.enabled === true && !current.enabled) {
      // Re-enabling starts afresh: pending deliveries are sent again at once, the failure run is forgotten.
      Object.assign(patch, {
        enabled: 1,
        disabled_reason: null,
        disabled_at: null,
        consecutive_failures: 0,
        retry_at: null,
      });
    } else if (input.enabled === false && current.enabled) {
      Object.assign(patch, {
        enabled: 0,
        disabled_reason: 'disabled through the API',
        disabled_at: Date.now(),
        retry_at: null,
      });
    }
    const updated = await this.repo.updateEndpoint(id, patch);
    if (!updated) throw new NotFoundError('webhook', id);
    return updated;
  }

  async rotateSecret(caller: Caller, id: number): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
    await this.get(caller, id);
    const secret = newWebhookSecret();
    const endpoint = await this.repo.updateEndpoint(id, { secret });
    if (!endpoint) throw new NotFoundError('webhook', id);
    return { endpoint, secret };
  }

  async delete(caller: Caller, id: number): Promise<void> {
    await this.get(caller, id);
    await this.dbh.transaction((trx) => this.repo.deleteEndpoint(trx, id));
  }

  async deliveries(
    caller: Caller,
    id: number,
    q: { status?: WebhookDeliveryStatus; page: number; perPage: number },
  ): Promise<{ rows: WebhookDeliveryRow[]; total: number }> {
    await this.get(caller, id);
    return this.repo.listDeliveries(id, { status: q.status, offset: (q.page - 1) * q.perPage, limit: q.perPage });
  }

  private async checkUrl(raw: string): Promise<string> {
    const target = await assertOutboundAllowed(raw.trim(), this.allowlist, { resolve: this.opts.resolve });
    return target.url.toString();
  }
}

function checkEvents(events: string[]): string[] {
  const unknown = events.filter((e) => !(WEBHOOK_EVENT_TYPES as string[]).includes(e));
  if (unknown.length > 0)
    throw new ValidationError(`unknown event type(s) ${unknown.join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  return [...new Set(events)];
}
