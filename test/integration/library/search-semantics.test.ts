import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchHit } from '../../../preload/contract/search';
import { createEngine, type Engine } from '../../../main/engine';
import { writeWavFile } from '../../../main/engine/audio';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { CONCEPTS, type ConceptId } from '../../fixtures/semantics';
import { renderConcept } from '../../fixtures/sounds';
import { tempDir } from '../../helpers/tmp';

/**
 * Search semantics on the fixture CLAP pack, whose words map to spectral bands: these tests fail
 * if the model, the windowing, the vector store or the ranking is wrong.
 */
describe('search on the fixture library', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let engine: Engine;
  let conceptOf: Map<string, ConceptId[]>;
  const rel = (p: string) => path.relative(fx.libraryDir, p).split(path.sep).join('/');

  beforeAll(async () => {
    tmp = tempDir();
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    conceptOf = new Map(fx.library.map((e) => [e.file, e.concepts]));
    engine = await createEngine({ dbPath: path.join(tmp.dir, 'lib.db'), modelsDir: fx.modelsDir });
    const { jobId } = await engine.call('library.index', { folders: [fx.libraryDir] });
    const job = await engine.waitForJob(jobId);
    expect(job.state).toBe('done');
  });

  afterAll(async () => {
    await engine?.close();
    tmp?.cleanup();
  });

  const single = (c: ConceptId) => fx.library.filter((e) => e.concepts.length === 1 && e.concepts[0] === c).map((e) => e.file);
  const holding = (c: ConceptId) => fx.library.filter((e) => e.concepts.includes(c)).map((e) => e.file);
  const search = async (q: Parameters<Engine['call']>[1] & object) =>
    (await engine.call('search.query', { limit: 100, ...q })).results as SearchHit[];

  it('indexes every fixture sound with its windows', async () => {
    const stats = await engine.call('library.stats', {});
    expect(stats.files).toBe(fx.library.length);
    expect(stats.failed).toBe(0);
    expect(stats.embedded).toBe(fx.library.length);
    // Back-to-back 10 s windows plus one end-aligned window for a tail: 25 s -> 3, 11 s -> 2.
    const expected = fx.library.reduce((n, e) => n + (e.seconds <= 10 ? 1 : Math.floor(e.seconds / 10) + (e.seconds % 10 > 0.1 ? 1 : 0)), 0);
    expect(expected).toBeGreaterThan(fx.library.length + 3);
    expect(stats.windows).toBe(expected);
  });

  for (const concept of CONCEPTS) {
    it(`text "${concept.descriptions[0]}" ranks the sounds holding a ${concept.id} above every other sound`, async () => {
      const results = await search({ text: concept.descriptions[0] });
      const expected = holding(concept.id);
      const top = results.slice(0, expected.length).map((r) => rel(r.path));
      expect(new Set(top)).toEqual(new Set(expected));
      expect(results[0].parts.text).not.toBeNull();
    });
  }

  it('"low rumble" finds the rumble files, not the beeps', async () => {
    const results = await search({ text: 'low rumble' });
    const beeps = new Set(single('beep'));
    const firstBeep = results.findIndex((r) => beeps.has(rel(r.path)));
    const rumbles = results.filter((r) => conceptOf.get(rel(r.path))?.[0] === 'rumble');
    expect(conceptOf.get(rel(results[0].path))).toContain('rumble');
    expect(rumbles.length).toBeGreaterThanOrEqual(4);
    for (const r of rumbles.slice(0, 4)) expect(results.indexOf(r)).toBeLessThan(firstBeep);
  });

  it('points a hit at the window where the sound happens', async () => {
    const results = await search({ text: 'high beep' });
    const long = results.find((r) => rel(r.path) === fx.library.find((e) => e.events.length === 2 && e.concepts.includes('beep'))!.file)!;
    const beep = fx.library.find((e) => e.file === rel(long.path))!.events.find((e) => e.concept === 'beep')!;
    expect(long.start).toBeLessThanOrEqual(beep.start);
    expect(long.end).toBeGreaterThanOrEqual(beep.end);
    expect(long.end - long.start).toBeCloseTo(10, 5);
    expect(long.start).toBeGreaterThan(0);
  });

  it('searches by example sound: an unindexed recording of a concept finds that concept', async () => {
    for (const concept of ['hum', 'hiss', 'whistle'] as ConceptId[]) {
      const file = path.join(tmp.dir, `example-${concept}.wav`);
      writeWavFile(file, { sampleRate: 44_100, channels: [renderConcept(concept, { sampleRate: 44_100, seconds: 1.3, detune: 1.01, seed: 99 })] });
      const results = await search({ audioPath: file });
      const expected = holding(concept);
      expect(new Set(results.slice(0, expected.length).map((r) => rel(r.path)))).toEqual(new Set(expected));
      expect(results[0].parts.audio).toBeGreaterThan(0.9);
      expect(results[0].parts.text).toBeNull();
    }
  });

  it('"more like this" on an indexed file reuses its vectors and leaves it out of its own results', async () => {
    const hum = single('hum')[0];
    const results = await search({ audioPath: path.join(fx.libraryDir, hum) });
    expect(results.map((r) => rel(r.path))).not.toContain(hum);
    expect(conceptOf.get(rel(results[0].path))).toEqual(['hum']);
  });

  it('pair-to-pair: W = 1 is exactly the audio ranking and W = 0 exactly the text ranking', async () => {
    const audioPath = path.join(fx.libraryDir, single('whoosh')[0]);
    const text = 'steam hiss';
    const key = (rs: SearchHit[]) => rs.map((r) => [r.path, r.score]);
    const audioOnly = await search({ audioPath });
    const textOnly = await search({ text });
    expect(key(await search({ audioPath, text, weight: 1 }))).toEqual(key(audioOnly));
    expect(key(await search({ audioPath, text, weight: 0 }))).toEqual(key(textOnly.filter((r) => r.path !== audioPath)));
    expect(key(audioOnly)).not.toEqual(key(textOnly));
  });

  it('pair-to-pair blends the two: S = W·S_audio + (1−W)·S_text for every hit', async () => {
    const audioPath = path.join(fx.libraryDir, single('rumble')[0]);
    const results = await search({ audioPath, text: 'steam hiss', weight: 0.5 });
    for (const r of results) {
      const textPart = r.parts.text! + 0.1 * (r.parts.keyword ?? 0);
      expect(r.score).toBeCloseTo(0.5 * r.parts.audio! + 0.5 * textPart, 6);
    }
    // The one file holding both a hiss and a rumble beats files with only one of them.
    const both = fx.library.find((e) => e.concepts.includes('hiss') && e.concepts.includes('rumble') && e.events.length === 2 && e.concepts.length === 2 && !e.concepts.includes('beep'))!;
    expect(rel(results[0].path)).toBe(both.file);
  });

  it('applies filters inside the one ranking', async () => {
    const all = await search({ text: 'low rumble' });
    const mono48 = await search({ text: 'low rumble', filters: { sampleRates: [48_000], channels: [1] } });
    expect(mono48.length).toBeGreaterThan(0);
    for (const r of mono48) expect([r.sampleRate, r.channels]).toEqual([48_000, 1]);
    expect(mono48.map((r) => r.path)).toEqual(all.filter((r) => r.sampleRate === 48_000 && r.channels === 1).map((r) => r.path));
    const short = await search({ text: 'hum', filters: { maxDuration: 2 } });
    for (const r of short) expect(r.duration).toBeLessThanOrEqual(2);
    const field = await search({ text: 'rumble', filters: { folder: path.join(fx.libraryDir, 'field') } });
    expect(field.length).toBeGreaterThan(0);
    for (const r of field) expect(r.path.startsWith(path.join(fx.libraryDir, 'field') + path.sep)).toBe(true);
  });

  it('lists filtered files when a query has filters only', async () => {
    const response = await engine.call('search.query', { filters: { sampleRates: [96_000] } });
    expect(response.mode).toBe('filter');
    expect(response.results.length).toBe(fx.library.filter((e) => e.sampleRate === 96_000).length);
  });
});

