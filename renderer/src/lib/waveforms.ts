import type { Waveform } from '../../../preload/contract';
import type { Transport } from './transport';

/** Peaks per thumbnail: enough for a ~200 px canvas at 2x, small over the wire. */
export const WAVEFORM_POINTS = 256;

interface Task {
  path: string;
  points: number;
  key: string;
  resolve: (w: Waveform | null) => void;
  signal: AbortSignal;
}

const keyOf = (path: string, points: number) => `${points}:${path}`;

/**
 * Loads waveform peaks (list thumbnails and the large take and trim views alike): at most
 * `concurrency` requests at a time, newest first (the rows the user just scrolled to), requests
 * for rows that scrolled away are dropped before they go out, and results are kept in a small
 * LRU cache keyed by path and width.
 */
export class WaveformLoader {
  private readonly cache = new Map<string, Waveform | null>();
  private readonly waiting: Task[] = [];
  private readonly inFlight = new Map<string, Promise<Waveform | null>>();
  private running = 0;
  /** Requests actually sent (tests and diagnostics). */
  requests = 0;

  constructor(
    private readonly transport: Transport,
    private readonly limit = 1500,
    private readonly concurrency = 4,
  ) {}

  cached(path: string, points = WAVEFORM_POINTS): Waveform | null | undefined {
    return this.cache.get(keyOf(path, points));
  }

  /** Resolves with `points` peaks, or null when the file cannot be read; never rejects. */
  load(path: string, signal: AbortSignal, points = WAVEFORM_POINTS): Promise<Waveform | null> {
    const key = keyOf(path, points);
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return Promise.resolve(hit);
    }
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    if (signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const task: Task = { path, points, key, resolve, signal };
      this.waiting.push(task);
      signal.addEventListener(
        'abort',
        () => {
          const i = this.waiting.indexOf(task);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            resolve(null);
          }
        },
        { once: true },
      );
      this.pump();
    });
  }

  /** Forgets everything (after a re-index the files may have changed). */
  clear(): void {
    this.cache.clear();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length) {
      const task = this.waiting.pop()!;
      if (task.signal.aborted) {
        task.resolve(null);
        continue;
      }
      const existing = this.inFlight.get(task.key) ?? this.cache.get(task.key);
      if (existing !== undefined) {
        void Promise.resolve(existing).then(task.resolve);
        continue;
      }
      this.running++;
      this.requests++;
      const p = this.transport.invoke('library.waveform', { path: task.path, points: task.points }).then((r) => {
        const w = r.ok ? r.value : null;
        // Do not cache a dropped connection as "no waveform".
        if (r.ok || r.error.code !== 'disconnected') this.remember(task.key, w);
        return w;
      });
      this.inFlight.set(task.key, p);
      void p.then((w) => {
        this.inFlight.delete(task.key);
        this.running--;
        task.resolve(w);
        this.pump();
      });
    }
  }

  private remember(key: string, w: Waveform | null): void {
    this.cache.set(key, w);
    if (this.cache.size > this.limit) this.cache.delete(this.cache.keys().next().value!);
  }
}
