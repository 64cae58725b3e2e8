/**
 * The reader worker: reads one library file at a time (metadata, then mono windows at the
 * embedder's rate) for the index job. It runs in a worker thread so that a file whose parsing
 * hangs, recurses too deep or allocates without end can be stopped (Worker.terminate) and
 * reported as failed while the job goes on; JavaScript on the job's own thread cannot be
 * interrupted. Windows are handed over (transferred, not copied) within the credit the job grants,
 * so a long file never piles up decoded audio faster than it is embedded.
 */
import { parentPort } from 'node:worker_threads';
import { openMonoStream, readMeta } from '../audio';
import { asReadError } from './read-failure';
import type { EmbedSpec, FromReader, ToReader } from './read-protocol';
import { WindowPlanner, type AudioWindow } from './windows';

if (!parentPort) throw new Error('read-worker runs only as a worker thread');
const port = parentPort;

// Memory outside the heap is invisible to the job's thread (it is per isolate), so the worker tells it
// whenever its event loop gets a turn; the job stops a read that goes past its budget.
setInterval(() => post({ type: 'memory', external: process.memoryUsage().external }), 50).unref();

/** The read in progress: its credit and the wait for more. */
let current: { id: number; credit: number; wake: (() => void) | null; waitedMs: number; started: number } | null = null;
/** Reads run one after another, in the order they were asked. */
let tail = Promise.resolve();

port.on('message', (m: ToReader) => {
  if (m.type === 'credit') {
    if (current?.id !== m.id) return;
    current.credit += m.windows;
    current.wake?.();
    return;
  }
  if (m.type === 'read') tail = tail.then(() => read(m.id, m.path, m.embed, m.credit));
});

post({ type: 'ready' });

function post(m: FromReader, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

async function read(id: number, file: string, embed: EmbedSpec | null, credit: number): Promise<void> {
  const timings: Record<string, number> = {};
  current = { id, credit, wake: null, waitedMs: 0, started: performance.now() };
  try {
    if (!embed) {
      post({ type: 'meta', id, meta: await timed(timings, () => readMeta(file)) });
    } else {
      await readWindows(id, file, embed, timings);
    }
    post({ type: 'done', id, timings });
  } catch (err) {
    post({ type: 'failed', id, error: asReadError(err), timings });
  } finally {
    current = null;
  }
}

async function readWindows(id: number, file: string, embed: EmbedSpec, timings: Record<string, number>): Promise<void> {
  const { meta, blocks } = await openMonoStream(file, {
    targetRate: embed.targetRate,
    passbandHz: embed.passbandHz,
    timings,
    lengthAfterStream: true,
  });
  post({ type: 'meta', id, meta });
  const planner = new WindowPlanner(embed.targetRate, embed.windowSeconds, embed.hopSeconds);
  for await (const block of blocks) await send(id, planner.push(block));
  await send(id, planner.finish());
  // MP3/Ogg lengths are known only now that every block has been decoded: the job keeps the last meta.
  post({ type: 'meta', id, meta });
}

/** Hands windows over (each owns its buffer: WindowPlanner slices), then waits while the credit is used up. */
async function send(id: number, windows: AudioWindow[]): Promise<void> {
  const r = current!;
  if (!windows.length) return;
  r.credit -= windows.length;
  const busyMs = performance.now() - r.started - r.waitedMs;
  post(
    { type: 'windows', id, windows, stalled: r.credit <= 0, busyMs },
    windows.map((w) => w.samples.buffer as ArrayBuffer),
  );
  if (r.credit > 0) return;
  const t = performance.now();
  await new Promise<void>((resolve) => {
    r.wake = () => {
      if (r.credit <= 0) return;
      r.wake = null;
      resolve();
    };
  });
  r.waitedMs += performance.now() - t;
}

async function timed<T>(timings: Record<string, number>, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    timings.decode = (timings.decode ?? 0) + performance.now() - t;
  }
}
