// All SQL of the durable job queue (table `jobs`).
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db, Executor, Tx } from '../db/database.js';
import type { DialectCapabilities } from '../db/dialect.js';
import { decodeJson } from '../db/json-columns.js';
import type { Database, JobRow, StoredJobRow } from '../db/schema.js';

/** A job as read, its payload decoded. */
const decodeJob = (r: StoredJobRow): JobRow => ({ ...r, payload: decodeJson<unknown>(r.payload) });
import type { JobName, JobPayloads } from './job-catalogue.js';

export class LeaseLostError extends Error {
  constructor(jobId: number) {
    super(`job ${jobId}: lease lost to another worker`);
    this.name = 'LeaseLostError';
  }
}

/** Identifies one attempt at a job: every write the attempt makes is checked against it (fencing). */
export interface AttemptToken {
  readonly id: number;
  readonly workerId: string;
  readonly attempt: number;
}

export interface EnqueueOptions {
  workspaceId?: number | null;
  runAt?: number;
  maxAttempts: number;
}

/** The rows an attempt may write: its job, held by its worker, at its attempt number (the fencing token). */
const owns = (t: AttemptToken) => (eb: ExpressionBuilder<Database, 'jobs'>) =>
  eb.and([
    eb('id', '=', t.id),
    eb('locked_by', '=', t.workerId),
    eb('attempts', '=', t.attempt),
    eb('status', '=', 'running'),
  ]);

export class JobRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectCapabilities,
  ) {}

  /** Inserts a job; pass the transaction that creates the thing the job serves. Due now (database time) unless `runAt`. */
  async enqueue<N extends JobName>(
    ex: Executor,
    type: N,
    payload: JobPayloads[N],
    opts: EnqueueOptions,
  ): Promise<number> {
    const now = Date.now();
    const row = await ex
      .insertInto('jobs')
      .values({
        type,
        payload: JSON.stringify(payload),
        status: 'queued',
        max_attempts: opts.maxAttempts,
        run_at: opts.runAt ?? this.dialect.nowMs,
        workspace_id: opts.workspaceId ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Takes a job whose lease expired, else the next due queued job, for `workerId`; undefined when there is none.
   * Both probes walk a partial index in order and stop at the first row (no sort of the backlog), and every time
   * is the database's clock, so a worker whose host clock is off cannot take over a live lease.
   */
  async claim(workerId: string, leaseMs: number): Promise<JobRow | undefined> {
    for (const which of ['expired', 'queued'] as const) {
      const row = (await this.claimSql(workerId, leaseMs, which).execute(this.db)).rows[0];
      if (row) return decodeJob(row);
    }
    return undefined;
  }

  /** One probe of the claim as a statement (tests EXPLAIN it). */
  claimSql(workerId: string, leaseMs: number, which: 'queued' | 'expired') {
    const now = this.dialect.nowMs;
    const lock = this.dialect.supportsSkipLocked ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    // The status literals stay in the SQL text: SQLite uses a partial index only when its WHERE term appears verbatim.
    const due =
      which === 'expired'
        ? sql`SELECT id FROM jobs WHERE status = 'running' AND lease_until < ${now} ORDER BY lease_until LIMIT 1 ${lock}`
        : sql`SELECT id FROM jobs WHERE status = 'queued' AND run_at <= ${now} ORDER BY run_at, id LIMIT 1 ${lock}`;
    return sql<StoredJobRow>`
      UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = ${now} + ${leaseMs},
        locked_by = ${workerId}, updated_at = ${now}
      WHERE id IN (${due})
      RETURNING *`;
  }

  /** True while the attempt still owns its job (whatever its lease time). */
  async holds(t: AttemptToken): Promise<boolean> {
    return (await this.db.selectFrom('jobs').select('id').where(owns(t)).executeTakeFirst()) !== undefined;
  }

  /** Extends the lease (database time); false when the attempt no longer owns the job. */
  async heartbeat(t: AttemptToken, leaseMs: number): Promise<boolean> {
    const now = this.dialect.nowMs;
    const r = await this.db
      .updateTable('jobs')
      .set({ lease_until: sql<number>`${now} + ${leaseMs}`, updated_at: Date.now() })
      .where(owns(t))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Inside the transaction of any write a job makes: throws LeaseLostError unless this attempt still owns the job
   * and its lease has not run out (database time). On PostgreSQL it locks the job row until the commit, so no other
   * worker can take the job over between the check and the write.
   */
  async fence(trx: Tx, t: AttemptToken): Promise<void> {
    let q = trx.selectFrom('jobs').select('id').where(owns(t)).where('lease_until', '>=', this.dialect.nowMs);
    if (this.dialect.supportsSkipLocked) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw new LeaseLostError(t.id);
  }

  async complete(t: AttemptToken): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set({
        status: 'done',
        lease_until: null,
        finished_at: this.dialect.nowMs,
        updated_at: Date.now(),
        last_error: null,
      })
      .where(owns(t))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Records a failed attempt: back to the queue after `retryDelayMs` (database time), or failed for good when null. */
  async fail(t: AttemptToken, error: string, retryDelayMs: number | null): Promise<boolean> {
    const now = this.dialect.nowMs;
    const r = await this.db
      .updateTable('jobs')
      .set(
        retryDelayMs === null
          ? { status: 'failed', lease_until: null, finished_at: now, updated_at: Date.now(), last_error: error }
          : {
              status: 'queued',
              lease_until: null,
              run_at: sql<number>`${now} + ${retryDelayMs}`,
              updated_at: Date.now(),
              last_error: error,
            },
      )
      .where(owns(t))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * An infrastructure failure: back to the queue after `delayMs` without spending the attempt, as long as the first
   * such failure is less than `windowMs` old. False when the window is over (or the attempt lost the job): then the
   * caller records an ordinary failed attempt.
   */
  async release(t: AttemptToken, error: string, delayMs: number, windowMs: number): Promise<boolean> {
    const now = this.dialect.nowMs;
    const r = await this.db
      .updateTable('jobs')
      .set({
        status: 'queued',
        attempts: sql<number>`attempts - 1`,
        transient_failures: sql<number>`transient_failures + 1`,
        transient_since: sql<number>`coalesce(transient_since, ${now})`,
        lease_until: null,
        run_at: sql<number>`${now} + ${delayMs}`,
        updated_at: Date.now(),
        last_error: error,
      })
      .where(owns(t))
      .where((eb) =>
        eb.or([eb('transient_since', 'is', null), eb('transient_since', '>', sql<number>`${now} - ${windowMs}`)]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async findById(id: number): Promise<JobRow | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && decodeJob(row);
  }

  async listForWorkspace(workspaceId: number, limit: number, status?: string): Promise<JobRow[]> {
    let q = this.db.selectFrom('jobs').selectAll().where('workspace_id', '=', workspaceId);
    if (status) q = q.where('status', '=', status as JobRow['status']);
    return (await q.orderBy('id', 'desc').limit(limit).execute()).map(decodeJob);
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
    const r = await this.db
      .deleteFrom('jobs')
      .where('status', 'in', ['done', 'failed'])
      .where('finished_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
