// Hostile request values are refused at the door, on every route, with a 400 (422 on /v1) before schema
// validation: NUL characters at any depth (PostgreSQL text cannot hold them) and nesting deeper than MAX_DEPTH
// (zod, JSON.stringify and the presenters recurse; a 10,000-level body would overflow the stack).
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors.js';
import { describeValueProblem, findValueProblem } from '../input-limits.js';

/**
 * Throws the door's 400 (422 on /v1) when `value` holds a NUL or nests too deep; `part` names where it was, and `at`
 * where inside it `value` sits (e.g. one streamed row: ['rows', 41]).
 */
export function refuseHostileValue(
  part: 'body' | 'query' | 'path',
  value: unknown,
  at: Array<string | number> = [],
): void {
  const problem = findValueProblem(value);
  if (!problem) return;
  const msg = describeValueProblem(problem);
  throw new ValidationError(
    `${part}: ${msg}`,
    [{ path: [...at, ...problem.path.slice(0, 8)], message: msg, type: 'value_error' }],
    part,
  );
}

/** Adds a global preValidation hook: bodies, query strings and path parameters are checked by one iterative walk. */
export function rejectNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    refuseHostileValue('body', request.body);
    refuseHostileValue('query', request.query);
    refuseHostileValue('path', request.params);
  });
}
