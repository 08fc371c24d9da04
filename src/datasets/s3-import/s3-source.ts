// Reading a user's S3-compatible bucket for imports: URI parsing, a guarded client, object listing and readable errors.
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { PermanentJobError } from '../../errors.js';
import type { FileFormat } from '../../jobs/job-catalogue.js';
import { formatFromFileName } from '../parsers/index.js';
import type { EndpointGuard } from '../../net/s3-endpoint-guard.js';

export interface S3Location {
  bucket: string;
  /** The object key, or the prefix when `isPrefix`. */
  key: string;
  isPrefix: boolean;
}

/** `s3://bucket/key` for one object; `s3://bucket/some/prefix/` (trailing slash) or `s3://bucket` for everything under it. */
export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri.trim());
  if (!m)
    throw new Error(
      'S3 URI must look like s3://bucket/path/to/file.csv (or s3://bucket/prefix/ for every object under it)',
    );
  const bucket = m[1];
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`"${bucket}" is not a valid S3 bucket name`);
  const key = m[2] ?? '';
  return { bucket, key, isPrefix: key === '' || key.endsWith('/') };
}

const CONTENT_TYPES: Record<string, FileFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/json': 'json',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  'application/x-ndjson': 'jsonl',
  'application/jsonlines': 'jsonl',
  'application/vnd.apache.parquet': 'parquet',
  'application/x-parquet': 'parquet',
  'application/parquet': 'parquet',
};

/** By extension first, then by the object's content type. */
export function formatOf(key: string, contentType: string | undefined): FileFormat | undefined {
  return (
    formatFromFileName(key) ?? (contentType ? CONTENT_TYPES[contentType.split(';')[0].trim().toLowerCase()] : undefined)
  );
}

export function s3ClientFor(
  source: { service_url: string; region: string; key_id: string },
  secretKey: string,
  guard: EndpointGuard,
  url: URL,
): S3Client {
  return new S3Client({
    endpoint: source.service_url,
    region: source.region,
    credentials: { accessKeyId: source.key_id, secretAccessKey: secretKey },
    // S3-compatible services (Nebius, MinIO...) all serve path-style URLs; virtual hosts need DNS per bucket.
    forcePathStyle: true,
    maxAttempts: 2,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { ...guard.agentsFor(url), connectionTimeout: 10_000, requestTimeout: 60_000 },
  });
}

/** Keys of the objects under a prefix (sorted, "folder" markers skipped). */
export async function listObjects(client: S3Client, loc: S3Location): Promise<Array<{ key: string; size: number }>> {
  const out: Array<{ key: string; size: number }> = [];
  let token: string | undefined;
  do {
    const res = await client.send(
      new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: loc.key, ContinuationToken: token }),
    );
    for (const o of res.Contents ?? [])
      if (o.Key && !o.Key.endsWith('/')) out.push({ key: o.Key, size: Number(o.Size ?? 0) });
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export async function getObject(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<{ body: Readable; size: number; contentType?: string }> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: res.Body as Readable, size: Number(res.ContentLength ?? 0), contentType: res.ContentType };
}

const CREDENTIAL_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidToken',
  'ExpiredToken',
  'AuthorizationHeaderMalformed',
]);

/** Turns S3 and network errors into messages a user can act on; client-side (4xx) problems are permanent. */
export function describeS3Error(err: unknown, where: string, endpoint: string): Error {
  if (err instanceof S3ServiceException) {
    const status = err.$metadata?.httpStatusCode ?? 0;
    if (CREDENTIAL_ERRORS.has(err.name) || status === 401 || status === 403) {
      return new PermanentJobError(
        `S3 refused the credentials for ${where} (${err.name}): check s3_key_id and s3_secret_key`,
      );
    }
    if (err.name === 'NoSuchKey' || err.name === 'NotFound')
      return new PermanentJobError(`S3 object ${where} does not exist`);
    if (err.name === 'NoSuchBucket') return new PermanentJobError(`S3 bucket of ${where} does not exist`);
    if (status >= 400 && status < 500)
      return new PermanentJobError(`S3 refused the request for ${where}: ${err.name}: ${err.message}`);
    return new Error(`S3 error for ${where}: ${err.name}: ${err.message}`);
  }
  const e = err as { code?: string; message?: string; name?: string };
  if (e?.name === 'BlockedAddressError')
    return new PermanentJobError(`S3 endpoint refused by the outbound guard: ${e.message}`);
  return new Error(
    `could not reach the S3 endpoint ${endpoint}: ${e?.code ?? e?.name ?? 'error'} ${e?.message ?? String(err)}`,
  );
}
