// A real S3-protocol server (s3rver) on 127.0.0.1 for tests, with a client for putting fixtures into it.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** s3rver's built-in account. */
export const S3_KEY_ID = 'S3RVER';
export const S3_SECRET = 'S3RVER';

/** Registers another key pair with s3rver (its accounts live in one in-process registry). */
export function addS3KeyPair(keyId: string, secret: string): void {
  const require = createRequire(import.meta.url);
  const account = require('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  account.DUMMY_ACCOUNT.createKeyPair(keyId, secret);
}

export interface TestS3 {
  endpoint: string;
  client: S3Client;
  put(bucket: string, key: string, body: string | Buffer, contentType?: string): Promise<void>;
  /** Stops the server (an outage): its objects stay on disk. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same objects. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startS3Server(buckets: string[]): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-s3rver-'));
  const make = (port: number) =>
    new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory,
      configureBuckets: buckets.map((name) => ({ name })),
    });
  let server: S3rver | undefined = make(0);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3_KEY_ID, secretAccessKey: S3_SECRET },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    client,
    put: async (bucket, key, body, contentType) => {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: typeof body === 'string' ? Buffer.from(body) : body,
          ContentType: contentType,
        }),
      );
    },
    stop: async () => {
      // Cut the connections in use too (a streaming GET, keep-alive sockets), as a real outage would.
      const closing = server?.close();
      (
        server as unknown as { httpServer?: { closeAllConnections(): void } } | undefined
      )?.httpServer?.closeAllConnections();
      await closing;
      server = undefined;
    },
    restart: async () => {
      if (server) return;
      server = make(port);
      await server.run();
    },
    close: async () => {
      client.destroy();
      await server?.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
