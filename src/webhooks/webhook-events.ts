// The events a webhook endpoint can subscribe to, and PromptLayer's envelope they are delivered in.
import { randomUUID } from 'node:crypto';
import type { DomainEvent, DomainEventType } from '../events/domain-events.js';

/** Every DomainEventType must appear here (the Record type makes a missing one a compile error). */
const CATALOGUE: Record<DomainEventType, string> = {
  dataset_group_created: 'A dataset group was created (with its empty draft).',
  dataset_version_created_by_file: 'A version built from an uploaded file is ready.',
  dataset_version_created_by_file_failed: 'A version from an uploaded file failed.',
  dataset_version_created_from_draft: 'A saved draft became the next version.',
  dataset_version_created_from_filter_params: 'A version built from request-log filter params is ready.',
  dataset_version_deleted: 'A published version (or its whole group) was deleted.',
};

export const WEBHOOK_EVENT_TYPES = Object.keys(CATALOGUE) as [DomainEventType, ...DomainEventType[]];

export function describeEventType(type: DomainEventType): string {
  return CATALOGUE[type];
}

/** A unique id per event; it is also the `webhook-id` of every delivery of the event (retries reuse it). */
export function newEventId(): string {
  return `evt_${randomUUID().replace(/-/g, '')}`;
}

export interface WebhookEnvelope {
  event_id: string;
  event_type: string;
  details: Record<string, unknown>;
  workspace_id: number;
  timestamp: string;
  user_id?: number;
}

/** PromptLayer's envelope `{event_type, details, workspace_id, timestamp, user_id?}` plus Strata's `event_id`. */
export function envelopeOf(event: DomainEvent, eventId: string, at: number): WebhookEnvelope {
  return {
    event_id: eventId,
    event_type: event.type,
    details: event.details,
    workspace_id: event.workspaceId,
    timestamp: new Date(at).toISOString(),
    ...(event.userId !== undefined && event.userId !== null ? { user_id: event.userId } : {}),
  };
}

/** An endpoint's event filter: an empty list means every event. */
export function endpointWants(events: string[], type: string): boolean {
  return events.length === 0 || events.includes(type);
}
