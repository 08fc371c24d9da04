// PostgreSQL text cannot hold NUL characters: refuse them up front with a 400 rather than fail in the database.
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors.js';

/** Adds a preValidation hook to the plugin it is called in (encapsulated): bodies with a NUL anywhere are refused. */
export function rejectNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined && request.body !== null && typeof request.body === 'object' && JSON.stringify(request.body).includes('\\u0000')) {
      throw new ValidationError('body: strings must not contain NUL (\\u0000) characters');
    }
  });
}
