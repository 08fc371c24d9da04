// Row types of every table, as Kysely sees them. Times are epoch milliseconds; booleans are 0/1.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Id = Generated<number>;

export interface WorkspacesTable {
  id: Id;
  name: string;
  created_at: number;
}

export interface UsersTable {
  id: Id;
  email: string;
  password_hash: string;
  created_at: number;
}

export interface WorkspaceMembersTable {
  workspace_id: number;
  user_id: number;
  role: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: Id;
  workspace_id: number;
  user_id: number | null;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface DatasetGroupsTable {
  id: Id;
  workspace_id: number;
  name: string;
  is_deleted: ColumnType<number, number | undefined, number>;
  folder: ColumnType<string, string | undefined, string>;
  external_id: string;
  schema_json: string | null;
  ai_project_id: string | null;
  expires_at: number | null;
  user_id: number | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export type DatasetStatus = 'draft' | 'processing' | 'ready' | 'failed';
export type DatasetOrigin = 'file' | 'filter' | 'rows' | 's3' | 'draft';

export interface DatasetsTable {
  id: Id;
  group_id: number;
  workspace_id: number;
  version_number: ColumnType<number, number | undefined, number>;
  /** JSON array of column names. */
  column_names: ColumnType<string, string | undefined, string>;
  /** JSON object, or null. */
  filter_params: string | null;
  is_deleted: ColumnType<number, number | undefined, number>;
  user_id: number | null;
  status: DatasetStatus;
  origin: DatasetOrigin;
  error: string | null;
  /** JSON array of human-readable notes (renamed columns, ignored fields...). */
  warnings: string | null;
  row_count: ColumnType<number, number | undefined, number>;
  external_id: string;
  source_dataset_id: number | null;
  file_name: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  deleted_at: number | null;
}

export interface DatasetRowsTable {
  dataset_id: number;
  row_index: number;
  /** Identity kept across versions copied from one another; null means "`<dataset_id>:<row_index>`". */
  row_uid: string | null;
  /** JSON array of cell values, aligned with the dataset's column_names. */
  data: string;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: Id;
  type: string;
  payload: string;
  status: JobStatus;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: number;
  run_at: number;
  lease_until: number | null;
  locked_by: string | null;
  last_error: string | null;
  workspace_id: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface WebhookEndpointsTable {
  id: Id;
  workspace_id: number;
  url: string;
  description: string | null;
  /** JSON array of event types; empty means every event. */
  events: string;
  secret: string;
  enabled: ColumnType<number, number | undefined, number>;
  disabled_reason: string | null;
  consecutive_failures: ColumnType<number, number | undefined, number>;
  retry_at: number | null;
  lease_until: number | null;
  locked_by: string | null;
  created_by: number | null;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDeliveriesTable {
  id: Id;
  endpoint_id: number;
  workspace_id: number;
  event_id: string;
  event_type: string;
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  last_status_code: number | null;
  last_error: string | null;
  first_attempt_at: number | null;
  last_attempt_at: number | null;
  next_attempt_at: number | null;
  delivered_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface Database {
  workspaces: WorkspacesTable;
  users: UsersTable;
  workspace_members: WorkspaceMembersTable;
  api_keys: ApiKeysTable;
  settings: SettingsTable;
  dataset_groups: DatasetGroupsTable;
  datasets: DatasetsTable;
  dataset_rows: DatasetRowsTable;
  jobs: JobsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type WorkspaceRow = Selectable<WorkspacesTable>;
export type UserRow = Selectable<UsersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type DatasetGroupRow = Selectable<DatasetGroupsTable>;
export type DatasetRow = Selectable<DatasetsTable>;
export type NewDataset = Insertable<DatasetsTable>;
export type JobRow = Selectable<JobsTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
