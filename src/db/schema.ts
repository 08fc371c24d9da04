// Row types of every table: the tables as Kysely sees them (JSON columns are text), and the row types repositories
// return (JSON columns decoded, see json-columns.ts). Times are epoch milliseconds; booleans are 0/1.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Decoded } from './json-columns.js';

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
  /** Hash of the row's canonical cells text (src/datasets/row-hash.ts); null until computed. */
  content_hash: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Column statistics of a published version, computed once (published rows never change). */
export interface DatasetColumnStatsTable {
  dataset_id: number;
  column_index: number;
  column_name: string;
  /** JSON object of one column's figures. */
  stats: string;
  rows_scanned: number;
  computed_at: number;
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
  /** Infrastructure failures since the job last made progress; they re-queue it without spending an attempt. */
  transient_failures: ColumnType<number, number | undefined, number>;
  /** Database time of the first of those failures (null when there is none). */
  transient_since: number | null;
}

/** An S3 import waiting for (or being run by) its job; removed once the import is finished. */
/** A Nebius multipart upload: the dataset it makes (name, folder, typed schema, file format) and, once completed, the draft. */
export interface NebiusUploadsTable {
  /** 32 hex characters, the upload's id on /v1. */
  id: string;
  workspace_id: number;
  user_id: number | null;
  name: string;
  folder: string;
  schema_json: string;
  format: string;
  ai_project_id: string | null;
  /** The processing draft made by complete (null until then). */
  dataset_id: number | null;
  /** JSON string[]: the part ids complete chose, in file order. */
  part_ids_json: string | null;
  created_at: number;
  completed_at: number | null;
}

/** One uploaded part; its bytes are the blob nebius-uploads/<upload_id>/<id>. */
export interface NebiusUploadPartsTable {
  id: string;
  upload_id: string;
  size: number;
  sha256: string;
  created_at: number;
}

