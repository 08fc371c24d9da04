// Encrypts secrets at rest (AES-256-GCM). The key comes from STRATA_SECRET_KEY or, when unset, is generated once and kept in `settings`.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const SETTING_KEY = 'secret_box_key';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /**
   * `configured` (STRATA_SECRET_KEY) is hashed to 32 bytes, so any long random string works. Without it a random key is
   * stored once in the settings table through `putIfAbsent`, shared by every process on the database.
   */
  static async load(
    configured: string | undefined,
    putIfAbsent: (key: string, value: string) => Promise<string>,
  ): Promise<SecretBox> {
    if (configured) return new SecretBox(createHash('sha256').update(configured, 'utf8').digest());
    const stored = await putIfAbsent(SETTING_KEY, randomBytes(32).toString('base64'));
    const key = Buffer.from(stored, 'base64');
    if (key.length !== 32) throw new Error(`settings.${SETTING_KEY} is not a 32-byte base64 key`);
    return new SecretBox(key);
  }

  /** `v1:<base64 iv|tag|ciphertext>`; a fresh IV every time, so equal secrets encrypt differently. */
  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** Throws when the value was sealed with another key or altered. */
  open(sealed: string): string {
    const [version, data] = sealed.split(':', 2);
    if (version !== VERSION || !data) throw new Error('unknown sealed secret format');
    const raw = Buffer.from(data, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
