// A text as a byte stream cut into small chunks (through quotes, CRLFs and multi-byte characters), for parser tests.
import { Readable } from 'node:stream';

export function chunked(text: string, size: number): Readable {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}
