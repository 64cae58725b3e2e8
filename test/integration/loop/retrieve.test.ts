/**
 * Retrieval of library references for flagged events on the indexed fixture library (fixture CLAP:
 * words map to spectral bands, file names never name the concept): the right sounds come first,
 * duration and sample rate re-rank near-equals, files are not proposed twice, and every reference
 * says where in its file it matched.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchHit } from '../../../preload/contract/search';
import type { RetrieveSettings } from '../../../main/engine/config';
import { createRetriever, expectedSeconds, fitScore, retrieveReferences } from '../../../main/engine/loop/retrieve';
import type { EventCritique, EventPlan, SoundEvent } from '../../../main/engine/loop/types';
import type { ConceptId } from '../../fixtures/semantics';
import { indexedFixtures, type IndexedFixtures } from './indexed-fixtures';

let fx: IndexedFixtures;
const take = { sampleRate: 48_000, channels: [new Float32Array(48_000 * 10)] };

beforeAll(async () => {
  fx = await indexedFixtures();
});
afterAll(async () => {
  await fx?.close();
});

const rel = (p: string) => path.relative(fx.fx.libraryDir, p).split(path.sep).join('/');
const conceptsOf = (p: string) => fx.fx.library.find((e) => e.file === rel(p))!.concepts;
const entry = (p: string) => fx.fx.library.find((e) => e.file === rel(p))!;

function flagged(plan: EventPlan): EventCritique[] {
  return plan.events.map((e) => ({
    eventId: e.id,
    text: e.text,
    start: e.start,
    end: e.end,
    score: 0,
    verdict: 'missing',
    curve: { hop: 0.5, window: 1, values: [] },
  }));
}

const planOf = (events: [string, number, number, ('start' | 'sequence' | 'overlap')?][]): EventPlan => ({
  prompt: events.map((e) => e[0]).join(', then '),
  duration: 10,
  events: events.map(([text, start, end, relation], i) => ({ id: `e${i}`, text, start, end, relation: relation ?? (i ? 'sequence' : 'start'), count: 1 })),
});

describe('retrieval for flagged events', () => {
  it('"low rumble": the first reference is a rumble file, and every reference of each event holds its concept', async () => {
    const plan = planOf([
      ['low rumble', 0, 3],
      ['kettle whistle', 3, 5],
      ['high beep', 5, 10],
    ]);
    const refs = await retrieveReferences({ search: fx.searchDeps, settings: fx.config.retrieve }, flagged(plan), { plan, take, perEvent: 3 });
    const of = (id: string) => refs.filter((r) => r.eventId === id);
    const expected: Record<string, ConceptId> = { e0: 'rumble', e1: 'whistle', e2: 'beep' };
    for (const [id, concept] of Object.entries(expected)) {
      const list = of(id);
      expect(list).toHaveLength(3);
      expect(conceptsOf(list[0].path)[0]).toBe(concept);
      for (const r of list) expect(conceptsOf(r.path)).toContain(concept);
      // Best first, and explainable: a score and the matching window inside the file.
      for (let i = 1; i < list.length; i++) expect(list[i].score).toBeLessThanOrEqual(list[i - 1].score);
      for (const r of list) {
        expect(r.eventText).toBe(plan.events.find((e) => e.id === id)!.text);
        expect(r.fileId).toBeGreaterThan(0);
        expect(r.start).toBeGreaterThanOrEqual(0);
        expect(r.end).toBeGreaterThan(r.start);
        expect(r.end).toBeLessThanOrEqual(entry(r.path).seconds + 1e-6);
        expect(r.score).toBeGreaterThan(0.5);
      }
    }
  });

  it('points at the window of a long file where the sound is', async () => {
    // The beep sounds only at 12–14 s of a 25 s rumble file; ask for enough beeps to reach it.
    const plan = planOf([['high beep', 0, 10]]);
    const refs = await retrieveReferences({ search: fx.searchDeps, settings: fx.config.retrieve }, flagged(plan), { plan, take, perEvent: 10 });
    const long = refs.find((r) => entry(r.path).seconds === 25)!;
    expect(long).toBeDefined();
    expect(long.start).toBeLessThanOrEqual(12);
    expect(long.end).toBeGreaterThanOrEqual(14);
    expect(long.start).toBeGreaterThan(0);
  });

  it('proposes a file for one event only, unless nothing else matches', async () => {
    // "steam hiss" and "bright hiss" want the same files: they are shared out, not repeated.
    const plan = planOf([
      ['steam hiss', 0, 3],
      ['bright hiss', 3, 10],
    ]);
    const refs = await retrieveReferences({ search: fx.searchDeps, settings: fx.config.retrieve }, flagged(plan), { plan, take, perEvent: 2 });
    const paths = refs.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const r of refs) expect(conceptsOf(r.path)).toContain('hiss');
    expect(refs.filter((r) => r.eventId === 'e0')).toHaveLength(2);
    expect(refs.filter((r) => r.eventId === 'e1')).toHaveLength(2);

    // The same event twice: the second cannot get other files than the first, so it shares them.
    const twice = planOf([
      ['low rumble', 0, 3],
      ['low rumble', 3, 10],
    ]);
    const again = await retrieveReferences({ search: fx.searchDeps, settings: fx.config.retrieve }, flagged(twice), {
      plan: twice,
      take,
      perEvent: 40,
    });
    expect(again.filter((r) => r.eventId === 'e1').length).toBeGreaterThan(0);
  });

  it('the expected length of an event: its typical length, or its whole span for a bed', () => {
    const plan = planOf([
      ['a door slams', 0, 8],
      ['rain', 0, 10, 'overlap'],
      ['three knocks', 8, 10],
    ]);
    (plan.events as SoundEvent[])[2] = { ...plan.events[2], count: 3 };
    const ev = flagged(plan);
    expect(expectedSeconds(plan, ev[0])).toBe(1);
    expect(expectedSeconds(plan, ev[1])).toBe(10);
    expect(expectedSeconds(plan, ev[2])).toBeCloseTo(1.7, 9);
  });

  const hit = (over: Partial<SearchHit>): SearchHit => ({
    fileId: 1,
    path: '/x.wav',
    name: 'x.wav',
    folder: '/',
    score: 0.8,
    start: 0,
    end: 1,
    duration: 1,
    sampleRate: 48_000,
    channels: 1,
    bitsPerSample: 16,
    codec: 'pcm',
    parts: { audio: null, text: 0.8, keyword: null },
    ...over,
  });
  const s: RetrieveSettings = { candidatesPerEvent: 30, durationWeight: 0.05, rateWeight: 0.05 };

  it('a sound of about the expected length and at least the take\'s rate keeps its score; misfits lose a little', () => {
    expect(fitScore(hit({}), 1, 48_000, s)).toBe(0.8);
    expect(fitScore(hit({ duration: 1.9, end: 1.9 }), 1, 48_000, s)).toBe(0.8); // within a factor of 2
    expect(fitScore(hit({ duration: 40, end: 10 }), 1, 48_000, s)).toBeCloseTo(0.8 - 0.05 * (Math.log(40) - Math.LN2), 12);
    expect(fitScore(hit({ duration: 0.1, end: 0.1 }), 10, 48_000, s)).toBeCloseTo(0.8 - 0.05 * (Math.log(100) - Math.LN2), 12);
    expect(fitScore(hit({ sampleRate: 24_000 }), 1, 48_000, s)).toBeCloseTo(0.75, 12);
    expect(fitScore(hit({ sampleRate: 96_000 }), 1, 48_000, s)).toBe(0.8);
    // Available sound counts from the matching window to the end of the file.
    expect(fitScore(hit({ duration: 12, start: 10, end: 12 }), 2, 48_000, s)).toBe(0.8);
  });

  it('re-ranks the library: for a 48 kHz take the 96 kHz rumble beats the 22 kHz one when rate matters most', async () => {
    const plan = planOf([['deep earthquake rumble', 0, 2]]);
    const strictRate = { ...fx.config.retrieve, rateWeight: 1 };
    const refs = await retrieveReferences({ search: fx.searchDeps, settings: strictRate }, flagged(plan), { plan, take, perEvent: 3 });
    for (const r of refs) expect(entry(r.path).sampleRate).toBeGreaterThanOrEqual(32_000);
    const loose = await retrieveReferences({ search: fx.searchDeps, settings: { ...strictRate, rateWeight: 0 } }, flagged(plan), {
      plan,
      take,
      perEvent: 3,
    });
    expect(loose.some((r) => entry(r.path).sampleRate < 32_000)).toBe(true);
  });

  it('the loop\'s retriever has the RetrieveFn shape and stops when cancelled', async () => {
    const retrieve = createRetriever(fx.searchDeps, fx.config.retrieve);
    const plan = planOf([['whoosh', 0, 10]]);
    const refs = await retrieve(flagged(plan), { plan, take, perEvent: 1, signal: new AbortController().signal });
    expect(refs).toHaveLength(1);
    expect(conceptsOf(refs[0].path)).toContain('whoosh');
    const ac = new AbortController();
    ac.abort();
    await expect(retrieve(flagged(plan), { plan, take, perEvent: 1, signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });
});
