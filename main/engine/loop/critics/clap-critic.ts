/**
 * The CLAP event critic: slides windows over the take, scores each window against each event's
 * text, and calibrates every score against what the same text scores on sounds that hold no
 * particular event (calibration.ts). Gives a presence curve over the whole take per event; the
 * event's presence comes from the windows inside its expected span.
 */
import type { DecodedAudio } from '../../audio/types';
import type { CriticSettings } from '../../config';
import { CuebankError } from '../../errors';
import type { Embedder } from '../../models/types';
import { isAmbient, typicalSeconds } from '../decompose-lexicon';
import type { Critic, Critique, EventCritique, EventPlan, SoundEvent } from '../types';
import { overallScore, presenceOfZ, referenceStats, verdictOfZ, zScore } from './calibration';
import { referenceSounds } from './reference-sounds';
import { curveGrid, cutTake, takeSeconds, windowsInSpan, type CurveGrid } from './take-windows';

export interface ClapCriticDeps {
  embedder: Embedder;
  settings: CriticSettings;
  /** Stored embeddings of library windows that join the reference set (a sample; see library-sample.ts). */
  libraryVectors?: () => Float32Array[] | Promise<Float32Array[]>;
}

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

function rmsDb(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return 10 * Math.log10(s / Math.max(1, x.length) + 1e-20);
}

function checkCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CuebankError('cancelled', 'Cancelled');
}

/**
 * How many of an event's span windows must hold it: enough to cover its typical length (a door slam
 * needs one or two windows of an 8 s span), or half the span for a bed (rain, a background overlap),
 * which should be heard most of the time, not once.
 */
export function windowsNeeded(event: SoundEvent, grid: CurveGrid, inSpan: number): number {
  const bed = event.relation === 'overlap' || isAmbient(event.text);
  const k = bed ? Math.ceil(inSpan / 2) : Math.ceil(typicalSeconds(event.text, event.count) / grid.hop);
  return Math.max(1, Math.min(inSpan, k));
}

export class ClapCritic implements Critic {
  readonly id = 'clap' as const;
  private synthetic: Promise<Float32Array[]> | null = null;
  private readonly textCache = new Map<string, Float32Array>();

  constructor(private readonly deps: ClapCriticDeps) {}

  critique(take: DecodedAudio, plan: EventPlan, signal?: AbortSignal): Promise<Critique> {
    return this.judge(take, plan, signal, async () => (await this.deps.libraryVectors?.()) ?? []);
  }

  /**
   * The library sample is read at the loop's first critique and kept for the loop: reading it is a
   * sort over every stored window (~20 ms per 300,000), and a library indexed meanwhile would
   * otherwise move the reference set between iterations.
   */
  forLoop(): Critic {
    let library: Promise<Float32Array[]> | null = null;
    const sample = () =>
      (library ??= Promise.resolve(this.deps.libraryVectors?.() ?? []).catch((err: unknown) => {
        library = null;
        throw err;
      }));
    return { id: this.id, critique: (take, plan, signal) => this.judge(take, plan, signal, sample) };
  }

  private async judge(take: DecodedAudio, plan: EventPlan, signal: AbortSignal | undefined, librarySample: () => Promise<Float32Array[]>): Promise<Critique> {
    const { embedder, settings } = this.deps;
    const c = settings.clap;
    const window = Math.min(settings.windowSeconds, embedder.windowSeconds);
    const grid = curveGrid(takeSeconds(take), window, settings.hopSeconds);
    const cuts = cutTake(take, embedder.sampleRate, grid, embedder.maxFrequency);

    const audible = cuts.map((w) => rmsDb(w) > c.silenceDb);
    const windows: Float32Array[] = [];
    for (let i = 0; i < cuts.length; i += c.batchWindows) {
      checkCancelled(signal);
      windows.push(...(await embedder.embedAudio(cuts.slice(i, i + c.batchWindows))));
    }
    checkCancelled(signal);
    const shared = [...(await this.syntheticReferences(window)), ...(await librarySample())];
    const texts = await this.textVectors(plan.events.map((e) => e.text));

    const events: EventCritique[] = plan.events.map((event, k) => {
      const text = texts[k];
      // The take's own audible windows well away from the event's span (one window of slack for
      // loose timing) are references too: the same recording, where this event is not expected.
      const margin = grid.window;
      const outside = windows.filter(
        (_, i) => audible[i] && (i * grid.hop >= event.end + margin || i * grid.hop + grid.window <= event.start - margin),
      );
      const ref = referenceStats([...shared, ...outside].map((r) => dot(r, text)), c.minSpread);
      // A window too quiet to hear holds no event, whatever the model makes of its noise floor.
      const z = windows.map((w, i) => (audible[i] ? zScore(dot(w, text), ref) : Math.min(0, zScore(dot(w, text), ref))));
      const inSpan = windowsInSpan(grid, event.start, event.end);
      const top = inSpan.map((i) => z[i]).sort((a, b) => b - a).slice(0, windowsNeeded(event, grid, inSpan.length));
      const eventZ = top.reduce((a, b) => a + b, 0) / top.length;
      return {
        eventId: event.id,
        text: event.text,
        start: event.start,
        end: event.end,
        score: presenceOfZ(eventZ, c),
        verdict: verdictOfZ(eventZ, c),
        curve: { hop: grid.hop, window: grid.window, values: z.map((v) => presenceOfZ(v, c)) },
      };
    });
    return { critic: 'clap', events, score: overallScore(events.map((e) => e.score)) };
  }

  private async textVectors(texts: string[]): Promise<Float32Array[]> {
    const missing = [...new Set(texts.filter((t) => !this.textCache.has(t)))];
    if (missing.length) {
      const vectors = await this.deps.embedder.embedText(missing);
      missing.forEach((t, i) => this.textCache.set(t, vectors[i]));
    }
    return texts.map((t) => this.textCache.get(t)!);
  }

  /** Embedded once per critic: the same sounds at the same window length every take. */
  private syntheticReferences(window: number): Promise<Float32Array[]> {
    this.synthetic ??= this.deps.embedder
      .embedAudio(referenceSounds(this.deps.embedder.sampleRate, window).map((r) => r.samples))
      .catch((err) => {
        this.synthetic = null;
        throw err;
      });
    return this.synthetic;
  }
}
