// Wire shapes of the Strata API as the UI reads them (see /openapi.json).
export interface DatasetGroup {
  id: number;
  name: string;
  workspace_id: number;
  is_deleted: boolean;
  created_at?: string;
  updated_at?: string;
  /** Present once the Nebius face (folders) is installed. */
  folder?: string | null;
}

export type VersionStatus = 'draft' | 'processing' | 'ready' | 'failed';

export interface Dataset {
  id: number;
  dataset_group_id: number;
  version_number: number;
  column_names: string[];
  filter_params: Record<string, unknown> | null;
  is_deleted: boolean;
  user_id: number | null;
  dataset_group: DatasetGroup;
  status: VersionStatus;
  origin: string;
  row_count: number;
  error: string | null;
  warnings: string[];
  file_name: string | null;
  source_dataset_id: number | null;
  created_at: string | null;
  updated_at: string | null;
}

export interface RowsPage {
  columns: string[];
  rows: Array<Array<{ type: string; value: unknown }>>;
  total: number;
  next_cursor: string | null;
  /** Each row's id (for editing a draft), aligned with rows. */
  row_ids?: number[];
}

export interface Me {
  user: { id: number; email: string } | null;
  via: 'api_key' | 'jwt';
  workspace_id: number;
  workspaces: Array<{ id: number; name: string }>;
}

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  workspace_id: number;
  created_at: string;
  last_used_at: string | null;
  revoked: boolean;
}
