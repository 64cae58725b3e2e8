/**
 * A tiny tone world for orchestrator and strategy tests: every event word is a sine frequency.
 * The generator renders the events of a prompt as tones in their spans and drops the last event of
 * a multi-event prompt (as the fixture pack does); conditioning references and init audio really
 * reach its output. The critic measures each event's tone in its span with a Goertzel filter.
 * So a test passes only when the orchestrator passes the right sound to the right place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeWavFile } from '../../../main/engine/audio';
import { openDatabase, type Db } from '../../../main/engine/db/open';
import { LoopStore } from '../../../main/engine/loop/store';
import type { DecodedAudio } from '../../../main/engine/audio/types';
import { CuebankError } from '../../../main/engine/errors';
import type { JobContext } from '../../../main/engine/jobs/manager';
import type { GenerateRequest, Generator, GeneratorCapabilities } from '../../../main/engine/models/generator/types';
import type { RetrieveFn } from '../../../main/engine/loop/orchestrator';
import type { Critic, Critique, EventPlan, Reference, SoundEvent } from '../../../main/engine/loop/types';
import type { GenerateSettings } from '../../../preload/contract/generate';
import type { JobProgress } from '../../../preload/contract/jobs';
import { tempDir } from '../../helpers/tmp';

export const RATE = 16_000;
export const TONES: Record<string, number> = { beep: 1000, hum: 220, whistle: 3000, chirp: 5000 };

export const toneOf = (text: string): number => {
  const w = Object.keys(TONES).find((k) => text.toLowerCase().includes(k));
  if (!w) throw new Error(`no tone in "${text}"`);
  return TONES[w];
};

/** "beep then hum then whistle" -> events back to back over the duration. */
export function planOf(prompt: string, duration: number): EventPlan {
  const parts = prompt.split(/\s+then\s+/);
  const span = duration / parts.length;
  const events: SoundEvent[] = parts.map((text, i) => ({
    id: `e${i}`,
    text,
    start: i * span,
    end: (i + 1) * span,
    relation: i === 0 ? 'start' : 'sequence',
    count: 1,
  }));
  return { prompt, duration, events };
}

export function sine(freq: number, seconds: number, amp = 0.5, rate = RATE): Float32Array {
  const out = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) out[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

/** Deterministic noise in [-amp, amp). */
export function noise(n: number, amp: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out[i] = amp * ((s / 2 ** 31) * 2 - 1);
  }
  return out;
}

export function addAt(target: Float32Array, src: Float32Array, offset: number, gain = 1): void {
  for (let i = 0; i < src.length && offset + i < target.length; i++) if (offset + i >= 0) target[offset + i] += gain * src[i];
}

export interface ToneGeneratorOptions extends Partial<GeneratorCapabilities> {
  /** Output gain per seed (best-of-N tests): defaults to 0.5 for every seed. */
  amplitude?: (seed: number) => number;
  /** Extra noise level per seed (worse takes for some seeds). */
  noise?: (seed: number) => number;
  /** Ignore references and init: regeneration never helps. */
  deaf?: boolean;
  /** Runs before each sampler step (tests abort from here). */
  beforeStep?: (step: number) => void;
}

export class ToneGenerator implements Generator {
  readonly id = 'tones';
  readonly capabilities: GeneratorCapabilities;
  readonly requests: GenerateRequest[] = [];

  constructor(private readonly opts: ToneGeneratorOptions = {}) {
    this.capabilities = {
      sampleRate: RATE,
      channels: 1,
      maxSeconds: 30,
      audioConditioning: true,
      audioToAudio: true,
      samplers: ['euler'],
      defaultSteps: 4,
      defaultCfgScale: 1,
      ...opts,
    };
  }

  async generate(req: GenerateRequest): Promise<DecodedAudio> {
    this.requests.push(req);
    const steps = req.steps ?? this.capabilities.defaultSteps;
    for (let s = 1; s <= steps; s++) {
      this.opts.beforeStep?.(s);
      if (req.signal?.aborted) throw new CuebankError('cancelled', 'Cancelled');
      await new Promise((r) => setImmediate(r));
      req.onStep?.(s, steps);
    }
    const n = Math.round(req.seconds * RATE);
    const out = new Float32Array(n);
    const plan = planOf(req.prompt, req.seconds);
    const rendered = plan.events.length > 1 ? plan.events.slice(0, -1) : plan.events;
    const amp = this.opts.amplitude?.(req.seed) ?? 0.5;
    for (const e of rendered) addAt(out, sine(toneOf(e.text), e.end - e.start, amp), Math.round(e.start * RATE));
    const noise = this.opts.noise?.(req.seed) ?? 0;
    if (noise > 0) {
      let x = req.seed + 1;
      for (let i = 0; i < n; i++) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        out[i] += noise * ((x / 0x7fffffff) * 2 - 1);
      }
    }
    if (!this.opts.deaf) {
      for (const ref of req.references ?? []) addAt(out, ref.audio.channels[0], Math.round(ref.start * RATE), ref.strength);
      if (req.init) {
        const keep = 1 - req.init.strength;
        addAt(out, req.init.audio.channels[0], 0, keep);
      }
    }
    return { sampleRate: RATE, channels: [out] };
  }

  async dispose(): Promise<void> {}
}

