// Turns the core's typed dataset views into the /v1 wire shapes (CreateDatasetResponse; GET adds type: "dataset").
import type { DatasetOrigin } from '../../db/schema.js';
import type { TypedDatasetView } from '../../datasets/typed-schema/typed-dataset.service.js';

/** PromptLayer-made groups keep "" as their folder; Nebius shows it as the root "/". */
export const shownFolder = (folder: string) => (folder === '' ? '/' : folder);

function originOf(origin: DatasetOrigin | undefined): { type: 'upload' | 's3' } | null {
  if (origin === 'rows' || origin === 'file') return { type: 'upload' };
  if (origin === 's3') return { type: 's3' };
  return null;
}

/** Exactly CreateDatasetResponse's fields. `metadata` carries Strata's integer group id (as a string) for the other face. */
export function presentNebiusDataset(v: TypedDatasetView) {
  return {
    id: v.group.external_id,
    name: v.group.name,
    status: v.status,
    schema: v.schema,
    metadata: {
      strata_dataset_group_id: String(v.group.id),
      ...(v.group.expires_at !== null ? { expires_at: String(Math.floor(v.group.expires_at / 1000)) } : {}),
    },
    current_version_origin: originOf(v.current?.origin),
    folder: shownFolder(v.group.folder),
    current_version: v.current?.external_id ?? '',
    created_at: Math.floor(v.group.created_at / 1000),
    error: v.error,
    ai_project_id: v.group.ai_project_id,
  };
}

export function presentNebiusDatasetObject(v: TypedDatasetView) {
  return { ...presentNebiusDataset(v), type: 'dataset' as const };
}
