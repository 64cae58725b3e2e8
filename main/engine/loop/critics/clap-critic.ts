/**
 * The CLAP event critic: slides windows over the take, scores each window against each event's
 * text, and calibrates every score against what the same text scores on sounds that do not hold
 * the event (calibration.ts): a fixed bank of synthetic sounds (reference-sounds.ts) and the take's
 * own windows away from the event, less every one of them the model itself describes as the event
 * (contrast-bank.ts). Every score is the cosine to the event's text less the sound's typical cosine
 * to other descriptions of sounds. Where the plan expects other events in a window, the window is
 * also judged with them explained away (explain-away.ts). Nothing from the user's library takes part, so a verdict on a take cannot
 * change when unrelated files are added to it. Gives a presence curve over the whole take per
 * event; the event's presence comes from the windows inside its expected span.
 */
import type { DecodedAudio } from '../../audio/types';
import type { CriticSettings } from '../../config';
import { CuebankError } from '../../errors';
import type { Embedder } from '../../models/types';
import { isAmbient, typicalSeconds } from '../decompose-lexicon';
import type { Critic, Critique, EventCritique, EventPlan, SoundEvent } from '../types';
import { chanceStats, overallScore, presenceOfZ, verdictOfZ, zScore } from './calibration';
import { bankSimilarities, EventContrast, ucsContrastTexts } from './contrast-bank';
import { OtherEventsProjection, otherEventDirections, type EventReading } from './explain-away';
import { referenceSounds } from './reference-sounds';
import { curveGrid, cutTake, takeSeconds, windowsInSpan, type CurveGrid } from './take-windows';

export interface ClapCriticDeps {
  embedder: Embedder;
  settings: CriticSettings;
  /** The contrast bank's texts (contrast-bank.ts); the UCS subcategories unless given. */
  contrastTexts?: () => Promise<readonly string[]>;
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
  private contrast: Promise<Float32Array[]> | null = null;
  private syntheticBank: Float32Array[] | null = null;
  private readonly textCache = new Map<string, Float32Array>();

  constructor(private readonly deps: ClapCriticDeps) {}