/** Goertzel power of one frequency over a span, relative to the span's total power. */
function toneShare(x: Float32Array, freq: number, rate: number): number {
  if (x.length === 0) return 0;
  const w = (2 * Math.PI * freq) / rate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const s = x[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
    total += x[i] * x[i];
  }
  const power = (s1 * s1 + s2 * s2 - coeff * s1 * s2) / ((x.length * x.length) / 2);
  return total > 0 ? Math.min(1, power / (total / x.length)) : 0;
}

export class ToneCritic implements Critic {
  readonly id = 'clap' as const;
  calls = 0;

  /** `weakOnCall.get(n)`: event ids the n-th critique (1-based) reports as weak whatever it hears. */
  constructor(private readonly weakOnCall = new Map<number, string[]>()) {}

  async critique(take: DecodedAudio, plan: EventPlan): Promise<Critique> {
    this.calls++;
    const x = take.channels[0];
    const events = plan.events.map((e) => {
      const span = x.subarray(Math.round(e.start * take.sampleRate), Math.round(e.end * take.sampleRate));
      // Presence: share of the span's power at the event's tone, times how loud the span is.
      let rms = 0;
      for (let i = 0; i < span.length; i++) rms += span[i] * span[i];
      rms = Math.sqrt(rms / Math.max(1, span.length));
      const forced = this.weakOnCall.get(this.calls)?.includes(e.id);
      const score = forced ? 0.3 : toneShare(span, toneOf(e.text), take.sampleRate) * Math.min(1, rms / 0.1);
      const verdict = score >= 0.5 ? ('present' as const) : score >= 0.2 ? ('weak' as const) : ('missing' as const);
      return { eventId: e.id, text: e.text, start: e.start, end: e.end, score, verdict, curve: { hop: e.end - e.start, window: e.end - e.start, values: [score] } };
    });
    return { critic: 'clap', events, score: events.reduce((s, e) => s + e.score, 0) / events.length };
  }
}

/** A library of one good and one wrong sound per tone word, written as WAV files. */
export function writeToneLibrary(dir: string): Map<string, { good: string; wrong: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const out = new Map<string, { good: string; wrong: string }>();
  for (const [word, freq] of Object.entries(TONES)) {
    const good = path.join(dir, `${word}.wav`);
    // Half a second of silence first: the reference window starts where the sound does.
    const audio = new Float32Array(Math.round(3.5 * 48_000));
    addAt(audio, sine(freq, 3, 0.3, 48_000), 24_000);
    writeWavFile(good, { sampleRate: 48_000, channels: [audio, audio] });
    const wrong = path.join(dir, `${word}-wrong.wav`);
    writeWavFile(wrong, { sampleRate: 48_000, channels: [sine(freq * 1.37, 3, 0.3, 48_000)] });
    out.set(word, { good, wrong });
  }
  return out;
}

/** Retrieval over the tone library: the right sound scores 0.9, a wrong one 0.4. */
export function toneRetriever(library: Map<string, { good: string; wrong: string }>, calls: string[][] = []): RetrieveFn {
  return async (flagged) => {
    calls.push(flagged.map((e) => e.eventId));
    const refs: Reference[] = [];
    for (const e of flagged) {
      const word = Object.keys(TONES).find((k) => e.text.includes(k))!;
      const files = library.get(word)!;
      refs.push({ eventId: e.eventId, eventText: e.text, fileId: 2, path: files.wrong, score: 0.4, start: 0, end: 3 });
      refs.push({ eventId: e.eventId, eventText: e.text, fileId: 1, path: files.good, score: 0.9, start: 0, end: 3.5 });
    }
    return refs;
  };
}

export interface FakeJob {
  ctx: JobContext;
  controller: AbortController;
  progress: JobProgress[];
  partials: unknown[];
}

export function fakeJob(): FakeJob {
  const controller = new AbortController();
  const progress: JobProgress[] = [];
  const partials: unknown[] = [];
  return {
    controller,
    progress,
    partials,
    ctx: { jobId: 'job', signal: controller.signal, progress: (p) => progress.push(p), partial: (d) => partials.push(d) },
  };
}

export function settingsOf(over: Partial<GenerateSettings> = {}): GenerateSettings {
  return {
    packId: 'tones',
    duration: 3,
    iterations: 3,
    candidates: 1,
    strategy: 'adapter',
    critic: 'clap',
    criticUrl: null,
    seed: 7,
    steps: null,
    cfg: null,
    referenceStrength: 1,
    initStrength: 0.5,
    layerLevelDb: 0,
    layerSource: 'reference',
    referencesPerEvent: 3,
    ...over,
  };
}

/** What each orchestrator test runs in: a workspace database, its loop store and a tone library, in a folder of its own. */
export interface LoopWorkspace {
  db: Db;
  store: LoopStore;
  library: ReturnType<typeof writeToneLibrary>;
  close(): void;
}

export function openLoopWorkspace(): LoopWorkspace {
  const tmp = tempDir();
  const db = openDatabase(path.join(tmp.dir, 'w.db'));
  return {
    db,
    store: new LoopStore(db, path.join(tmp.dir, 'data')),
    library: writeToneLibrary(path.join(tmp.dir, 'lib')),
    close() {
      db.close();
      tmp.cleanup();
    },
  };
}
