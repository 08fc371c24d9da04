// Liveness (/healthz: the process answers) and readiness (/readyz: the database answers).
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export async function healthRoutes(app: FastifyInstance, opts: { db: Db; roles: readonly string[] }): Promise<void> {
  app.get('/healthz', { config: { auth: 'public' }, schema: { tags: ['health'] } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { auth: 'public' }, schema: { tags: ['health'] } }, async (_req, reply) => {
    try {
      await sql`SELECT 1`.execute(opts.db);
      return { status: 'ready', roles: opts.roles };
    } catch {
      return reply.code(503).send({ status: 'unavailable', error: 'database is not reachable' });
    }
  });
}
