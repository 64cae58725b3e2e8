import { randomUUID } from 'node:crypto';
import type { JobInfo, JobKind, JobProgress, JobState, JobUpdate } from '../../../preload/contract/jobs';
import type { Db } from '../db/open';
import { toErrorValue } from '../errors';
import { JobStore } from './store';

export interface JobContext {
  readonly jobId: string;
  /** Aborted when the user cancels; runners check it between files, batches and steps. */
  readonly signal: AbortSignal;
  /** Reports progress; coalesced to at most one update per `minIntervalMs`. */
  progress(progress: JobProgress): void;
  partial(data: unknown): void;
}

export type JobRunner<R> = (ctx: JobContext) => Promise<R>;

type Listener = (update: JobUpdate) => void;

interface LiveJob {
  id: string;
  kind: JobKind;
  controller: AbortController;
  done: Promise<JobInfo>;
}

/**
 * Runs long work as jobs: an id at once, typed updates (one union keyed on `type`), cancel through
 * an AbortSignal, and a row per job in the database so `list` survives reloads and crashes. Jobs
 * run one at a time in start order: they share the CPU and the database writer.
 */
export class JobManager {
  private readonly store: JobStore;
  private readonly listeners = new Set<Listener>();
  private readonly live = new Map<string, LiveJob>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    db: Db,
    private readonly minIntervalMs = 100,
  ) {
    this.store = new JobStore(db);
  }

  /** Jobs a previous process left queued or running are marked interrupted; returns them. */
  recoverInterrupted(): JobInfo[] {
    return this.store.markInterrupted();
  }

  start<R>(kind: JobKind, params: unknown, runner: JobRunner<R>): { jobId: string } {
    const id = randomUUID();
    const controller = new AbortController();
    this.store.insert(id, kind, params);
    this.emit({ type: 'queued', jobId: id, kind });
    const done = this.tail.then(() => this.run(id, kind, controller, runner));
    this.tail = done.catch(() => undefined);
    this.live.set(id, { id, kind, controller, done });
    void done.finally(() => this.live.delete(id));
    return { jobId: id };
  }

  cancel(jobId: string): boolean {
    const job = this.live.get(jobId);
    if (!job || job.controller.signal.aborted) return false;
    job.controller.abort();
    return true;
  }

  list(): JobInfo[] {
    return this.store.list();
  }

  get(jobId: string): JobInfo | undefined {
    return this.store.get(jobId);
  }

  /** Resolves when the job has ended (done, failed or cancelled). */
  async wait(jobId: string): Promise<JobInfo> {
    const job = this.live.get(jobId);
    if (job) return job.done;
    const info = this.store.get(jobId);
    if (!info) throw new Error(`No job ${jobId}`);
    return info;
  }

  /** Subscribes to every job's updates; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels everything and waits for the running job to stop. */
  async shutdown(): Promise<void> {
    for (const job of this.live.values()) job.controller.abort();
    await this.tail;
  }

  private async run<R>(id: string, kind: JobKind, controller: AbortController, runner: JobRunner<R>): Promise<JobInfo> {
    const signal = controller.signal;
    const throttle = new ProgressThrottle(this.minIntervalMs, (progress) => {
      this.store.saveProgress(id, progress);
      this.emit({ type: 'progress', jobId: id, kind, progress });
    });
    const ctx: JobContext = {
      jobId: id,
      signal,
      progress: (p) => throttle.push(p),
      partial: (data) => this.emit({ type: 'partial', jobId: id, kind, data }),
    };
    let state: JobState;
    if (signal.aborted) {
      state = 'cancelled';
    } else {
      this.store.setState(id, 'running');
      try {
        const result = await runner(ctx);
        throttle.flush();
        if (signal.aborted) {
          state = 'cancelled';
        } else {
          state = 'done';
          this.store.finish(id, state, { result });
          this.emit({ type: 'done', jobId: id, kind, result });
        }
      } catch (err) {
        throttle.flush();
        const error = toErrorValue(err);
        if (signal.aborted || error.code === 'cancelled') {
          state = 'cancelled';
        } else {
          state = 'failed';
          this.store.finish(id, state, { error });
          this.emit({ type: 'failed', jobId: id, kind, error });
        }
      }
    }
    if (state === 'cancelled') {
      this.store.finish(id, state, {});
      this.emit({ type: 'cancelled', jobId: id, kind });
    }
    return this.store.get(id)!;
  }

  private emit(update: JobUpdate): void {
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch {
        // A failing subscriber must not break the job or the other subscribers.
      }
    }
  }
}

/** Keeps the newest progress and delivers it at most once per interval; flush delivers what is pending. */
class ProgressThrottle {
  private pending: JobProgress | null = null;
  private last = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly deliver: (p: JobProgress) => void,
  ) {}

  push(progress: JobProgress): void {
    this.pending = progress;
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return;
    const p = this.pending;
    this.pending = null;
    this.last = Date.now();
    this.deliver(p);
  }
}
