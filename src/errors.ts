// The error catalogue: services throw these; src/http/error-handler.ts renders them per API face.

/** One problem with one input location, in FastAPI's `{loc, msg, type}` form (also used for PromptLayer messages). */
export interface FieldIssue {
  loc: Array<string | number>;
  msg: string;
  type: string;
  /** The offending value (pydantic's `input`); the Nebius face bounds its size when rendering. */
  input?: unknown;
  /** pydantic's `ctx` (limits, expected values) where it gives one. */
  ctx?: Record<string, unknown>;
}

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
  ) {
    super(message);
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