  async critique(take: DecodedAudio, plan: EventPlan, signal?: AbortSignal): Promise<Critique> {
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
    const syntheticVectors = await this.syntheticReferences(window);
    const bank = await this.contrastBank();
    const texts = await this.textVectors(plan.events.map((e) => e.text));
    const windowBank = windows.map((w) => bankSimilarities(w, bank));
    const syntheticBank = await this.syntheticBankSimilarities(window);

    const synthetic = syntheticVectors.map((v, i) => ({ v, sims: syntheticBank[i] }));
    // How the model reads each plan event: its text, its contrast bank, and how few of those texts
    // may describe a sound better for the sound to be the event.
    const readings: EventReading[] = texts.map((text) => {
      const contrast = new EventContrast(text, bank, c.contrastMaxSimilarity);
      return { text, contrast, rank: Math.max(1, Math.ceil(c.describedRank * contrast.kept.length)) };
    });

    const events: EventCritique[] = plan.events.map((event, k) => {
      const reading = readings[k];
      const { text, contrast, rank } = reading;
      // A sound's score for the event: its cosine to the event's text less its cosine to a typical
      // other description of sounds, where positive (EventContrast.score).
      const score = (v: Float32Array, sims: Float32Array) => contrast.score(dot(v, text), sims);
      // References: the synthetic bank, and the take's own audible windows well away from the
      // event's span (one window of slack for loose timing): the same recording, where this event
      // is not expected. None may hold the event: drop those the model describes as it (brown
      // noise is a rumble; a misplaced event sounds outside its span).
      const margin = grid.window;
      const candidates = [
        ...synthetic,
        ...windows
          .map((v, i) => ({ v, sims: windowBank[i], i }))
          .filter(({ i }) => audible[i] && (i * grid.hop >= event.end + margin || i * grid.hop + grid.window <= event.start - margin)),
      ];
      // A sound as judged with some other events removed (explain-away.ts): its remainder and the
      // remainder's cosines to the contrast bank, or null when the others explain it all.
      const remainder = (proj: OtherEventsProjection, v: Float32Array, sims: Float32Array) => {
        if (proj.empty) return { v, sims };
        const r = proj.apply(v);
        return r ? { v: r, sims: bankSimilarities(r, bank) } : null;
      };
      // Chance for the event given the other plan events expected in a window: the references under
      // the same projection, less those the model then describes as the event.
      const chanceGiven = (proj: OtherEventsProjection) => {
        const seen = candidates.flatMap((r) => remainder(proj, r.v, r.sims) ?? []);
        const chance = seen.filter((r) => !contrast.describesAs(dot(r.v, text), r.sims, rank));
        return chanceStats((chance.length ? chance : seen).map((r) => score(r.v, r.sims)), c.minSpread, c.nearestReferences);
      };
      // The other events each window is expected to hold: those whose spans meet it, unless their
      // text describes this event too (two rumbles are not explained away by each other). Each is
      // removed along its text and the reference sounds the model hears as it.
      const others = plan.events
        .map((o, j) => ({ o, j }))
        .filter(({ j }) => c.explainOthers && j !== k && dot(texts[j], text) < c.contrastMaxSimilarity)
        .map(({ o, j }) => ({ o, j, directions: otherEventDirections(readings[j], reading, synthetic, c.otherExemplars) }));
      const byKey = new Map<string, { proj: OtherEventsProjection; ref: ReturnType<typeof chanceStats> }>();
      const givenOthers = (meet: typeof others) => {
        const key = meet.map((m) => m.j).join(',');
        let g = byKey.get(key);
        if (!g) {
          const proj = new OtherEventsProjection(
            meet.flatMap((m) => m.directions),
            c.minUnexplained,
          );
          g = { proj, ref: chanceGiven(proj) };
          byKey.set(key, g);
        }
        return g;
      };
      const alone = givenOthers([]);
      const given = (i: number) => {
        const from = i * grid.hop;
        return givenOthers(others.filter(({ o }) => o.start < from + grid.window && o.end > from));
      };
      // A window's z is the better of two readings: as it is, and with the other expected events
      // removed (the event may be the only thing sounding, or one of several). A window the others
      // explain almost entirely holds nothing else; a window too quiet to hear holds no event,
      // whatever the model makes of its noise floor.
      const z = windows.map((w, i) => {
        const asIs = zScore(score(w, windowBank[i]), alone.ref);
        const { proj, ref } = given(i);
        if (proj.empty) return audible[i] ? asIs : Math.min(0, asIs);
        const r = remainder(proj, w, windowBank[i]);
        if (!r) return Math.min(0, zScore(0, ref)); // nothing left: cosine 0 against the chance given the others
        const zi = Math.max(asIs, zScore(score(r.v, r.sims), ref));
        return audible[i] ? zi : Math.min(0, zi);
      });
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

  /** Embedded once per critic, like the reference sounds. */
  private contrastBank(): Promise<Float32Array[]> {
    this.contrast ??= Promise.resolve((this.deps.contrastTexts ?? ucsContrastTexts)())
      .then((t) => this.deps.embedder.embedText([...t]))
      .catch((err) => {
        this.contrast = null;
        throw err;
      });
    return this.contrast;
  }

  /** The synthetic references' cosines to the contrast bank, once per critic. */
  private async syntheticBankSimilarities(window: number): Promise<Float32Array[]> {
    const [refs, bank] = await Promise.all([this.syntheticReferences(window), this.contrastBank()]);
    this.syntheticBank ??= refs.map((r) => bankSimilarities(r, bank));
    return this.syntheticBank;
  }

  /** Embedded once per critic: the same sounds at the same window length every take. */
  private syntheticReferences(window: number): Promise<Float32Array[]> {
    const { embedder } = this.deps;
    this.synthetic ??= embedder
      .embedAudio(referenceSounds(embedder.sampleRate, window, embedder.maxFrequency).map((r) => r.samples))
      .catch((err) => {
        this.synthetic = null;
        throw err;
      });
    return this.synthetic;
  }
}
