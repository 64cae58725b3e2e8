/**
 * Takes of known content for measuring critics (bench:critic): every fixture concept alone; two and
 * three concepts in sequence, in overlap and over a bed; the named event from −12 to +6 dB relative
 * to the rest; and takes where a named concept is absent. Each take comes with its plan (event texts
 * and exact spans: the critic is measured, not the decomposer) and, per event, whether it sounds.
 */
import type { DecodedAudio } from '../../main/engine/audio/types';
import type { EventPlan, SoundEvent } from '../../main/engine/loop/types';
import { CONCEPTS, type ConceptId } from '../fixtures/semantics';
import { renderConcept } from '../fixtures/sounds';

export type Arrangement = 'alone' | 'sequence' | 'overlap' | 'bed';

export interface KnownTake {
  name: string;
  arrangement: Arrangement;
  take: DecodedAudio;
  plan: EventPlan;
  /** Per plan event (same order): its concept and whether it sounds in the take. */
  truth: { concept: ConceptId; present: boolean }[];
}

const IDS = CONCEPTS.map((c) => c.id);
/** Level of every concept that is not the measured one, dBFS RMS. */
const BASE_DB = -20;
export const RELATIVE_LEVELS_DB = [-12, -6, 0, 6] as const;

interface Part {
  concept: ConceptId;
  start: number;
  end: number;
  levelDb: number;
}

function mix(parts: Part[], seconds: number, rate: number, seed: number): DecodedAudio {
  const n = Math.round(seconds * rate);
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  parts.forEach((p, k) => {
    const x = renderConcept(p.concept, { sampleRate: rate, seconds: p.end - p.start, levelDb: p.levelDb, seed: seed * 31 + k });
    const at = Math.round(p.start * rate);
    for (let i = 0; i < x.length && at + i < n; i++) {
      l[at + i] += x[i];
      r[at + i] += 0.8 * x[i];
    }
  });
  return { sampleRate: rate, channels: [l, r] };
}

/** The event texts of a concept, used in turn so every description gets judged. */
const textOf = (c: ConceptId, k: number) => {
  const d = CONCEPTS.find((x) => x.id === c)!.descriptions;
  return d[((k % d.length) + d.length) % d.length];
};

function plan(events: { concept: ConceptId; start: number; end: number; relation: SoundEvent['relation'] }[], seconds: number, k: number): EventPlan {
  const texts = events.map((e, i) => textOf(e.concept, k + i));
  return {
    prompt: texts.join(', '),
    duration: seconds,
    events: events.map((e, i) => ({ id: `e${i}`, text: texts[i], start: e.start, end: e.end, relation: e.relation, count: 1 })),
  };
}

/**
 * The render set. `rate` is the take's sample rate (a generator's, not the critic's). Concept
 * orders rotate so every concept is first, middle and last, loud and quiet, beside every other.
 */
