// Turns the core's multipart uploads and parts into the /v1 wire shapes (UploadResponse, UploadPart).
import type { UploadPartRow } from '../../datasets/uploads/upload.repository.js';
import type { UploadView } from '../../datasets/uploads/upload.service.js';
import { shownFolder } from './dataset.presenter.js';

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

export function presentUpload(v: UploadView) {
  const u = v.upload;
  const failed = v.dataset?.status === 'FAILED';
  return {
    id: u.id,
    upload_info: {
      status: u.dataset_id === null ? ('PENDING' as const) : failed ? ('FAILED' as const) : ('COMPLETED' as const),
      dataset: {
        name: u.name,
        schema: u.schema,
        folder: shownFolder(u.folder),
        id: v.dataset?.group.external_id ?? null,
      },
      created_at: Math.floor(u.created_at / 1000),
      error: failed ? (v.dataset?.error ?? null) : null,
      completed_at: seconds(u.completed_at),
      ai_project_id: u.ai_project_id,
    },
  };
}

export const presentPart = (p: UploadPartRow) => ({
  id: p.id,
  upload_id: p.upload_id,
  size: Number(p.size),
  sha256: p.sha256,
  created_at: Math.floor(p.created_at / 1000),
});
