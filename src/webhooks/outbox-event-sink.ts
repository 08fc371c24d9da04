// The EventSink that turns domain events into webhook deliveries, in the transaction that caused the event (an outbox).
import type { Executor } from '../db/database.js';
import type { DomainEvent, DomainEventType, EventSink } from '../events/domain-events.js';
import { pythonJsonDumps } from './signatures.js';
import { endpointWants, envelopeOf, newEventId } from './webhook-events.js';
import type { WebhookRepository } from './webhook.repository.js';

export class OutboxEventSink implements EventSink {
  constructor(private readonly repo: WebhookRepository) {}

  /** One pending delivery per enabled endpoint of the workspace that subscribes to the event; nothing when none does. */
  async record<T extends DomainEventType>(ex: Executor, event: DomainEvent<T>): Promise<void> {
    const endpoints = (await this.repo.enabledEndpoints(ex, event.workspaceId)).filter((e) =>
      endpointWants(e.events, event.type),
    );
    if (endpoints.length === 0) return;
    const eventId = newEventId();
    // The body is fixed now, so every attempt sends (and signs) the same bytes; sorted keys make it PromptLayer's canonical form.
    const payload = pythonJsonDumps(envelopeOf(event, eventId, Date.now()));
    await this.repo.insertDeliveries(
      ex,
      endpoints.map((e) => ({
        endpoint_id: e.id,
        workspace_id: event.workspaceId,
        event_id: eventId,
        event_type: event.type,
        payload,
      })),
    );
  }
}
