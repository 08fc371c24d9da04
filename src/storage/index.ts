// Chooses the blob store once at start-up from configuration.
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

export function createBlobStore(storage: Config['storage']): BlobStore {
  if (storage.kind === 'local') return new LocalBlobStore(storage.dir);
  return new S3BlobStore(storage);
}
