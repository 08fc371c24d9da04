// Webhook signatures: PromptLayer's X-PromptLayer-Signature and Standard Webhooks' webhook-signature, to sign and to verify.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Serialises like Python's `json.dumps(value, sort_keys=True)`: separators ", " and ": ", keys sorted by code point,
 * everything outside printable ASCII escaped as \uXXXX (lower-case hex, surrogate pairs for astral characters).
 * Integers print as integers; Strata's payloads carry no non-integral floats whose repr could differ from Python's.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    // Python sorts str keys by code point; JS's default sort compares UTF-16 units, which differs only for astral keys.
    entries.sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([k, v]) => `${pythonString(k)}: ${pythonJsonDumps(v)}`).join(', ')}}`;
  }
  throw new TypeError(`cannot serialise ${typeof value}`);
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function pythonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** A new signing secret in Standard Webhooks form: `whsec_` + base64 of 24 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** PromptLayer: hex HMAC-SHA256 keyed by the secret string (UTF-8) over the sorted-keys Python-style serialisation. */
export function promptLayerSignature(secret: string, payload: unknown): string {
  const body = typeof payload === 'string' ? payload : pythonJsonDumps(payload);
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/** Standard Webhooks key: the base64 after `whsec_` (a secret without the prefix is used as raw UTF-8). */
function standardKey(secret: string): Buffer {
  return secret.startsWith('whsec_')
    ? Buffer.from(secret.slice('whsec_'.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

/** Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`. */
export function standardSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', standardKey(secret)).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64')}`;
}

/** Every header a delivery attempt carries besides Content-Type. */
export function signedHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': standardSignature(secret, id, timestampSeconds, body),
    'X-PromptLayer-Signature': promptLayerSignature(secret, body),
  };
}

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers[key];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verifies a delivery the Standard Webhooks way: the signature over `id.timestamp.body` must match one of the
 * space-separated `v1,` signatures, and the timestamp must be within `toleranceSeconds` of now (replays of old
 * messages fail). Receivers should also remember processed `webhook-id`s: retries reuse the id.
 * Returns the parsed payload.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: Headers,
  body: string | Buffer,
  opts: { toleranceSeconds?: number; nowSeconds?: number } = {},
): unknown {
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sigs = header(headers, 'webhook-signature');
  if (!id || !ts || !sigs)
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  if (!/^\d{1,12}$/.test(ts)) throw new WebhookVerificationError('webhook-timestamp is not a number of seconds');
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSeconds ?? 300;
  if (Math.abs(now - Number(ts)) > tolerance)
    throw new WebhookVerificationError('webhook-timestamp is too old or too new (possible replay)');
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const expected = standardSignature(secret, id, Number(ts), text);
  if (!sigs.split(' ').some((s) => safeEqual(s, expected)))
    throw new WebhookVerificationError('webhook-signature does not match');
  return JSON.parse(text);
}

/** Verifies X-PromptLayer-Signature the way PromptLayer receivers do: re-serialise the parsed JSON with sorted keys. */
export function verifyPromptLayerSignature(
  secret: string,
  body: string | Buffer,
  signature: string | undefined,
): unknown {
  if (!signature) throw new WebhookVerificationError('missing X-PromptLayer-Signature header');
  const payload = JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as unknown;
  if (!safeEqual(promptLayerSignature(secret, payload), signature.toLowerCase()))
    throw new WebhookVerificationError('X-PromptLayer-Signature does not match');
  return payload;
}
