// The error catalogue: services throw these; src/http/error-handler.ts renders them per API face.

/**
 * One problem with one input field. `path` is where the field sits inside the input that was checked
 * (['schema', 0, 'name'], ['rows', 41, 'age']); faces decide how to show it (the Nebius face as FastAPI's `loc`).
 * `type` and `message` use pydantic's vocabulary (the typed-schema contract Strata follows).
 */
export interface FieldIssue {
  path: Array<string | number>;
  type: string;
  message: string;
  /** The offending value (pydantic's `input`); faces bound its size when rendering. */
  input?: unknown;
  /** pydantic's `ctx` (limits, expected values; `error` for a `value_error`) where it gives one. */
  ctx?: Record<string, unknown>;
}

/**
 * Which part of a request a ValidationError's paths start in: request parsers say; a service's input is the body.
 * (`params`/`headers`: Fastify's names in its schema errors; Strata's own door checks say `path` for parameters.)
 */
export type InputSource = 'body' | 'query' | 'path' | 'params' | 'headers';

export abstract class AppError extends Error {
  abstract readonly status: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: 400 on the PromptLayer face, 422 with `issues` on the Nebius face. */
export class ValidationError extends AppError {
  readonly status = 400;
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly source: InputSource = 'body',
  ) {
    super(message);
  }

  /** The same error with its paths read as starting in another part of the request (e.g. a service input from the query). */
  in(source: InputSource): ValidationError {
    return new ValidationError(this.message, this.issues, source);
  }
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
}

export class ForbiddenError extends AppError {
  readonly status = 403;
}

export class NotFoundError extends AppError {
  readonly status = 404;
  constructor(what: string, id?: string | number) {
    super(id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
}

/** A job failure caused by the data itself (unparseable file, schema mismatch): retrying cannot help. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/**
 * An infrastructure failure (database or object store unreachable, connection dropped, server restarting):
 * jobs retry it without spending an attempt, HTTP answers 503 with Retry-After.
 */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

const TRANSIENT_SYSCALL_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
// PostgreSQL SQLSTATEs: connection exceptions (08*), shutdown/restart (57P01-57P03), too many connections,
// statement and idle-in-transaction timeouts, serialization/deadlock (safe to redo from the start).
const TRANSIENT_SQLSTATE = /^(08...|57P0[123]|53300|57014|25P03|40001|40P01)$/;
const TRANSIENT_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|socket hang up|Client was closed and is not queryable/i;
const TRANSIENT_S3_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'ThrottlingException',
  'Throttling',
]);

/** True for errors of the infrastructure rather than of the request or the data (looks through `cause` chains). */
export function isTransientError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  if (err instanceof TransientError) return true;
  if (err instanceof AppError || err instanceof PermanentJobError) return false;
  const e = err as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : '';
  if (
    TRANSIENT_SYSCALL_CODES.has(code) ||
    TRANSIENT_SQLSTATE.test(code) ||
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_BUSY_TIMEOUT'
  )
    return true;
  if (typeof e.name === 'string' && TRANSIENT_S3_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (e.$metadata && (status === undefined || status >= 500 || status === 429)) return true;
  if (e.$retryable) return true;
  if (typeof e.message === 'string' && TRANSIENT_MESSAGES.test(e.message)) return true;
  if (err instanceof AggregateError) return err.errors.some((x) => isTransientError(x, depth + 1));
  return isTransientError(e.cause, depth + 1);
}
