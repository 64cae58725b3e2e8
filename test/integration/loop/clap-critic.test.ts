/**
 * The CLAP event critic on synthesized takes with the fixture CLAP pack (words map to spectral
 * bands): it must find what plays, miss what does not, say where in time, and its calibration
 * must respond to content (a critic that returned constants would fail every test here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedAudio } from '../../../main/engine/audio/types';
import { resolveCriticSettings } from '../../../main/engine/config';
import { CuebankError } from '../../../main/engine/errors';
import { ClapCritic, createCritic, libraryReferenceVectors } from '../../../main/engine/loop/critics';
import { RuleBasedDecomposer } from '../../../main/engine/loop/decompose';
import type { Critique, EventPlan } from '../../../main/engine/loop/types';
import type { ConceptId } from '../../fixtures/semantics';
import { renderConcept } from '../../fixtures/sounds';
import { indexedFixtures, type IndexedFixtures } from './indexed-fixtures';

const RATE = 44_100;
const SECONDS = 10;
const decomposer = new RuleBasedDecomposer();
const planOf = (prompt: string) => decomposer.decompose(prompt, { duration: SECONDS });

/** A stereo take with concepts placed at [start, end) seconds (mixed where they overlap). */
function takeWith(parts: { concept: ConceptId; start: number; end: number; levelDb?: number }[]): DecodedAudio {
  const n = SECONDS * RATE;
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  parts.forEach((p, k) => {
    const x = renderConcept(p.concept, { sampleRate: RATE, seconds: p.end - p.start, seed: 17 + k, levelDb: p.levelDb ?? -20 });
    const at = Math.round(p.start * RATE);
    for (let i = 0; i < x.length && at + i < n; i++) {
      l[at + i] += x[i];
      r[at + i] += 0.8 * x[i];
    }
  });
  return { sampleRate: RATE, channels: [l, r] };
}

let fx: IndexedFixtures;
let critic: ClapCritic;
const byText = (c: Critique, text: string) => c.events.find((e) => e.text === text)!;

beforeAll(async () => {
  fx = await indexedFixtures();
  const settings = fx.config.critic;
  critic = new ClapCritic({
    embedder: fx.embedder,
    settings,
    libraryVectors: () => libraryReferenceVectors(fx.db, fx.spaces, fx.embedder.space, settings.clap.libraryWindows),
  });
});

afterAll(async () => {
  await fx?.close();
});

