// The one place errors become HTTP responses, in each face's format:
// PromptLayer `{success:false, error, message}`; Nebius/FastAPI `422 {detail:[{loc,msg,type}]}` or `{detail: "..."}`.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, isTransientError, ValidationError, type FieldIssue } from '../errors.js';
import { faceOf } from './faces.js';
import { renderValidationDetail } from '../api/nebius/validation-errors.js';

interface ZodFastifyIssue {
  instancePath: string;
  keyword: string;
  message: string;
}

function issuesFromSchemaError(
  err: FastifyError & { validation: unknown[]; validationContext?: string },
): FieldIssue[] {
  const part = err.validationContext === 'querystring' ? 'query' : (err.validationContext ?? 'body');
  return (err.validation as ZodFastifyIssue[]).map((v) => ({
    loc: [
      part,
      ...v.instancePath
        .split('/')
        .filter(Boolean)
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
    ],
    msg: v.message,
    type: v.keyword,
  }));
}

function describe(issues: FieldIssue[]): string {
  return issues
    .map((i) => {
      const where = i.loc.slice(1).join('.');
      return where ? `${where}: ${i.msg}` : `${i.loc[0]}: ${i.msg}`;
    })
    .join('; ');
}

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  issues?: FieldIssue[],
): FastifyReply {
  // A download route may have set its file's type before failing; the error body is JSON (Fastify would 500 otherwise).
  reply.type('application/json; charset=utf-8').removeHeader('content-disposition');
  if (faceOf(request.url) === 'nebius') {
    if (issues && issues.length > 0)
      return reply.code(status === 400 ? 422 : status).send({ detail: renderValidationDetail(issues) });
    return reply.code(status).send({ detail: message });
  }
  return reply.code(status).send({ success: false, error: message, message });
}

/** Retry-After of a 503 for an infrastructure failure: about one reconnect with backoff. */
const RETRY_AFTER_SECONDS = 5;

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = issuesFromSchemaError(err);
      return send(request, reply, 400, describe(issues), issues);
    }
    if (err instanceof ValidationError) {
      return send(request, reply, 400, err.message, err.issues.length > 0 ? err.issues : undefined);
    }
    if (err instanceof AppError) return send(request, reply, err.status, err.message);
    // Fastify's own client errors: malformed JSON, body too large, unsupported media type...
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      const message =
        err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'request body is too large for this endpoint' : err.message;
      if (faceOf(request.url) === 'nebius' && status === 400) {
        return send(request, reply, 422, message, [{ loc: ['body'], msg: message, type: 'json_invalid' }]);
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