export function knownTakes(rate = 44_100): KnownTake[] {
  const out: KnownTake[] = [];
  let seed = 1;
  const add = (name: string, arrangement: Arrangement, parts: Part[], p: EventPlan, truth: KnownTake['truth'], seconds: number) =>
    out.push({ name, arrangement, take: mix(parts, seconds, rate, seed++), plan: p, truth });

  // Each concept alone, at every level (relative to BASE_DB).
  for (const c of IDS) {
    for (const rel of RELATIVE_LEVELS_DB) {
      const s = 4;
      add(`${c} alone ${rel} dB`, 'alone', [{ concept: c, start: 0, end: s, levelDb: BASE_DB + rel }], plan([{ concept: c, start: 0, end: s, relation: 'start' }], s, rel + 12), [{ concept: c, present: true }], s);
    }
  }

  IDS.forEach((a, i) => {
    const b = IDS[(i + 1) % IDS.length];
    const c = IDS[(i + 3) % IDS.length];
    const absent = IDS[(i + 2) % IDS.length];
    for (const rel of RELATIVE_LEVELS_DB) {
      const k = i + rel;
      // Two in sequence: the measured one (a) at rel; then absent named last.
      {
        const s = 6;
        add(`${a} then ${b}, ${rel} dB`, 'sequence', [
          { concept: a, start: 0, end: 3, levelDb: BASE_DB + rel },
          { concept: b, start: 3, end: 6, levelDb: BASE_DB },
        ], plan([
          { concept: a, start: 0, end: 3, relation: 'start' },
          { concept: b, start: 3, end: 6, relation: 'start' },
        ], s, k), [{ concept: a, present: true }, { concept: b, present: true }], s);
      }
      // Three in sequence, the measured one in the middle.
      {
        const s = 9;
        add(`${b} then ${a} then ${c}, ${rel} dB`, 'sequence', [
          { concept: b, start: 0, end: 3, levelDb: BASE_DB },
          { concept: a, start: 3, end: 6, levelDb: BASE_DB + rel },
          { concept: c, start: 6, end: 9, levelDb: BASE_DB },
        ], plan([
          { concept: b, start: 0, end: 3, relation: 'start' },
          { concept: a, start: 3, end: 6, relation: 'start' },
          { concept: c, start: 6, end: 9, relation: 'start' },
        ], s, k), [{ concept: b, present: true }, { concept: a, present: true }, { concept: c, present: true }], s);
      }
      // Two at once, the whole take.
      {
        const s = 5;
        add(`${b} with ${a}, ${rel} dB`, 'overlap', [
          { concept: b, start: 0, end: s, levelDb: BASE_DB },
          { concept: a, start: 0, end: s, levelDb: BASE_DB + rel },
        ], plan([
          { concept: b, start: 0, end: s, relation: 'start' },
          { concept: a, start: 0, end: s, relation: 'overlap' },
        ], s, k), [{ concept: b, present: true }, { concept: a, present: true }], s);
      }
      // Three at once.
      {
        const s = 5;
        add(`${b} with ${c} and ${a}, ${rel} dB`, 'overlap', [
          { concept: b, start: 0, end: s, levelDb: BASE_DB },
          { concept: c, start: 0, end: s, levelDb: BASE_DB },
          { concept: a, start: 0, end: s, levelDb: BASE_DB + rel },
        ], plan([
          { concept: b, start: 0, end: s, relation: 'start' },
          { concept: c, start: 0, end: s, relation: 'overlap' },
          { concept: a, start: 0, end: s, relation: 'overlap' },
        ], s, k), [{ concept: b, present: true }, { concept: c, present: true }, { concept: a, present: true }], s);
      }
      // Two in sequence over a bed: the measured one is the bed, at rel.
      {
        const s = 6;
        add(`${b} then ${c} over ${a}, ${rel} dB`, 'bed', [
          { concept: a, start: 0, end: s, levelDb: BASE_DB + rel },
          { concept: b, start: 0, end: 3, levelDb: BASE_DB },
          { concept: c, start: 3, end: 6, levelDb: BASE_DB },
        ], plan([
          { concept: b, start: 0, end: 3, relation: 'start' },
          { concept: c, start: 3, end: 6, relation: 'start' },
          { concept: a, start: 0, end: s, relation: 'overlap' },
        ], s, k), [{ concept: b, present: true }, { concept: c, present: true }, { concept: a, present: true }], s);
      }
      // Absent: a plays (at rel); the plan also names `absent`, which never sounds.
      {
        const s = 6;
        add(`${a} then (no ${absent}), ${rel} dB`, 'sequence', [{ concept: a, start: 0, end: 3, levelDb: BASE_DB + rel }], plan([
          { concept: a, start: 0, end: 3, relation: 'start' },
          { concept: absent, start: 3, end: 6, relation: 'start' },
        ], s, k), [{ concept: a, present: true }, { concept: absent, present: false }], s);
        add(`${a} with (no ${absent}), ${rel} dB`, 'overlap', [{ concept: a, start: 0, end: s, levelDb: BASE_DB + rel }], plan([
          { concept: a, start: 0, end: s, relation: 'start' },
          { concept: absent, start: 0, end: s, relation: 'overlap' },
        ], s, k + 1), [{ concept: a, present: true }, { concept: absent, present: false }], s);
      }
    }
  });
  // Every concept absent from a take of each other concept alone: the false-alarm matrix.
  for (const x of IDS) {
    for (const y of IDS) {
      if (x === y) continue;
      const s = 4;
      add(`${y} alone (no ${x})`, 'alone', [{ concept: y, start: 0, end: s, levelDb: BASE_DB }], plan([{ concept: x, start: 0, end: s, relation: 'start' }], s, IDS.indexOf(y)), [{ concept: x, present: false }], s);
    }
  }
  // Every concept absent from a take holding every other concept, in sequence: the hardest false alarm.
  IDS.forEach((x, i) => {
    const others = IDS.filter((c) => c !== x);
    const s = 2 * others.length;
    const parts = others.map((c, j) => ({ concept: c, start: 2 * j, end: 2 * j + 2, levelDb: BASE_DB }));
    add(`everything but ${x}`, 'sequence', parts, plan([{ concept: x, start: 0, end: s, relation: 'overlap' }], s, i), [{ concept: x, present: false }], s);
  });
  return out;
}
