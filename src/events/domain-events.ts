// Domain events (the webhook catalogue) and the sink that records them inside the transaction that caused them.
import type { Executor } from '../db/database.js';

export interface DomainEventDetails {
  dataset_group_created: { dataset_group_id: number; name: string };
  dataset_version_created_by_file: { dataset_id: number; dataset_version_number: number };
  dataset_version_created_by_file_failed: { dataset_id: number; error_message: string };
  dataset_version_created_from_draft: { dataset_id: number; dataset_version_number: number };
  dataset_version_deleted: { dataset_id: number; dataset_group_id: number; dataset_version_number: number };
  dataset_version_created_from_filter_params: {
    dataset_id: number;
    rows_added: number;
    dataset_version_number: number;
  };
}

export type DomainEventType = keyof DomainEventDetails;

export interface DomainEvent<T extends DomainEventType = DomainEventType> {
  workspaceId: number;
  type: T;
  details: DomainEventDetails[T];
  userId?: number | null;
}

export interface EventSink {
  /** Records the event with `ex` (a transaction), so it is delivered if and only if the change commits. */
  record<T extends DomainEventType>(ex: Executor, event: DomainEvent<T>): Promise<void>;
}

/** Used until webhooks are configured: events go nowhere. */
export const nullEventSink: EventSink = {
  async record() {},
};