describe('hybrid ranking with names and metadata', () => {
  let tmp: { dir: string; cleanup: () => void };
  let engine: Engine;

  beforeAll(async () => {
    tmp = tempDir();
    const fx = writeFixtures(path.join(tmp.dir, 'fx'));
    const lib = path.join(tmp.dir, 'lib');
    fs.mkdirSync(lib);
    // Three hisses; only one is named for what it is in words the model does not know.
    const hiss = (seed: number) => [renderConcept('hiss', { sampleRate: 48_000, seconds: 1, seed })];
    writeWavFile(path.join(lib, 'tyre_puncture_01.wav'), { sampleRate: 48_000, channels: hiss(1) });
    writeWavFile(path.join(lib, 'take_02.wav'), { sampleRate: 48_000, channels: hiss(2) });
    writeWavFile(path.join(lib, 'take_03.wav'), { sampleRate: 48_000, channels: hiss(3) });
    writeWavFile(path.join(lib, 'take_04.wav'), { sampleRate: 48_000, channels: [renderConcept('rumble', { sampleRate: 48_000, seconds: 1 })] });
    engine = await createEngine({ dbPath: path.join(tmp.dir, 'lib.db'), modelsDir: fx.modelsDir });
    await engine.waitForJob((await engine.call('library.index', { folders: [lib] })).jobId);
  });

  afterAll(async () => {
    await engine?.close();
    tmp?.cleanup();
  });

  it('a name match lifts that file inside the semantic ranking, not into a second list', async () => {
    const plain = (await engine.call('search.query', { text: 'hiss' })).results;
    const named = (await engine.call('search.query', { text: 'hiss puncture' })).results;
    expect(plain.map((r) => r.name).slice(0, 3)).toContain('tyre_puncture_01.wav');
    expect(named[0].name).toBe('tyre_puncture_01.wav');
    expect(named[0].parts.keyword).toBe(1);
    // The other hisses still rank above the rumble: one list ordered by one score.
    expect(named.map((r) => r.name).indexOf('take_04.wav')).toBe(3);
    for (let i = 1; i < named.length; i++) expect(named[i - 1].score).toBeGreaterThanOrEqual(named[i].score);
  });
});