describe('CLAP event critic', () => {
  const plan = planOf('low rumble, then a high beep');
  const rumbleOnly = takeWith([{ concept: 'rumble', start: 0, end: 4 }]);
  const both = takeWith([
    { concept: 'rumble', start: 0, end: 4 },
    { concept: 'beep', start: 5, end: 7 },
  ]);

  it('uses a sample of the indexed library as references', () => {
    const v = libraryReferenceVectors(fx.db, fx.spaces, fx.embedder.space, 10);
    expect(v).toHaveLength(10);
    expect(v[0].length).toBe(fx.embedder.dim);
    expect(libraryReferenceVectors(fx.db, fx.spaces, fx.embedder.space, 10)).toEqual(v);
    expect(libraryReferenceVectors(fx.db, fx.spaces, 'no-such-space', 10)).toEqual([]);
  });

  it('one concept then silence: the concept is present, the absent one missing', async () => {
    expect(plan.events.map((e) => [e.text, e.start, e.end])).toEqual([
      ['low rumble', 0, 3],
      ['a high beep', 3, 10],
    ]);
    const c = await critic.critique(rumbleOnly, plan);
    expect(c.critic).toBe('clap');
    expect(byText(c, 'low rumble').verdict).toBe('present');
    expect(byText(c, 'low rumble').score).toBeGreaterThan(0.9);
    expect(byText(c, 'a high beep').verdict).toBe('missing');
    expect(byText(c, 'a high beep').score).toBeLessThan(0.1);
    expect(c.score).toBeCloseTo((byText(c, 'low rumble').score + byText(c, 'a high beep').score) / 2, 12);
  });

  it('the time curve rises where the concept plays and stays low elsewhere', async () => {
    const c = await critic.critique(both, plan);
    const rumble = byText(c, 'low rumble').curve;
    const beep = byText(c, 'a high beep').curve;
    expect(rumble.hop).toBe(0.5);
    expect(rumble.window).toBe(1);
    expect(rumble.values).toHaveLength(19);
    const at = (curve: typeof rumble, from: number, to: number) =>
      curve.values.filter((_, i) => i * curve.hop >= from && i * curve.hop + curve.window <= to);
    // Windows wholly inside the sound score high; windows wholly outside it score low.
    for (const v of at(rumble, 0, 4)) expect(v).toBeGreaterThan(0.9);
    for (const v of at(rumble, 4.5, 10)) expect(v).toBeLessThan(0.1);
    for (const v of at(beep, 5, 7)) expect(v).toBeGreaterThan(0.9);
    for (const v of [...at(beep, 0, 4.5), ...at(beep, 7.5, 10)]) expect(v).toBeLessThan(0.1);
    expect(at(beep, 5, 7)).toHaveLength(3);
  });

  it('verdicts flip and the score rises when the missing concept is added', async () => {
    const before = await critic.critique(rumbleOnly, plan);
    const after = await critic.critique(both, plan);
    expect(byText(before, 'a high beep').verdict).toBe('missing');
    expect(byText(after, 'a high beep').verdict).toBe('present');
    expect(after.score).toBeGreaterThan(before.score + 0.4);
    // The rumble did not change: neither does its verdict.
    expect(byText(after, 'low rumble').verdict).toBe('present');
  });

  it('two concepts at once: both present; an event that is not there is missing', async () => {
    const mix = takeWith([
      { concept: 'hiss', start: 0, end: 10, levelDb: -24 },
      { concept: 'hum', start: 0, end: 10, levelDb: -22 },
    ]);
    const hit = await critic.critique(mix, planOf('steam hiss while an engine drone'));
    expect(hit.events.map((e) => [e.text, e.start, e.end, e.verdict])).toEqual([
      ['steam hiss', 0, 10, 'present'],
      ['an engine drone', 0, 10, 'present'],
    ]);
    const miss = await critic.critique(mix, planOf('steam hiss while a kettle whistle'));
    expect(byText(miss, 'steam hiss').verdict).toBe('present');
    expect(byText(miss, 'a kettle whistle').verdict).toBe('missing');
    expect(miss.score).toBeLessThan(hit.score - 0.4);
  });

  it('an event heard outside its expected span is weaker than inside it', async () => {
    const early = takeWith([{ concept: 'beep', start: 0.5, end: 2 }]);
    const plan2: EventPlan = { prompt: 'x', duration: SECONDS, events: [{ id: 'e0', text: 'a high beep', start: 6, end: 10, relation: 'start', count: 1 }] };
    const inSpan: EventPlan = { ...plan2, events: [{ ...plan2.events[0], start: 0, end: 4 }] };
    const off = await critic.critique(early, plan2);
    const on = await critic.critique(early, inSpan);
    expect(on.events[0].verdict).toBe('present');
    expect(off.events[0].verdict).toBe('missing');
    // The curve shows the beep where it plays either way: only the span moved.
    for (const c of [on, off]) {
      const v = c.events[0].curve.values;
      expect(v.slice(1, 3).every((x) => x > 0.9)).toBe(true);
      expect(v.slice(5).every((x) => x < 0.1)).toBe(true);
    }
  });

  it('works without library references (synthetic references and the take itself), with the same verdicts', async () => {
    const bare = new ClapCritic({ embedder: fx.embedder, settings: resolveCriticSettings() });
    const c = await bare.critique(takeWith([{ concept: 'whistle', start: 0, end: 3 }]), planOf('a kettle whistle, then a whoosh'));
    expect(c.events.map((e) => e.verdict)).toEqual(['present', 'missing']);
  });

  it('silence holds no event', async () => {
    const silent: DecodedAudio = { sampleRate: RATE, channels: [new Float32Array(SECONDS * RATE)] };
    const c = await critic.critique(silent, planOf('steam hiss, then a high beep'));
    expect(c.events.map((e) => e.verdict)).toEqual(['missing', 'missing']);
    for (const e of c.events) for (const v of e.curve.values) expect(v).toBeLessThan(0.05);
  });

  it('stricter thresholds demote an event: the verdict comes from the settings, not a constant', async () => {
    const strict = new ClapCritic({ embedder: fx.embedder, settings: resolveCriticSettings({ clap: { presentZ: 1000, weakZ: 999 } }) });
    const c = await strict.critique(both, plan);
    expect(c.events.map((e) => e.verdict)).toEqual(['missing', 'missing']);
  });

  it('stops when cancelled, and needs a CLAP pack', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(critic.critique(both, plan, ac.signal)).rejects.toMatchObject({ code: 'cancelled' });
    expect(() => createCritic({ id: 'clap', settings: resolveCriticSettings(), embedder: null, noEmbedderNote: 'Put one in models/.' })).toThrow(
      CuebankError,
    );
  });

  it('for a loop, reads the library sample once and judges every take against it as the plain critic does', async () => {
    let reads = 0;
    const sample = () => {
      reads++;
      return libraryReferenceVectors(fx.db, fx.spaces, fx.embedder.space, fx.config.critic.clap.libraryWindows);
    };
    const counted = new ClapCritic({ embedder: fx.embedder, settings: fx.config.critic, libraryVectors: sample });
    expect(sample().length).toBeGreaterThan(0); // the fixture library gives the critic references
    reads = 0;
    const loop = counted.forLoop();
    const first = await loop.critique(rumbleOnly, plan);
    const second = await loop.critique(both, plan);
    expect(reads).toBe(1);
    expect(first).toEqual(await critic.critique(rumbleOnly, plan));
    expect(second).toEqual(await critic.critique(both, plan));
    // Outside a loop the sample is read for every take (the library may have changed between).
    await counted.critique(both, plan);
    await counted.critique(both, plan);
    expect(reads).toBe(3);
  });
});
