// Group commit for the ingestion hot path: logs arriving while a commit is in flight are written together in the
// next transaction, and every caller is answered only after the transaction holding its log has committed.
export class GroupCommit<T, R> {
  private queue: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private draining = false;

  constructor(
    /** Writes the items in ONE transaction and returns one result per item, in order. */
    private readonly commit: (items: T[]) => Promise<R[]>,
    private readonly maxBatch: number,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        // Let requests already received reach submit() before the batch is cut: a synchronous SQLite commit blocks
        // the event loop during its fsync, so without this pause batches stay tiny.
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const results = await this.commit(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(results[i]));
        } catch (err) {
          if (batch.length === 1) {
            batch[0].reject(err);
            continue;
          }
          // One bad item must not fail its neighbours: retry each alone so only the culprit sees the error.
          for (const b of batch) {
            try {
              b.resolve((await this.commit([b.item]))[0]);
            } catch (e) {
              b.reject(e);
            }
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
