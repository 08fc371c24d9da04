// Resolves the caller of every API request (X-API-KEY, Bearer API key or JWT, or `api_key` in the body).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth.service.js';
import type { Caller } from '../auth/caller.js';
import { UnauthorizedError, ValidationError } from '../errors.js';

/**
 * public: no credentials; any: API key or JWT; api_key: API key only (a JWT is refused with 401);
 * body_api_key: an API key in the JSON body's `api_key` (the PromptLayer SDK's track calls) or in a header.
 */
export type AuthMode = 'public' | 'any' | 'api_key' | 'body_api_key';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
  }
  interface FastifyRequest {
    caller: Caller | null;
  }
}

const PROTECTED_PREFIXES = ['/api/', '/v1/', '/rest/'];
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function modeOf(request: FastifyRequest): AuthMode {
  const configured = request.routeOptions.config?.auth;
  if (configured) return configured;
  return PROTECTED_PREFIXES.some((p) => request.url.startsWith(p)) ? 'any' : 'public';
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new UnauthorizedError('authentication required');
  return request.caller;
}

export function installAuthHook(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('caller', null);
  // Header credentials are checked on request, before a (possibly large) body is read;
  // `api_key` in the body can only be checked once it is parsed, but still before validation (401 before 400).
  app.addHook('onRequest', async (request) => {
    const mode = modeOf(request);
    if (mode !== 'public' && mode !== 'body_api_key') await authenticate(request, mode);
  });
  app.addHook('preValidation', async (request) => {
    if (modeOf(request) === 'body_api_key') await authenticate(request, 'body_api_key');
  });

  async function authenticate(request: FastifyRequest, mode: AuthMode): Promise<void> {
    const headerKey = request.headers['x-api-key'];
    const authorization = request.headers.authorization;
    const bearer =
      typeof authorization === 'string' && /^bearer\s+/i.test(authorization)
        ? authorization.replace(/^bearer\s+/i, '').trim()
        : undefined;
    const bodyKey =
      mode === 'body_api_key' &&
      request.body &&
      typeof request.body === 'object' &&
      typeof (request.body as { api_key?: unknown }).api_key === 'string'
        ? (request.body as { api_key: string }).api_key
        : undefined;
    const apiKey =
      typeof headerKey === 'string' && headerKey !== ''
        ? headerKey
        : (bodyKey ?? (bearer && !JWT_SHAPE.test(bearer) ? bearer : undefined));

    if (apiKey) {
      const caller = await auth.authenticateApiKey(apiKey);
      if (!caller) throw new UnauthorizedError('invalid or revoked API key');
      request.caller = caller;
      return;
    }
    if (bearer && JWT_SHAPE.test(bearer)) {
      if (mode === 'api_key' || mode === 'body_api_key') {
        throw new UnauthorizedError(
          'this endpoint accepts API key authentication only (X-API-KEY header); a JWT is not accepted',
        );
      }
      const ws = request.headers['x-workspace-id'];
      let requested: number | undefined;
      if (typeof ws === 'string' && ws !== '') {
        requested = Number(ws);
        if (!Number.isInteger(requested) || requested < 1)
          throw new ValidationError('X-Workspace-Id must be a positive integer');
      }
      request.caller = await auth.authenticateJwt(bearer, requested);
      return;
    }
    throw new UnauthorizedError(
      mode === 'api_key'
        ? 'API key required: send it in the X-API-KEY header'
        : 'authentication required: send an API key in X-API-KEY or a token in Authorization: Bearer',
    );
  }
}
