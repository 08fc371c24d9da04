// Runs jobs from the durable queue: claims with a lease, heartbeats while running, retries with backoff.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { PermanentJobError } from '../errors.js';
import type { JobRow } from '../db/schema.js';
import type { JobDefinition, JobHandlers, JobName, JobPayloads } from './job-catalogue.js';
import { LeaseLostError, type JobRepository } from './job.repository.js';

export interface WorkerOptions {
  concurrency: number;
  pollMs: number;
  leaseMs: number;
  /** Periodic work (like purging) the worker schedules for itself, every `everyMs`. */
  periodic?: Array<{ everyMs: number; run: () => Promise<void> }>;
}

/** Backoff after attempt n (1-based): 1s, 4s, 16s ... capped at 10 minutes. */
export function retryDelayMs(attempt: number): number {
  return Math.min(1000 * 4 ** (attempt - 1), 600_000);
}

export class Worker {
  readonly id = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private running = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private periodicTimers: NodeJS.Timeout[] = [];
  private readonly active = new Set<Promise<void>>();
  private readonly controller = new AbortController();
  private pumping = false;
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
      const t = setInterval(() => void p.run().catch((err) => this.log.error({ err }, 'periodic task failed')), p.everyMs);
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
    } catch (err) {
      this.log.error({ err }, 'worker could not claim a job');
    } finally {
      this.pumping = false;
      if (!this.stopped) this.schedule(claimedAny ? this.opts.pollMs / 4 : this.opts.pollMs);
    }
  }

  private async execute(job: JobRow): Promise<void> {
    const def = this.handlers[job.type as JobName] as JobDefinition<JobName> | undefined;
    const log = this.log.child({ jobId: job.id, jobType: job.type, attempt: job.attempts });
    if (!def) {
      await this.jobs.fail(job.id, this.id, `unknown job type ${job.type}`, null);
      return;
    }
    const payload = JSON.parse(job.payload) as JobPayloads[JobName];
    if (job.attempts > job.max_attempts) {
      await this.giveUp(job, def, payload, `gave up after ${job.max_attempts} attempts: ${job.last_error ?? 'worker stopped'}`, log);
      return;
    }
    const lease = new AbortController();
    const onStop = () => lease.abort();
    this.controller.signal.addEventListener('abort', onStop);
    const beat = setInterval(() => {
      this.jobs
        .heartbeat(job.id, this.id, this.opts.leaseMs)
        .then((ok) => {
          if (!ok) lease.abort();
        })
        .catch((err) => log.warn({ err }, 'heartbeat failed'));
    }, Math.max(100, Math.floor(this.opts.leaseMs / 3)));
    beat.unref();
    const started = Date.now();
    try {
      await def.run(payload, {
        jobId: job.id,
        attempt: job.attempts,
        signal: lease.signal,
        fence: (trx) => this.jobs.fence(trx, job.id, this.id),
      });
      await this.jobs.complete(job.id, this.id);
      log.info({ ms: Date.now() - started }, 'job done');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof LeaseLostError || lease.signal.aborted) {
        log.warn({ err }, 'job interrupted; it will run again');
        return;
      }
      if (err instanceof PermanentJobError || job.attempts >= job.max_attempts) {
        log.warn({ err: message }, 'job failed');
        await this.giveUp(job, def, payload, message, log);
      } else {
        log.warn({ err }, 'job attempt failed; retrying');
        await this.jobs.fail(job.id, this.id, message, Date.now() + retryDelayMs(job.attempts));
      }
    } finally {
      clearInterval(beat);
      this.controller.signal.removeEventListener('abort', onStop);
    }
  }

  private async giveUp(
    job: JobRow,
    def: JobDefinition<JobName>,
    payload: JobPayloads[JobName],
    message: string,
    log: FastifyBaseLogger,
  ): Promise<void> {
    try {
      await def.onFailed?.(payload, message);
      await this.jobs.fail(job.id, this.id, message, null);
    } catch (err) {
      // Leave the job running: after the lease expires another attempt will record the failure.
      log.error({ err }, 'could not record job failure');
    }
  }
}
