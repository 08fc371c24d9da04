// The one place errors become HTTP responses, in each face's format:
// PromptLayer `{success:false, error, message}`; Nebius/FastAPI `422 {detail:[{loc,msg,type}]}` or `{detail: "..."}`.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, isTransientError, ValidationError, type FieldIssue, type InputSource } from '../errors.js';
import { faceOf } from './faces.js';
import { renderValidationDetail } from '../api/nebius/validation-errors.js';

interface ZodFastifyIssue {
  instancePath: string;
  keyword: string;
  message: string;
}

function sourceOf(validationContext: string | undefined): InputSource {
  if (validationContext === 'querystring') return 'query';
  if (validationContext === 'params' || validationContext === 'headers') return validationContext;
  return 'body';
}

function errorFromSchemaError(
  err: FastifyError & { validation: unknown[]; validationContext?: string },
): ValidationError {
  const source = sourceOf(err.validationContext);
  const issues = (err.validation as ZodFastifyIssue[]).map((v): FieldIssue => ({
    path: v.instancePath
      .split('/')
      .filter(Boolean)
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
    message: v.message,
    type: v.keyword,
  }));
  const message = issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : source}: ${i.message}`).join('; ');
  return new ValidationError(message, issues, source);
}

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  invalid?: ValidationError,
): FastifyReply {
  // A download route may have set its file's type before failing; the error body is JSON (Fastify would 500 otherwise).
  reply.type('application/json; charset=utf-8').removeHeader('content-disposition');
  if (faceOf(request.url) === 'nebius') {
    if (invalid && invalid.issues.length > 0)
      return reply
        .code(status === 400 ? 422 : status)
        .send({ detail: renderValidationDetail(invalid.issues, invalid.source) });
    return reply.code(status).send({ detail: message });
  }
  return reply.code(status).send({ success: false, error: message, message });
}

/** Retry-After of a 503 for an infrastructure failure: about one reconnect with backoff. */
const RETRY_AFTER_SECONDS = 5;

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const invalid = errorFromSchemaError(err);
      return send(request, reply, 400, invalid.message, invalid);
    }
    if (err instanceof ValidationError) return send(request, reply, 400, err.message, err);
    if (err instanceof AppError) return send(request, reply, err.status, err.message);
    // Fastify's own client errors: malformed JSON, body too large, unsupported media type...
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      const message =
        err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'request body is too large for this endpoint' : err.message;
      if (faceOf(request.url) === 'nebius' && status === 400) {
        return send(
          request,
          reply,
          422,
          message,
          new ValidationError(message, [{ path: [], message, type: 'json_invalid' }]),
        );
      }
      return send(request, reply, status, message);
    }
    // Database or object store unreachable (restarting, network): the request may succeed shortly, so 503, not 500.
    if (isTransientError(err)) {
      request.log.warn({ err }, 'infrastructure unavailable');
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return send(request, reply, 503, 'service temporarily unavailable (database or storage); retry shortly');
    }
    request.log.error({ err }, 'unhandled error');
    return send(request, reply, 500, `internal error (request id ${request.id})`);
  });

  app.setNotFoundHandler((request, reply) =>
    send(request, reply, 404, `no route for ${request.method} ${request.url.split('?')[0]}`),
  );
}
