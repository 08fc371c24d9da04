// Builds the Fastify server: validation with Zod, OpenAPI at /openapi.json, docs at /docs, errors, auth, logging.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler } from 'fastify-type-provider-zod';
import type { AuthService } from '../auth/auth.service.js';
import { installAuthHook } from './auth-hook.js';
import { installErrorHandlers } from './error-handler.js';
import { rejectNulCharacters } from './reject-nul.js';

export interface ServerOptions {
  logger: FastifyBaseLogger;
  /** Body limit of ordinary routes; upload routes set their own. */
  bodyLimit: number;
  auth: AuthService;
}

/** Log fields that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  // Node's clientError (431 headers too large, malformed requests) carries the raw request bytes: keys, passwords.
  'err.rawPacket',
  '*.rawPacket',
  'req.body.api_key',
  'req.body.s3_secret_key',
  'req.body.password',
  '*.s3_secret_key',
  '*.api_key',
  '*.password',
  '*.secret',
  '*.secret_sealed',
  '*.secretAccessKey',
  '*.credentials.secretAccessKey',
];

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
    },
    trustProxy: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API (and type the handlers); serialising with plain JSON keeps big pages fast.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Strata',
        version: '0.1.0',
        description:
          'Datasets for LLM teams. PromptLayer-compatible (/api/public/v2, request-log routes) and Nebius-compatible (/v1) faces over one core.',
      },
      components: {
        securitySchemes: {
          ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-KEY' },
          Bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ ApiKey: [] }, { Bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());

  installErrorHandlers(app);
  installAuthHook(app, opts.auth);
  rejectNulCharacters(app);
  return app;
}
