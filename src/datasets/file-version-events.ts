// The events of a version built from a file (S3 import, multipart upload): published, or failed with its reason.
import type { DatasetRow } from '../db/schema.js';
import type { DomainEvent } from '../events/domain-events.js';

export function fileVersionCreated(d: DatasetRow, version: number): DomainEvent {
  return {
    workspaceId: d.workspace_id,
    type: 'dataset_version_created_by_file',
    details: { dataset_id: d.id, dataset_version_number: version },
    userId: d.user_id,
  };
}

export function fileVersionFailed(message: string): (d: DatasetRow) => DomainEvent {
  return (d) => ({
    workspaceId: d.workspace_id,
    type: 'dataset_version_created_by_file_failed',
    details: { dataset_id: d.id, error_message: message },
    userId: d.user_id,
  });
}
