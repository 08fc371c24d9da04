// Enqueues jobs inside the caller's transaction and wakes this process's worker once they are committed.
import type { Executor } from '../db/database.js';
import type { JobName, JobPayloads } from './job-catalogue.js';
import type { JobRepository } from './job.repository.js';

export class JobQueue {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly repo: JobRepository,
    private readonly maxAttempts: number,
  ) {}

  enqueue<N extends JobName>(
    ex: Executor,
    type: N,
    payload: JobPayloads[N],
    opts: { workspaceId?: number | null; runAt?: number } = {},
  ): Promise<number> {
    return this.repo.enqueue(ex, type, payload, { ...opts, maxAttempts: this.maxAttempts });
  }

  /** Call after the enqueuing transaction committed. */
  notify(): void {
    for (const l of this.listeners) l();
  }

  onEnqueued(listener: () => void): void {
    this.listeners.add(listener);
  }
}
