// Worker threads on a module beside the caller's (row-encoder.thread, csv-export.thread), from source or compiled
// alike, and the few idle ones kept for the next task (starting one costs ~0.15 CPU-s of module loading).
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
