// BlobStore on an S3-compatible bucket (STRATA_STORAGE=s3): keys live under the configured prefix; uploads stream in parts.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import { assertSafeKey, BlobNotFoundError, type BlobInfo, type BlobStore } from './blob-store.js';

type S3Storage = Extract<Config['storage'], { kind: 's3' }>;

/** Multipart part size: S3's minimum is 5 MiB for every part but the last. */
export const PART_BYTES = 8 * 1024 * 1024;

export function isS3NotFound(err: unknown): boolean {
  if (!(err instanceof S3ServiceException)) return false;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404;
}

/** Reads up to `size` bytes from an async byte iterator, carrying the remainder over between calls. */
class Chunker {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer | Uint8Array | string>) {}

  async next(size: number): Promise<Buffer | null> {
    while (!this.done && this.pendingBytes < size) {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        break;
      }
      const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
      this.pending.push(b);
      this.pendingBytes += b.length;
    }
    if (this.pendingBytes === 0) return null;
    const all = Buffer.concat(this.pending);
    const chunk = all.subarray(0, size);
    const rest = all.subarray(size);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return chunk;
  }
}

export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(storage: S3Storage, client?: S3Client) {
    this.bucket = storage.bucket;
    this.prefix = storage.prefix === '' || storage.prefix.endsWith('/') ? storage.prefix : `${storage.prefix}/`;
    this.client =
      client ??
      new S3Client({
        endpoint: storage.endpoint,
        region: storage.region,
        forcePathStyle: storage.forcePathStyle,
        credentials:
          storage.accessKeyId && storage.secretAccessKey
            ? { accessKeyId: storage.accessKeyId, secretAccessKey: storage.secretAccessKey }
            : undefined,
        // Checksums only where S3 requires them: many S3-compatible servers reject the newer default trailers.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
  }

  private keyOf(key: string): string {
    assertSafeKey(key);
    return `${this.prefix}${key}`;
  }

  async putFile(key: string, filePath: string): Promise<void> {
    await this.put(key, fs.createReadStream(filePath, { highWaterMark: 1 << 20 }));
  }

  /** Buffers are sent in one PutObject; streams go part by part, so memory stays at one part whatever the size. */
  async put(key: string, body: Buffer | Readable, opts: { contentType?: string } = {}): Promise<void> {
    const Key = this.keyOf(key);
    if (Buffer.isBuffer(body)) {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: body,
          ContentLength: body.length,
          ContentType: opts.contentType,
        }),
      );
      return;
    }
    const chunker = new Chunker(body[Symbol.asyncIterator]());
    const first = (await chunker.next(PART_BYTES)) ?? Buffer.alloc(0);
    if (first.length < PART_BYTES) {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: first,
          ContentLength: first.length,
          ContentType: opts.contentType,
        }),
      );
      return;
    }
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType: opts.contentType }),
    );
    const parts: Array<{ PartNumber: number; ETag?: string }> = [];
    try {
      let part: Buffer | null = first;
      for (let n = 1; part; n++) {
        const res = await this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key,
            UploadId,
            PartNumber: n,
            Body: part,
            ContentLength: part.length,
          }),
        );
        parts.push({ PartNumber: n, ETag: res.ETag });
        part = await chunker.next(PART_BYTES);
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (err) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }))
        .catch(() => undefined);
      throw err;
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return res.Body as Readable;
    } catch (err) {
      if (isS3NotFound(err)) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
    } catch (err) {
      if (!isS3NotFound(err)) throw err;
    }
  }

  async stat(key: string): Promise<BlobInfo | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return { size: Number(res.ContentLength ?? 0) };
    } catch (err) {
      if (isS3NotFound(err)) return null;
      throw err;
    }
  }
}
