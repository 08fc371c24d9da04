// The migrations by name. Kysely runs them in name order, so a name is the UTC time the migration landed on main
// (YYYYMMDD'T'HHMMSS_what, see CONTRIBUTING.md); a new one gets a name after every other. Never edit a shipped one.
import type { Migration } from 'kysely';
import * as core from './20261122T133308_core.js';
import * as requestLogs from './20261122T141619_request_logs.js';
import * as nebiusS3Imports from './20261122T142529_nebius_s3_imports.js';
import * as webhooks from './20261122T143719_webhooks.js';
import * as requestLogTraces from './20261201T201539_request_log_traces.js';
import * as promptRegistryIds from './20261201T204408_prompt_registry_ids.js';
import * as spans from './20261201T205724_spans.js';
import * as textSearch from './20261201T210028_text_search.js';
import * as jobFencing from './20261201T212946_job_fencing.js';
import * as nebiusUploads from './20261201T214313_nebius_uploads.js';
import * as columnStats from './20261201T221149_column_stats.js';
import * as rowHash from './20261202T002858_row_hash.js';
import * as logTextIndexWatermark from './20261202T031216_log_text_index_watermark.js';

export const migrations: Record<string, Migration> = {
  '20261122T133308_core': core,
  '20261122T141619_request_logs': requestLogs,
  '20261122T142529_nebius_s3_imports': nebiusS3Imports,
  '20261122T143719_webhooks': webhooks,
  '20261201T201539_request_log_traces': requestLogTraces,
  '20261201T204408_prompt_registry_ids': promptRegistryIds,
  '20261201T205724_spans': spans,
  '20261201T210028_text_search': textSearch,
  '20261201T212946_job_fencing': jobFencing,
  '20261201T214313_nebius_uploads': nebiusUploads,
  '20261201T221149_column_stats': columnStats,
  '20261202T002858_row_hash': rowHash,
  '20261202T031216_log_text_index_watermark': logTextIndexWatermark,
};
