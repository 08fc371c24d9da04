// Runs jobs from the durable queue: claims with a lease, heartbeats while running, retries with backoff.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { isTransientError, PermanentJobError } from '../errors.js';
import type { JobRow } from '../db/schema.js';
import type { JobDefinition, JobHandlers, JobName, JobPayloads, JobRunContext } from './job-catalogue.js';
import { LeaseLostError, type AttemptToken, type JobRepository } from './job.repository.js';

export interface WorkerOptions {
  concurrency: number;
  pollMs: number;
  leaseMs: number;
  /**
   * Infrastructure failures (database or storage unreachable) re-queue a job without spending an attempt, backing off
   * 1 s, 2 s, 4 s ... up to `transientMaxDelayMs`, for up to `transientWindowMs` after the first one.
   */
  transientMaxDelayMs: number;
  transientWindowMs: number;
  /** Periodic work (like purging) the worker schedules for itself, every `everyMs`. */
  periodic?: Array<{ everyMs: number; run: () => Promise<void> }>;
}

/** Backoff after attempt n (1-based): 1s, 4s, 16s ... capped at 10 minutes. */
export function retryDelayMs(attempt: number): number {
  return Math.min(1000 * 4 ** (attempt - 1), 600_000);
}

/** Delay before re-running a job after its n-th consecutive infrastructure failure (0-based). */
export function transientDelayMs(failures: number, maxMs: number): number {
  return Math.min(1000 * 2 ** Math.min(failures, 20), maxMs);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export class Worker {
  readonly id = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private running = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private periodicTimers: NodeJS.Timeout[] = [];
  private readonly active = new Set<Promise<void>>();
  private readonly controller = new AbortController();
  private pumping = false;
  /** Consecutive failed claims (database down): the poll interval backs off while it lasts. */
  private claimFailures = 0;
  /** The pump pass in progress: stop() waits for it, so a job claimed just as we stop is waited for too. */
  private pumpPass: Promise<void> = Promise.resolve();

  constructor(
    private readonly jobs: JobRepository,
    private readonly handlers: JobHandlers,
    private readonly log: FastifyBaseLogger,
    private readonly opts: WorkerOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
    for (const p of this.opts.periodic ?? []) {
      // During an outage a task fails every tick: logged once at error level, then quietly until it works again.
      let failing = 0;
      const tick = async () => {
        try {
          await p.run();
          if (failing > 0) this.log.info({ failures: failing }, 'periodic task works again');
          failing = 0;
        } catch (err) {
          if (failing++ === 0) this.log.error({ err }, 'periodic task failed');
          else this.log.debug({ err }, 'periodic task still failing');
        }
      };
      const t = setInterval(() => void tick(), p.everyMs);
      t.unref();
      this.periodicTimers.push(t);
    }
  }

  /** Look for work now (called after this process enqueued a job). */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Stops claiming and waits for running jobs (up to `graceMs`); unfinished ones are re-run elsewhere after their lease. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const t of this.periodicTimers) clearInterval(t);
    this.periodicTimers = [];
    await this.pumpPass;
    const all = Promise.allSettled([...this.active]);
    const timeout = new Promise((r) => setTimeout(r, graceMs).unref());
    await Promise.race([all, timeout]);
    this.controller.abort();
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.pumpPass = this.pump();
    }, ms);
    // Not unref'd: in a worker-only process this timer is what keeps the process alive between jobs.
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    let claimedAny = false;
    try {
      while (!this.stopped && this.running < this.opts.concurrency) {
        const job = await this.jobs.claim(this.id, this.opts.leaseMs);
        if (!job) break;
        claimedAny = true;
        this.running++;
        const p = this.execute(job).finally(() => {
          this.running--;
          this.active.delete(p);
          this.wake();
        });
        this.active.add(p);
      }
      this.claimFailures = 0;
    } catch (err) {
      this.claimFailures++;
      // Once per outage at error level; the loop keeps polling (backing off) until the database answers again.
      if (this.claimFailures === 1) this.log.error({ err }, 'worker could not claim a job; retrying');
      else this.log.debug({ err }, 'worker still cannot claim a job');
    } finally {
      this.pumping = false;
      const backoff = this.claimFailures > 0 ? Math.min(this.opts.pollMs * 2 ** this.claimFailures, 5000) : undefined;
      if (!this.stopped) this.schedule(backoff ?? (claimedAny ? this.opts.pollMs / 4 : this.opts.pollMs));
    }
  }

  /**
   * Runs a write of the job's own bookkeeping, retrying while the database is unreachable (up to one lease: after that
   * another worker takes the job over anyway). A job must not crash its process or lose its outcome to a restart.
   */
  private async persist<T>(what: string, fn: () => Promise<T>, log: FastifyBaseLogger): Promise<T | undefined> {
    const deadline = Date.now() + this.opts.leaseMs;
    for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
      try {
        return await fn();
      } catch (err) {
        if (!isTransientError(err) || Date.now() + delay > deadline) {
          log.error({ err }, `could not record ${what}; the job runs again after its lease`);
          return undefined;
        }
        await sleep(delay);
      }
    }
  }

  private async execute(job: JobRow): Promise<void> {
    const log = this.log.child({ jobId: job.id, jobType: job.type, attempt: job.attempts });
    try {
      await this.attempt(job, log);
    } catch (err) {
      // Never an unhandled rejection: the job stays leased and is run again after its lease.
      log.error({ err }, 'job attempt ended unexpectedly');
    }
  }

  private async attempt(job: JobRow, log: FastifyBaseLogger): Promise<void> {
    const token: AttemptToken = { id: job.id, workerId: this.id, attempt: job.attempts };
    const def = this.handlers[job.type as JobName] as JobDefinition<JobName> | undefined;
    if (!def) {
      await this.persist('the failure', () => this.jobs.fail(token, `unknown job type ${job.type}`, null), log);
      return;
    }
    const payload = job.payload as JobPayloads[JobName];
    const lease = new AbortController();
    const ctx: JobRunContext = {
      jobId: job.id,
      attempt: job.attempts,
      signal: lease.signal,
      fence: (trx) => this.jobs.fence(trx, token),
    };
    if (job.attempts > job.max_attempts) {
      await this.giveUp(
        token,
        def,
        payload,
        ctx,
        `gave up after ${job.max_attempts} attempts: ${job.last_error ?? 'worker stopped'}`,
        log,
      );
      return;
    }
    const onStop = () => lease.abort();
    this.controller.signal.addEventListener('abort', onStop);
    const beat = setInterval(
      () => {
        this.jobs
          .heartbeat(token, this.opts.leaseMs)
          .then((ok) => {
            if (!ok) lease.abort();
          })
          .catch((err) => log.warn({ err }, 'heartbeat failed'));
      },
      Math.max(100, Math.floor(this.opts.leaseMs / 3)),
    );
    beat.unref();
    const started = Date.now();
    try {
      try {
        await def.run(payload, ctx);
      } catch (err) {
        await this.afterError(err, job, token, def, payload, ctx, lease.signal, log);
        return;
      }
      await this.persist('the completion', () => this.jobs.complete(token), log);
      log.info({ ms: Date.now() - started }, 'job done');
    } finally {
      clearInterval(beat);
      this.controller.signal.removeEventListener('abort', onStop);
    }
  }

  private async afterError(
    err: unknown,
    job: JobRow,
    token: AttemptToken,
    def: JobDefinition<JobName>,
    payload: JobPayloads[JobName],
    ctx: JobRunContext,
    signal: AbortSignal,
    log: FastifyBaseLogger,
  ): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof LeaseLostError || signal.aborted) {
      log.warn({ err }, 'job interrupted; it will run again');
      return;
    }
    if (isTransientError(err)) {
      const delay = transientDelayMs(job.transient_failures, this.opts.transientMaxDelayMs);
      const released = await this.persist(
        'the retry',
        () => this.jobs.release(token, message, delay, this.opts.transientWindowMs),
        log,
      );
      if (released) {
        log.warn({ err, retryInMs: delay }, 'job hit an infrastructure failure; retrying without spending an attempt');
        return;
      }
      if (released === undefined) return;
      if (!(await this.persist('the ownership check', () => this.jobs.holds(token), log))) {
        log.warn({ err }, 'job interrupted: lease lost to another worker');
        return;
      }
      // The retry window is over: from here on it counts as an ordinary failed attempt.
    }
    if (err instanceof PermanentJobError || job.attempts >= job.max_attempts) {
      log.warn({ err: message }, 'job failed');
      await this.giveUp(token, def, payload, ctx, message, log);
    } else {
      log.warn({ err }, 'job attempt failed; retrying');
      await this.persist('the failed attempt', () => this.jobs.fail(token, message, retryDelayMs(job.attempts)), log);
    }
  }

  private async giveUp(
    token: AttemptToken,
    def: JobDefinition<JobName>,
    payload: JobPayloads[JobName],
    ctx: JobRunContext,
    message: string,
    log: FastifyBaseLogger,
  ): Promise<void> {
    try {
      await def.onFailed?.(payload, message, ctx);
      await this.persist('the failure', () => this.jobs.fail(token, message, null), log);
    } catch (err) {
      // Leave the job running: after the lease expires another attempt will record the failure.
      log.error({ err }, 'could not record job failure');
    }
  }
}
