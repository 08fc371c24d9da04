// The ordered list of migrations. Add new ones at the end; never edit a migration that has shipped.
import type { Migration } from 'kysely';
import * as core from './20261122_0001_core.js';
import * as webhooks from './20261122_0004_webhooks.js';
import * as requestLogs from './20261122_0300_request_logs.js';
import * as nebiusS3Imports from './20261122_0500_nebius_s3_imports.js';
import * as requestLogTraces from './20261201_0600_request_log_traces.js';
import * as spans from './20261201_0610_spans.js';
import * as promptRegistryIds from './20261201_0620_prompt_registry_ids.js';
import * as jobFencing from './20261201_0640_job_fencing.js';
import * as textSearch from './20261201_0660_text_search.js';
import * as nebiusUploads from './20261201_0690_nebius_uploads.js';
import * as columnStats from './20261201_0720_column_stats.js';

export const migrations: Record<string, Migration> = {
  '20261122_0001_core': core,
  '20261122_0004_webhooks': webhooks,
  '20261122_0300_request_logs': requestLogs,
  '20261122_0500_nebius_s3_imports': nebiusS3Imports,
  '20261201_0600_request_log_traces': requestLogTraces,
  '20261201_0610_spans': spans,
  '20261201_0620_prompt_registry_ids': promptRegistryIds,
  '20261201_0640_job_fencing': jobFencing,
  '20261201_0660_text_search': textSearch,
  '20261201_0690_nebius_uploads': nebiusUploads,
  '20261201_0720_column_stats': columnStats,
};