export interface NebiusS3ImportsTable {
  dataset_id: number;
  service_url: string;
  region: string;
  uri: string;
  key_id: string;
  /** The secret key, sealed by SecretBox (never plaintext). */
  secret_sealed: string;
  /** JSON ColumnSchema[] the files must match, or null to infer it. */
  schema_json: string | null;
  created_at: number;
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

/**
 * SQLite only: contentless FTS5 trigram index of request logs' folded input/output text (rowid = request_logs.id),
 * filled by LogTextIndexer (and kept by triggers on delete and update); read only through MATCH as a search prefilter (its columns read back as NULL).
 */
export interface RequestLogsFtsTable {
  rowid: number;
  input_text: string | null;
  output_text: string | null;
}

/**
 * SQLite only: one row (id 1) saying up to which request log id request_logs_fts is complete; logs above it are
 * indexed after their acknowledgement by LogTextIndexer, and search scans them exactly until then.
 */
export interface RequestLogsFtsStateTable {
  id: number;
  indexed_through: number;
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
  dataset_column_stats: DatasetColumnStatsTable;
  jobs: JobsTable;
  prompt_templates: PromptTemplatesTable;
  prompt_template_versions: PromptTemplateVersionsTable;
  prompt_release_labels: PromptReleaseLabelsTable;
  provider_base_urls: ProviderBaseUrlsTable;
  log_groups: LogGroupsTable;
  request_logs: RequestLogsTable;
  request_log_tags: RequestLogTagsTable;
  request_log_metadata: RequestLogMetadataTable;
  request_log_scores: RequestLogScoresTable;
  spans: SpansTable;
  request_logs_fts: RequestLogsFtsTable;
  request_logs_fts_state: RequestLogsFtsStateTable;
  nebius_s3_imports: NebiusS3ImportsTable;
  nebius_uploads: NebiusUploadsTable;
  nebius_upload_parts: NebiusUploadPartsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type WorkspaceRow = Selectable<WorkspacesTable>;
export type UserRow = Selectable<UsersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type DatasetGroupRow = Selectable<DatasetGroupsTable>;
export type StoredDatasetRow = Selectable<DatasetsTable>;
/** A dataset version as repositories return it; a NULL `warnings` reads as no warnings. */
export type DatasetRow = Decoded<
  StoredDatasetRow,
  { column_names: string[]; filter_params: Record<string, unknown> | null; warnings: string[] }
>;
export type NewDataset = Insertable<DatasetsTable>;
export type StoredJobRow = Selectable<JobsTable>;
/** A job as repositories return it; the payload's type follows `type` (see the job catalogue). */
export type JobRow = Decoded<StoredJobRow, { payload: unknown }>;

// ---- request logs and the prompt registry

export interface PromptTemplatesTable {
  id: Id;
  workspace_id: number;
  name: string;
  /** JSON array of strings. */
  tags: ColumnType<string, string | undefined, string>;
  created_at: number;
  updated_at: number;
}

export interface PromptTemplateVersionsTable {
  id: Id;
  template_id: number;
  version_number: number;
  /** JSON prompt template (chat or completion blueprint). */
  prompt_template: string;
  /** JSON object, or null. */
  metadata: string | null;
  commit_message: string | null;
  created_at: number;
  /** PromptLayer's `provider_base_url_name`: a provider_base_urls entry of the workspace, by name. */
  provider_base_url_name: string | null;
}

export interface PromptReleaseLabelsTable {
  /** PromptLayer's `prompt_label_id`. */
  id: Id;
  template_id: number;
  label: string;
  version_number: number;
  created_at: number;
  updated_at: number;
}

/** Where run() sends a provider's requests (the SDKs read `provider_base_url.url` from the template fetch). */
export interface ProviderBaseUrlsTable {
  id: Id;
  workspace_id: number;
  name: string;
  provider: string;
  url: string;
  /** 1 for the workspace's default entry of this provider (used when a version names none). */
  is_default: ColumnType<number, number | undefined, number>;
  created_at: number;
  updated_at: number;
}

export interface LogGroupsTable {
  id: Id;
  workspace_id: number;
  created_at: number;
}

export type RequestLogStatus = 'SUCCESS' | 'WARNING' | 'ERROR';

export interface RequestLogsTable {
  id: Id;
  workspace_id: number;
  provider: string;
  model: string;
  /** JSON prompt blueprints. */
  input: string;
  output: string;
  /** Plain text of the blueprints, for `q` search. */
  input_text: string;
  output_text: string;
  parameters: ColumnType<string, string | undefined, string>;
  request_start_time: number;
  request_end_time: number;
  latency_ms: number;
  input_tokens: ColumnType<number, number | undefined, number>;
  output_tokens: ColumnType<number, number | undefined, number>;
  price: ColumnType<number, number | undefined, number>;
  status: RequestLogStatus;
  error_type: string | null;
  error_message: string | null;
  function_name: string | null;
  api_type: string | null;
  starred: ColumnType<number, number | undefined, number>;
  group_id: number | null;
  prompt_name: string | null;
  prompt_id: number | null;
  prompt_version_number: number | null;
  prompt_input_variables: ColumnType<string, string | undefined, string>;
  /** JSON copies of the child tables, so reads need no joins. */
  tags: ColumnType<string, string | undefined, string>;
  metadata: ColumnType<string, string | undefined, string>;
  scores: ColumnType<string, string | undefined, string>;
  /** The score named "default" (what `sort_by: score` sorts on). */
  score: number | null;
  created_at: number;
  /** OpenTelemetry ids (32 and 16 lowercase hex characters) linking the log to a trace and span, when known. */
  trace_id: ColumnType<string | null, string | null | undefined, string | null>;
  span_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface RequestLogTagsTable {
  request_log_id: number;
  workspace_id: number;
  tag: string;
  request_start_time: number;
}

export interface RequestLogMetadataTable {
  request_log_id: number;
  workspace_id: number;
  key: string;
  value: string;
  request_start_time: number;
}

export interface RequestLogScoresTable {
  request_log_id: number;
  name: string;
  value: number;
}

/** One tracing span as the SDK exported it (JSON columns hold the SDK's objects). */
export interface SpansTable {
  id: Id;
  workspace_id: number;
  trace_id: string;
  span_id: string;
  parent_id: string | null;
  name: string;
  kind: string;
  start_time_ns: string;
  end_time_ns: string;
  start_time: number;
  end_time: number;
  status_code: string;
  status_description: string | null;
  attributes: string;
  events: string;
  links: string;
  resource: string;
  created_at: number;
}

export type StoredSpanRow = Selectable<SpansTable>;
/** A span as repositories return it: the SDK's objects decoded. */
export type SpanRow = Decoded<
  StoredSpanRow,
  { attributes: Record<string, unknown>; events: unknown[]; links: unknown[]; resource: Record<string, unknown> }
>;
export type NewSpan = Insertable<SpansTable>;
export type StoredRequestLogRow = Selectable<RequestLogsTable>;
/** A request log as repositories return it: blueprints, parameters, variables and the child-table copies decoded. */
export type RequestLogRow = Decoded<
  StoredRequestLogRow,
  {
    input: Record<string, unknown>;
    output: Record<string, unknown>;
    parameters: Record<string, unknown>;
    prompt_input_variables: Record<string, unknown>;
    tags: string[];
    metadata: Record<string, string>;
    scores: Record<string, number>;
  }
>;
/** The JSON columns of a request log. */
export type RequestLogJsonColumn =
  'input' | 'output' | 'parameters' | 'prompt_input_variables' | 'tags' | 'metadata' | 'scores';
/** A request log read with only some JSON columns decoded (the others left out): a dataset build's pass two. */
export type PartlyDecodedRequestLogRow = Omit<RequestLogRow, RequestLogJsonColumn> &
  Partial<Pick<RequestLogRow, RequestLogJsonColumn>>;
export type NewRequestLog = Insertable<RequestLogsTable>;
export type StoredPromptTemplateRow = Selectable<PromptTemplatesTable>;
export type PromptTemplateRow = Decoded<StoredPromptTemplateRow, { tags: string[] }>;
export type StoredPromptTemplateVersionRow = Selectable<PromptTemplateVersionsTable>;
/** A version as repositories return it: the template (a blueprint object) and its metadata decoded. */
export type PromptTemplateVersionRow = Decoded<
  StoredPromptTemplateVersionRow,
  { prompt_template: Record<string, unknown>; metadata: Record<string, unknown> | null }
>;
export type PromptReleaseLabelRow = Selectable<PromptReleaseLabelsTable>;
export type ProviderBaseUrlRow = Selectable<ProviderBaseUrlsTable>;
export type StoredWebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookEndpointRow = Decoded<StoredWebhookEndpointRow, { events: string[] }>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
