// The slice of object storage Strata uses: stream-based put/get/delete/stat under string keys.
import type { Readable } from 'node:stream';

export interface BlobInfo {
  size: number;
}

export interface BlobStore {
  /** Stores the bytes under `key`, replacing any previous blob. */
  put(key: string, body: Buffer | Readable, opts?: { contentType?: string }): Promise<void>;
  /** Stores a local file under `key`; the file may be moved (it is the caller's temporary file). */
  putFile(key: string, filePath: string): Promise<void>;
  /** Streams the blob; rejects with BlobNotFoundError when it is missing. */
  get(key: string): Promise<Readable>;
  /** Removes the blob; a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /** Size of the blob, or null when it does not exist. */
  stat(key: string): Promise<BlobInfo | null>;
}

export class BlobNotFoundError extends Error {
  constructor(key: string) {
    super(`blob ${key} not found`);
    this.name = 'BlobNotFoundError';
  }
}

/** Keys are made by Strata, never by clients; this still refuses anything that could escape a prefix. */
export function assertSafeKey(key: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/.test(key) || key.split('/').some((p) => p === '..' || p === '.' || p === '')) {
    throw new Error(`unsafe blob key: ${key}`);
  }
}
