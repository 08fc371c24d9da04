// PostgreSQL text cannot hold NUL characters: refuse them up front, on every route, with a 400 (422 on /v1)
// rather than fail in the database.
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors.js';

/** True when any string (or object key) inside `value` contains U+0000. */
function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  for (const [k, v] of Object.entries(value)) if (k.includes('\u0000') || containsNul(v, depth + 1)) return true;
  return false;
}

/** Adds a global preValidation hook: request bodies and query strings with a NUL anywhere are refused. */
export function rejectNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [
      ['body', request.body],
      ['query', request.query],
      ['path', request.params],
    ] as const) {
      if (containsNul(value)) {
        const msg = 'strings must not contain NUL (\\u0000) characters';
        throw new ValidationError(`${part}: ${msg}`, [{ loc: [part], msg, type: 'value_error' }]);
      }
    }
  });
}
