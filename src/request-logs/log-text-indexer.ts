// Fills the text-search index of request logs after their acknowledgement, in transactions of its own, so the
// ingestion commit carries no index work (SQLite; on PostgreSQL the inserts maintain the GIN indexes themselves and
// this does nothing). Search stays exact meanwhile: logs above the index's watermark are scanned (dialect.ts).
import type { DatabaseHandle } from '../db/database.js';

export interface LogTextIndexerOptions {
  /** Pause after a commit before indexing, so one index transaction takes the logs of many commits. */
  delayMs: number;
  /** Logs per index transaction (each one holds the write lock, and the event loop, while it runs). */
  batch: number;
  onError: (err: unknown) => void;
}

export const DEFAULT_LOG_TEXT_INDEXER: Omit<LogTextIndexerOptions, 'onError'> = { delayMs: 100, batch: 1000 };

export class LogTextIndexer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private pending = false;
  private closed = false;

  constructor(
    private readonly dbh: DatabaseHandle,
    private readonly opts: LogTextIndexerOptions,
  ) {}

  /** New logs were committed (or the process started with some left unindexed): index them soon. */
  poke(): void {
    if (!this.dbh.dialect.logTextIndexDeferred || this.closed) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.run().finally(() => {
        this.running = undefined;
        if (this.pending) {
          this.pending = false;
          this.poke();
        }
      });
    }, this.opts.delayMs);
    this.timer.unref();
  }

  /** Indexes every log committed so far (tests; the bench's seeders); resolves once the watermark is at the end. */
  async catchUp(): Promise<void> {
    await this.running;
    await this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async run(): Promise<void> {
    try {
      while (!this.closed) {
        // Relaxed commit (no fsync): the index and its watermark commit together, so a lost commit loses both and
        // the logs are indexed again; the logs themselves were made durable by their own commit.
        const n = await this.dbh.transaction((trx) => this.dbh.dialect.indexLogText(trx, this.opts.batch), {
          relaxed: true,
        });
        if (n < this.opts.batch) return;
        // Let acknowledgements and requests run between two full batches.
        await new Promise((r) => setImmediate(r));
      }
    } catch (err) {
      this.opts.onError(err);
    }
  }
}
