// Worker threads on a module beside the caller's (row-encoder.thread, csv-export.thread), from source or compiled
// alike; the few idle ones kept for the next task (starting one costs ~0.15 CPU-s of module loading); and the loop
// handing a task's results to its consumer.
import { Worker } from 'node:worker_threads';

/** `name` without extension, resolved against the caller's `import.meta.url` (`base`). */
export function spawnModuleThread(base: string, name: string): Worker {
  if (base.endsWith('.ts')) {
    // Running from source under tsx (tests, bench, `npm run dev`): a worker thread does not inherit tsx's loader
    // hooks on Node 20, so the thread registers them before importing its entry.
    const entry = new URL(`./${name}.ts`, base).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(new URL(`./${name}.js`, base));
}

/** What a task reports: a result for the consumer, the task's end, or its failure (the first one counts). */
export interface ThreadInbox<T> {
  push(item: T): void;
  finish(): void;
  fail(err: unknown): void;
}

export interface ThreadTask<M, T> {
  /** One message from the thread, turned into results, the end or a failure. */
  onMessage(m: M, inbox: ThreadInbox<T>): void;
  /** After the consumer took a result (the thread may then send one more). */
  onTaken(): void;
  /** The error when the thread exits before the task's end. */
  exitError(code: number): Error;
  /** Whether a thread that finished this task cleanly may be kept (default yes). */
  reusable?(): boolean;
}

export class ThreadPool {
  private readonly idle: Worker[] = [];
  private readonly taken = new Set<Worker>();

  constructor(
    private readonly base: string,
    private readonly name: string,
    private readonly maxIdle: number,
  ) {}

  /** An idle thread, or a new one. */
  take(): Worker {
    const thread = this.idle.pop() ?? this.start();
    thread.ref();
    this.taken.add(thread);
    return thread;
  }

  /** Back to the pool: only a thread that finished its task cleanly (nothing of it can still reach the thread). */
  keep(thread: Worker): void {
    this.taken.delete(thread);
    if (this.idle.length >= this.maxIdle) return void thread.terminate();
    thread.unref(); // an idle thread does not keep the process alive
    this.idle.push(thread);
  }

  /** Ends a thread that did not finish its task cleanly. */
  async end(thread: Worker): Promise<void> {
    this.taken.delete(thread);
    await thread.terminate();
  }

  /**
   * The results of one task running on `thread` (from take(), or any Worker), in order, as the consumer takes them.
   * The thread is kept only when the task finished and the consumer took every result; a failure, the thread's exit
   * or a consumer stopping early ends it (nothing of the task can then reach the next one).
   */
  async *drain<M, T>(thread: Worker, task: ThreadTask<M, T>): AsyncGenerator<T> {
    const queue: T[] = [];
    let finished = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    // Each report wakes the consumer (a failure may come from the caller's own work, outside any message).
    const inbox: ThreadInbox<T> = {
      push: (item) => void (queue.push(item), wake?.()),
      finish: () => void ((finished = true), wake?.()),
      fail: (err) => void ((failure ??= err), wake?.()),
    };
    const onMessage = (m: M) => task.onMessage(m, inbox);
    const onError = (err: unknown) => inbox.fail(err);
    const onExit = (code: number) => {
      if (!finished) inbox.fail(task.exitError(code));
    };
    thread.on('message', onMessage).on('error', onError).on('exit', onExit);
    let consumed = false;
    try {
      for (;;) {
        if (queue.length > 0) {
          yield queue.shift()!;
          task.onTaken();
        } else if (failure !== undefined) {
          throw failure;
        } else if (finished) {
          consumed = true;
          return;
        } else {
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      }
    } finally {
      thread.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (consumed && (task.reusable?.() ?? true)) this.keep(thread);
      else await this.end(thread);
    }
  }

  /** Threads taken and not yet kept or ended, and idle ones (tests check that nothing leaks). */
  stats(): { running: number; idle: number } {
    return { running: this.taken.size, idle: this.idle.length };
  }

  private start(): Worker {
    const thread = spawnModuleThread(this.base, this.name);
    // A thread that dies while idle leaves the pool.
    thread.on('exit', () => {
      const i = this.idle.indexOf(thread);
      if (i !== -1) this.idle.splice(i, 1);
    });
    return thread;
  }
}
