// All SQL of the durable job queue (table `jobs`).
import { sql } from 'kysely';
import type { Db, Executor, Tx } from '../db/database.js';
import type { DialectCapabilities } from '../db/dialect.js';
import type { JobRow } from '../db/schema.js';
import type { JobName, JobPayloads } from './job-catalogue.js';

export class LeaseLostError extends Error {
  constructor(jobId: number) {
    super(`job ${jobId}: lease lost to another worker`);
    this.name = 'LeaseLostError';
  }
}

export interface EnqueueOptions {
  workspaceId?: number | null;
  runAt?: number;
  maxAttempts: number;
}

export class JobRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectCapabilities,
  ) {}

  /** Inserts a job; pass the transaction that creates the thing the job serves. */
  async enqueue<N extends JobName>(ex: Executor, type: N, payload: JobPayloads[N], opts: EnqueueOptions): Promise<number> {
    const now = Date.now();
    const row = await ex
      .insertInto('jobs')
      .values({
        type,
        payload: JSON.stringify(payload),
        status: 'queued',
        max_attempts: opts.maxAttempts,
        run_at: opts.runAt ?? now,
        workspace_id: opts.workspaceId ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Takes the next due job (or one whose lease expired) for `workerId`, or returns undefined. */
  async claim(workerId: string, leaseMs: number): Promise<JobRow | undefined> {
    const now = Date.now();
    const lock = this.dialect.supportsSkipLocked ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    const result = await sql<JobRow>`
      UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = ${now + leaseMs},
        locked_by = ${workerId}, updated_at = ${now}
      WHERE id IN (
        SELECT id FROM jobs
        WHERE (status = 'queued' AND run_at <= ${now}) OR (status = 'running' AND lease_until < ${now})
        ORDER BY run_at, id
        LIMIT 1 ${lock}
      )
      RETURNING *`.execute(this.db);
    return result.rows[0];
  }

  /** Extends the lease; false when another worker has taken the job over. */
  async heartbeat(id: number, workerId: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const r = await this.db
      .updateTable('jobs')
      .set({ lease_until: now + leaseMs, updated_at: now })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Inside a publishing transaction: throws LeaseLostError unless `workerId` still owns the job. */
  async fence(trx: Tx, id: number, workerId: string): Promise<void> {
    let q = trx.selectFrom('jobs').select('id').where('id', '=', id).where('locked_by', '=', workerId).where('status', '=', 'running');
    if (this.dialect.supportsSkipLocked) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw new LeaseLostError(id);
  }

  async complete(id: number, workerId: string): Promise<void> {
    const now = Date.now();
    await this.db
      .updateTable('jobs')
      .set({ status: 'done', lease_until: null, finished_at: now, updated_at: now, last_error: null })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .execute();
  }

  /** Records a failed attempt: back to the queue at `retryAt`, or failed for good when retryAt is null. */
  async fail(id: number, workerId: string, error: string, retryAt: number | null): Promise<boolean> {
    const now = Date.now();
    const r = await this.db
      .updateTable('jobs')
      .set(
        retryAt === null
          ? { status: 'failed', lease_until: null, finished_at: now, updated_at: now, last_error: error }
          : { status: 'queued', lease_until: null, run_at: retryAt, updated_at: now, last_error: error },
      )
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async findById(id: number): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listForWorkspace(workspaceId: number, limit: number, status?: string): Promise<JobRow[]> {
    let q = this.db.selectFrom('jobs').selectAll().where('workspace_id', '=', workspaceId);
    if (status) q = q.where('status', '=', status as JobRow['status']);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }

  /** True when a job of this type is already waiting (used to avoid piling up periodic jobs). */
  async hasPending(type: JobName): Promise<boolean> {
    const row = await this.db
      .selectFrom('jobs')
      .select('id')
      .where('type', '=', type)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return row !== undefined;
  }

  async purgeFinished(before: number): Promise<number> {
    const r = await this.db.deleteFrom('jobs').where('status', 'in', ['done', 'failed']).where('finished_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
