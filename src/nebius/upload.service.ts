// Nebius multipart uploads: create an upload (the dataset to make), stream parts to blob storage (each part is one
// blob, re-sendable), then complete with the chosen parts in order, which makes a PENDING dataset filled by a job.
import { createHash, randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { Caller } from '../auth/caller.js';
import type { ColumnSchema } from '../datasets/column-types.js';
import { ConflictError, NotFoundError, PayloadTooLargeError, ValidationError, type FieldIssue } from '../errors.js';
import type { FileFormat } from '../jobs/job-catalogue.js';
import type { BlobStore } from '../storage/blob-store.js';
import { checkNameAndFolder, checkSchema, type NebiusDatasetView, type NebiusService } from './nebius.service.js';
import type { UploadPartRow, UploadRepository, UploadRow } from './upload.repository.js';

export const partKey = (uploadId: string, partId: string) => `nebius-uploads/${uploadId}/${partId}`;

const newId = () => randomBytes(16).toString('hex');

export interface UploadView {
  upload: UploadRow;
  dataset: NebiusDatasetView | undefined;
}

export class UploadService {
  constructor(
    private readonly repo: UploadRepository,
    private readonly nebius: NebiusService,
    private readonly blobs: BlobStore,
    private readonly maxBytes: number,
  ) {}

  async create(
    caller: Caller,
    input: { name: string; folder: string; schema: ColumnSchema[]; format?: FileFormat; ai_project_id?: string | null },
  ): Promise<UploadView> {
    const issues = [...checkNameAndFolder(input), ...checkSchema(input.schema)];
    if (issues.length > 0) throw new ValidationError('the upload is not valid', issues);
    const name = input.name.trim();
    await this.nebius.assertNameAvailable(caller, name);
    const upload: UploadRow = {
      id: newId(),
      workspace_id: caller.workspaceId,
      user_id: caller.userId,
      name,
      folder: input.folder,
      schema_json: JSON.stringify(input.schema),
      format: input.format ?? 'jsonl',
      ai_project_id: input.ai_project_id ?? null,
      dataset_id: null,
      part_ids_json: null,
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
    if (partIds.length === 0) {
      issues.push({
        type: 'too_short',
        loc: ['body', 'part_ids'],
        msg: 'List should have at least 1 item after validation, not 0',
        input: partIds,
        ctx: { field_type: 'List', min_length: 1, actual_length: 0 },
      });
    }
    const seen = new Set<string>();
    partIds.forEach((id, i) => {
      const loc = ['body', 'part_ids', i];
      if (!parts.has(id))
        issues.push({
          type: 'value_error',
          loc,
          msg: 'Value error, no part of this upload has this id',
          input: id,
          ctx: { error: 'no part of this upload has this id' },
        });
      else if (seen.has(id))
        issues.push({
          type: 'value_error',
          loc,
          msg: 'Value error, the part is listed twice',
          input: id,
          ctx: { error: 'the part is listed twice' },
        });
      seen.add(id);
    });
    if (issues.length > 0) throw new ValidationError('the parts are not valid', issues);
    const total = partIds.reduce((n, id) => n + Number(parts.get(id)?.size ?? 0), 0);
    if (total > this.maxBytes)
      throw new PayloadTooLargeError(`the parts hold ${total} bytes; a dataset file may hold at most ${this.maxBytes}`);
    const schema = JSON.parse(upload.schema_json) as ColumnSchema[];
    let raced = false;
    await this.nebius.createForUpload(
      caller,
      {
        name: upload.name,
        folder: upload.folder,
        schema,
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

  private async find(caller: Caller, uploadId: string): Promise<UploadRow> {
    const upload = /^[0-9a-f]{32}$/.test(uploadId)
      ? await this.repo.findUpload(caller.workspaceIds, uploadId)
      : undefined;
    if (!upload) throw new NotFoundError('upload', uploadId);
    return upload;
  }

  private async datasetOf(caller: Caller, upload: UploadRow): Promise<NebiusDatasetView | undefined> {
    return this.nebius.viewOfVersion(caller, Number(upload.dataset_id));
  }
}
