import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileMeta } from '../audio';
import { CuebankError } from '../errors';
import { describeReadError, damagedSentence, formatLabel, tooBigSentence, tooSlowSentence } from './read-failure';
import type { EmbedSpec, FromReader, ToReader } from './read-protocol';
import type { AudioWindow } from './windows';

/** Per-file limits of the index job (IndexSettings.fileTimeoutSeconds / fileMemoryMb). */
export interface ReadBudget {
  /** Seconds the reader may work on one file (time it waits for the embedder does not count)... */
  seconds: number;
  /** ...plus this many per megabyte of the file: reading a long recording is not a hang. */
  secondsPerMb: number;
  /** Megabytes one file may take: the worker's heap, and separately its memory outside the heap. */
  memoryMb: number;
}

export type ReadEvent = { type: 'meta'; meta: FileMeta } | { type: 'windows'; windows: AudioWindow[] };

/** A file that failed: `message` is the sentence stored as its reason; `internal` goes to the log. */
export class ReadFailure extends CuebankError {
  constructor(
    message: string,
    readonly internal: string | null,
  ) {
    super('corrupt_file', message);
  }
}

/** The worker itself could not start: no file is to blame, so the job stops with this. */
export class ReaderUnavailable extends CuebankError {
  constructor(cause: unknown) {
    super('internal', `Cuebank's file reader could not start (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
}

/** Why a read was stopped from this side; `detail` goes to the log. */
type Stop = { kind: 'slow' | 'big' | 'crash' | 'cancelled'; detail: string };

const WATCH_MS = 100;
/**
 * Growth of the whole process's resident memory during one file at which the read is stopped even
 * if the worker never got to report (a long synchronous stretch): twice the budget, because the
 * job's own thread (embedding, the database) grows too while a file is read.
 */
const RSS_FACTOR = 2;

/**
 * The index job's reader: one worker thread (started on first use, replaced after a failure that
 * stopped it) that reads files one at a time under a budget of time and memory. A file past either
 * budget, or one that crashes the worker, is a ReadFailure with a sentence; the next file gets a
 * fresh worker. The worker sends at most `credit` windows ahead of the job, so decoded audio waiting
 * for the embedder stays bounded whatever the file's length.
 */
export class FileReader {
  private worker: Promise<Worker> | null = null;
  private current: Worker | null = null;
  private nextId = 1;

  /** `workerModule`: the worker's program (a .ts or .mjs file); default the real reader. Tests pass one that misbehaves on purpose. */
  constructor(
    private readonly budget: ReadBudget,
    private readonly credit: number,
    private readonly workerModule?: string,
  ) {}

  /**
   * Yields the file's metadata, then (with `embed`) its windows in order. Asking for the next event
   * tells the worker the previous windows are taken. Throws ReadFailure when the file fails.
   */
  async *read(
    file: string,
    size: number,
    embed: EmbedSpec | null,
    options: { timings?: Record<string, number>; signal?: AbortSignal } = {},
  ): AsyncGenerator<ReadEvent> {
    const { timings, signal } = options;
    signal?.throwIfAborted();
    const allowedSeconds = Math.round(this.budget.seconds + (this.budget.secondsPerMb * size) / (1024 * 1024));
    let worker: Worker;
    try {
      worker = await this.start();
    } catch (err) {
      this.current = null;
      this.worker = null;
      throw new ReaderUnavailable(err);
    }
    // Cancelled while the worker was starting: an abort listener added now would never fire.
    signal?.throwIfAborted();
    const id = this.nextId++;
    const inbox: FromReader[] = [];
    let stop: Stop | null = null;
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };

    // Busy time: the worker's own figure when it last reported, plus the time since, unless it
    // said it is waiting for credit. Its figure corrects for stretches where this thread was busy.
    let busyBase = 0;
    let runningSince: number | null = performance.now();
    let meta: FileMeta | null = null;
    const busyMs = () => busyBase + (runningSince === null ? 0 : performance.now() - runningSince);
    const rssBase = process.memoryUsage.rss();

    const onMessage = (m: FromReader) => {
      if (m.type === 'ready') return;
      if (m.type === 'memory') {
        if (m.external > this.budget.memoryMb * 1024 * 1024) halt('big', `worker memory outside the heap ${(m.external / 1048576).toFixed(0)} MB`);
        return;
      }
      if (m.id !== id) return;
      if (m.type === 'meta') meta = m.meta;
      if (m.type === 'windows') {
        busyBase = m.busyMs;
        runningSince = m.stalled ? null : performance.now();
      }
      inbox.push(m);
      notify();
    };
    const onError = (err: Error & { code?: string }) =>
      halt(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'big' : 'crash', `${err.name}: ${err.message}`);
    const onExit = (code: number) => halt('crash', `the reader worker exited with code ${code}`);
    // A message that cannot be rebuilt here (e.g. metadata nested too deep) is dropped by Node with
    // only this event: the read cannot be trusted to be complete.
    const onMessageError = (err: Error) => halt('crash', `a message from the reader could not be read: ${err.message}`);
    const halt = (kind: 'slow' | 'big' | 'crash', detail: string) => {
      if (stop) return;
      stop = { kind, detail };
      this.drop(worker);
      notify();
    };
    // Timers run before pending messages after this thread was busy, so an apparent overrun is
    // confirmed once the messages (which may say the worker was waiting) have been handled.
    const over = () => busyMs() > allowedSeconds * 1000;
    const watchdog = setInterval(() => {
      if (process.memoryUsage.rss() - rssBase > RSS_FACTOR * this.budget.memoryMb * 1024 * 1024) {
        halt('big', 'process memory grew past the backstop');
      } else if (over()) {
        setImmediate(() => {
          if (over()) halt('slow', `busy ${(busyMs() / 1000).toFixed(1)} s`);
        });
      }
    }, WATCH_MS);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.on('messageerror', onMessageError);
    // Cancel stops the read at once (the worker is replaced), not after the file.
    const onAbort = () => {
      if (stop) return;
      stop = { kind: 'cancelled', detail: '' };
      this.drop(worker);
      notify();
    };
    signal?.addEventListener('abort', onAbort);
    let finished = false;
    try {
      this.post(worker, { type: 'read', id, path: file, embed, credit: this.credit });
      for (;;) {
        while (!inbox.length && !stop) await new Promise<void>((resolve) => (wake = resolve));
        // Set by the handlers above, which TypeScript's narrowing does not see.
        const halted = stop as Stop | null;
        if (halted?.kind === 'cancelled') throw signal!.reason;
        if (halted) throw this.failure(file, meta, halted, allowedSeconds);
        const m = inbox.shift()!;
        if (m.type === 'memory' || m.type === 'ready') continue;
        if (m.type === 'done' || m.type === 'failed') {
          // Either way the worker is through with this file and ready for the next.
          finished = true;
          if (timings) for (const [k, v] of Object.entries(m.timings)) timings[k] = (timings[k] ?? 0) + v;
          if (m.type === 'failed') {
            const { reason, internal } = describeReadError(file, meta, m.error);
            throw new ReadFailure(reason, internal);
          }
          return;
        }
        if (m.type === 'meta') yield { type: 'meta', meta: m.meta };
        else {
          yield { type: 'windows', windows: m.windows };
          // Taken: the worker may go on.
          if (!stop) {
            this.post(worker, { type: 'credit', id, windows: m.windows.length });
            if (runningSince === null) runningSince = performance.now();
          }
        }
      }
    } finally {
      clearInterval(watchdog);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      worker.off('messageerror', onMessageError);
      signal?.removeEventListener('abort', onAbort);
      // Left early (cancelled, or the job failed the file itself): the worker may still be busy
      // with this file, so it is replaced rather than made to finish.
      if (!finished && !stop) this.drop(worker);
    }
  }

  async close(): Promise<void> {
    const w = this.current;
    this.current = null;
    this.worker = null;
    if (w) await w.terminate();
  }

  private failure(file: string, meta: FileMeta | null, stop: Stop, seconds: number): ReadFailure {
    if (stop.kind === 'slow') return new ReadFailure(tooSlowSentence(seconds), stop.detail);
    if (stop.kind === 'big') return new ReadFailure(tooBigSentence(this.budget.memoryMb), stop.detail);
    return new ReadFailure(damagedSentence(formatLabel(file, meta)), stop.detail);
  }

  private post(worker: Worker, m: ToReader): void {
    worker.postMessage(m);
  }

  private drop(worker: Worker): void {
    this.current = null;
    this.worker = null;
    void worker.terminate();
  }

  /** The worker, once it has loaded (its start-up is not any file's time). */
  private start(): Promise<Worker> {
    if (this.worker) return this.worker;
    const entry = workerEntry(this.workerModule);
    const worker = new Worker(entry.source, {
      eval: entry.eval,
      resourceLimits: { maxOldGenerationSizeMb: this.budget.memoryMb, maxYoungGenerationSizeMb: Math.min(64, this.budget.memoryMb / 4) },
    });
    const started = new Promise<Worker>((resolve, reject) => {
      const ready = (m: FromReader) => {
        if (m.type !== 'ready') return;
        worker.off('message', ready);
        resolve(worker);
      };
      worker.on('message', ready);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the reader worker exited with code ${code} while starting`)));
    });
    // An error or exit between reads (none is being watched) only means the next read needs a new worker.
    const lost = () => {
      if (this.current === worker) this.drop(worker);
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.current = worker;
    this.worker = started;
    return started;
  }
}

/**
 * The bundled worker beside the bundle (dist/read-worker.mjs), or from a checkout the TypeScript
 * source, loaded through tsx's loader registered inside the worker (a worker does not take
 * `--import` loaders from its execArgv the way a child process does).
 */
function workerEntry(module?: string): { source: string; eval: boolean } {
  const here = import.meta.dirname;
  const built = path.resolve(here, 'read-worker.mjs');
  if (!module && fs.existsSync(built)) return { source: built, eval: false };
  const file = module ?? path.resolve(here, 'read-worker.ts');
  if (!file.endsWith('.ts')) return { source: file, eval: false };
  // tsx's ESM API sits beside the CommonJS file `require` resolves to.
  const api = path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/esm/api')), 'index.mjs');
  const entry = pathToFileURL(file).href;
  return { source: `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry)}));`, eval: true };
}
