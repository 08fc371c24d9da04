// API keys: `sk_strata_` + 32 random bytes (base64url). Only their SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'sk_strata_';

export function generateApiKey(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** Keys are long random strings, so a fast hash is enough (no salt needed to resist guessing). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The part of a key safe to show in listings. */
export function displayPrefix(key: string): string {
  return key.slice(0, PREFIX.length + 6);
}
