// Multipart uploads of typed datasets: create an upload (the dataset to make), stream parts to blob storage (each part
// is one blob, re-sendable), then complete with the chosen parts in order, which makes a PENDING dataset filled by a job.
import { createHash, randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { Caller } from '../../auth/caller.js';
import type { ColumnSchema } from '../column-types.js';
import { ConflictError, NotFoundError, PayloadTooLargeError, ValidationError, type FieldIssue } from '../../errors.js';
import type { FileFormat } from '../../jobs/job-catalogue.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { checkNameAndFolder, TYPED_DATASET_NAME_RULES } from '../dataset-names.js';
import { listTooShort, valueError } from '../field-issues.js';
import { checkSchema } from '../typed-schema/schema-checks.js';
import type { TypedDatasetService, TypedDatasetView } from '../typed-schema/typed-dataset.service.js';
import type { Upload, UploadPartRow, UploadRepository } from './upload.repository.js';

export const partKey = (uploadId: string, partId: string) => `nebius-uploads/${uploadId}/${partId}`;

const newId = () => randomBytes(16).toString('hex');

export interface UploadView {
  upload: Upload;
  dataset: TypedDatasetView | undefined;
}

export class UploadService {
  constructor(
    private readonly repo: UploadRepository,
    private readonly typed: TypedDatasetService,
    private readonly blobs: BlobStore,
    private readonly maxBytes: number,
  ) {}

  async create(
    caller: Caller,
    input: { name: string; folder: string; schema: ColumnSchema[]; format?: FileFormat; ai_project_id?: string | null },
  ): Promise<UploadView> {
    const issues = [...checkNameAndFolder(input, TYPED_DATASET_NAME_RULES), ...checkSchema(input.schema)];
    if (issues.length > 0) throw new ValidationError('the upload is not valid', issues);
    const name = input.name.trim();
    await this.typed.assertNameAvailable(caller, name);
    const upload: Upload = {
      id: newId(),
      workspace_id: caller.workspaceId,
      user_id: caller.userId,
      name,
      folder: input.folder,
      schema: input.schema,
      format: input.format ?? 'jsonl',
      ai_project_id: input.ai_project_id ?? null,
      dataset_id: null,
      part_ids: null,
      created_at: Date.now(),
      completed_at: null,
    };
    await this.repo.insertUpload(upload);
    return { upload, dataset: undefined };
  }

  async get(caller: Caller, uploadId: string): Promise<UploadView> {
    const upload = await this.find(caller, uploadId);
    return { upload, dataset: upload.dataset_id === null ? undefined : await this.datasetOf(caller, upload) };
  }

  /** Streams one part's bytes to blob storage with their size and SHA-256; a failed part is simply sent again. */
  async putPart(caller: Caller, uploadId: string, body: Readable): Promise<UploadPartRow> {
    const upload = await this.find(caller, uploadId);
    if (upload.dataset_id !== null) throw new ConflictError(`upload ${uploadId} is already completed`);
    const id = newId();
    const hash = createHash('sha256');
    let size = 0;
    const max = this.maxBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) return done(new PayloadTooLargeError(`a part may hold at most ${max} bytes`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    body.on('error', (err) => counter.destroy(err));
    const key = partKey(upload.id, id);
    try {
      await this.blobs.put(key, body.pipe(counter));
    } catch (err) {
      await this.blobs.delete(key).catch(() => undefined);
      throw err;
    }
    const part: UploadPartRow = { id, upload_id: upload.id, size, sha256: hash.digest('hex'), created_at: Date.now() };
    await this.repo.insertPart(part);
    return part;
  }

  async listParts(caller: Caller, uploadId: string): Promise<UploadPartRow[]> {
    const upload = await this.find(caller, uploadId);
    return this.repo.listParts(upload.id);
  }

  /** The parts, in the order given, become the file: a new dataset, PENDING until the import job checked every row. */
  async complete(caller: Caller, uploadId: string, partIds: string[]): Promise<UploadView> {
    const upload = await this.find(caller, uploadId);
    if (upload.dataset_id !== null) throw new ConflictError(`upload ${uploadId} is already completed`);
    const parts = new Map((await this.repo.listParts(upload.id)).map((p) => [p.id, p]));
    const issues: FieldIssue[] = [];
    if (partIds.length === 0) issues.push(listTooShort(['part_ids'], 1, partIds));
    const seen = new Set<string>();
    partIds.forEach((id, i) => {
      const path = ['part_ids', i];
      if (!parts.has(id)) issues.push(valueError(path, 'no part of this upload has this id', id));
      else if (seen.has(id)) issues.push(valueError(path, 'the part is listed twice', id));
      seen.add(id);
    });
    if (issues.length > 0) throw new ValidationError('the parts are not valid', issues);
    const total = partIds.reduce((n, id) => n + Number(parts.get(id)?.size ?? 0), 0);
    if (total > this.maxBytes)
      throw new PayloadTooLargeError(`the parts hold ${total} bytes; a dataset file may hold at most ${this.maxBytes}`);
    let raced = false;
    await this.typed.createForUpload(
      caller,
      {
        name: upload.name,
        folder: upload.folder,
        schema: upload.schema,
        ai_project_id: upload.ai_project_id,
        fileName: `upload ${upload.id}.${upload.format}`,
      },
      async (trx, draftId) => {
        if (!(await this.repo.complete(trx, upload.id, draftId, partIds, Date.now()))) {
          raced = true;
          throw new ConflictError(`upload ${uploadId} is already completed`);
        }
      },
    );
    if (raced) throw new ConflictError(`upload ${uploadId} is already completed`);
    return this.get(caller, uploadId);
  }

  private async find(caller: Caller, uploadId: string): Promise<Upload> {
    const upload = /^[0-9a-f]{32}$/.test(uploadId)
      ? await this.repo.findUpload(caller.workspaceIds, uploadId)
      : undefined;
    if (!upload) throw new NotFoundError('upload', uploadId);
    return upload;
  }

  private async datasetOf(caller: Caller, upload: Upload): Promise<TypedDatasetView | undefined> {
    return this.typed.viewOfVersion(caller, Number(upload.dataset_id));
  }
}
