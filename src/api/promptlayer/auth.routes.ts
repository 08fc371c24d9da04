// Sign-in, the caller's identity, API keys and workspace members.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { presentApiKey, type AuthService } from '../../auth/auth.service.js';
import { callerOf } from '../../http/auth-hook.js';
import { errorResponses, IdParam } from './common.schemas.js';

const ApiKey = z
  .object({
    id: z.number(),
    name: z.string(),
    prefix: z.string(),
    workspace_id: z.number(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked: z.boolean(),
  })
  .meta({ id: 'ApiKey' });

export async function authRoutes(app: FastifyInstance, opts: { auth: AuthService }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { auth } = opts;

  r.post('/api/auth/login', {
    config: { auth: 'public' },
    schema: {
      tags: ['auth'],
      summary: 'Sign in with email and password; returns a JWT for Authorization: Bearer',
      body: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }),
      response: {
        200: z.object({
          success: z.boolean(),
          access_token: z.string(),
          token_type: z.literal('bearer'),
          expires_in: z.number(),
        }),
        ...errorResponses(400, 401),
      },
    },
    handler: async (req) => {
      const { token, expiresIn } = await auth.login(req.body.email, req.body.password);
      return { success: true, access_token: token, token_type: 'bearer' as const, expires_in: expiresIn };
    },
  });

  r.get('/api/auth/me', {
    schema: {
      tags: ['auth'],
      summary: 'Who the credentials belong to, and their workspaces',
      response: {
        200: z.object({
          success: z.boolean(),
          user: z.object({ id: z.number(), email: z.string() }).nullable(),
          via: z.enum(['api_key', 'jwt']),
          workspace_id: z.number(),
          workspaces: z.array(z.object({ id: z.number(), name: z.string() })),
        }),
      },
    },
    handler: async (req) => ({ success: true, ...(await auth.me(callerOf(req))) }),
  });

  r.get('/api/public/v2/api-keys', {
    schema: {
      tags: ['auth'],
      summary: "The workspace's API keys (hashes are never shown)",
      response: { 200: z.object({ success: z.boolean(), api_keys: z.array(ApiKey) }) },
    },
    handler: async (req) => ({ success: true, api_keys: (await auth.listApiKeys(callerOf(req))).map(presentApiKey) }),
  });

  r.post('/api/public/v2/api-keys', {
    schema: {
      tags: ['auth'],
      summary: 'Create an API key; the key is in this response only',
      body: z.object({ name: z.string().min(1).max(200).default('api key') }),
      response: { 201: z.object({ success: z.boolean(), api_key: ApiKey, key: z.string() }), ...errorResponses(400) },
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      const { key, row } = await auth.createApiKey(caller.workspaceId, req.body.name, caller.userId);
      return reply.code(201).send({ success: true, api_key: presentApiKey(row), key });
    },
  });

  r.delete('/api/public/v2/api-keys/:id', {
    schema: {
      tags: ['auth'],
      summary: 'Revoke an API key',
      params: IdParam,
      response: { 200: z.object({ success: z.boolean(), api_key: ApiKey }), ...errorResponses(404) },
    },
    handler: async (req) => ({
      success: true,
      api_key: presentApiKey(await auth.revokeApiKey(callerOf(req), req.params.id)),
    }),
  });

  r.get('/api/public/v2/users', {
    schema: {
      tags: ['auth'],
      summary: "Members of the caller's workspace",
      response: {
        200: z.object({
          success: z.boolean(),
          users: z.array(z.object({ id: z.number(), email: z.string(), role: z.string(), created_at: z.string() })),
        }),
      },
    },
    handler: async (req) => ({
      success: true,
      users: (await auth.listMembers(callerOf(req))).map((u) => ({
        ...u,
        created_at: new Date(u.created_at).toISOString(),
      })),
    }),
  });
}
