/**
 * The fixture pack has real semantics: through the production pipeline (transformers.js
 * tokenizer, log-mel features, ONNX Runtime), words find the sounds they describe. Each test would
 * fail for a model that ignored its input.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverPacks, findEmbedderPack, loadEmbedder, type ClapEmbedder } from '../../../main/engine/models';
import { writeFixtures, type FixtureSet, type LibraryEntry } from '../../fixtures';
import { CONCEPTS, type ConceptId } from '../../fixtures/semantics';
import { LIBRARY, renderConcept, renderSound } from '../../fixtures/sounds';
import { cutWindows, dot, mono, readWav, tempDir, type Cut } from './helpers';

interface Indexed {
  entry: LibraryEntry;
  windows: Cut[];
  vectors: Float32Array[];
}

let root: string;
let fixtures: FixtureSet;
const embedders: Record<'fp32' | 'q8', ClapEmbedder> = {} as never;
const index: Record<'fp32' | 'q8', Indexed[]> = { fp32: [], q8: [] };

async function embedLibrary(e: ClapEmbedder): Promise<Indexed[]> {
  const out: Indexed[] = [];
  for (const s of LIBRARY) {
    // The decoder + resampler will hand the engine mono 48 kHz; synthesize exactly that.
    const audio = renderSound(s, { sampleRate: e.sampleRate, mono: true }).channels[0];
    const windows = cutWindows(audio, e.sampleRate, e.windowSeconds);
    const vectors = await e.embedAudio(windows.map((w) => w.samples));
    out.push({ entry: fixtures.library.find((x) => x.file === s.file)!, windows, vectors });
  }
  return out;
}

/** A file's score for a query: its best window, as search groups windows by file. */
const fileScore = (f: Indexed, q: Float32Array) => Math.max(...f.vectors.map((v) => dot(v, q)));

function rank(files: Indexed[], q: Float32Array): { file: string; concepts: ConceptId[]; score: number }[] {
  return files
    .map((f) => ({ file: f.entry.file, concepts: f.entry.concepts, score: fileScore(f, q) }))
    .sort((a, b) => b.score - a.score);
}

beforeAll(async () => {
  root = tempDir('semantics');
  fixtures = writeFixtures(root);
  const { packs, problems } = await discoverPacks(fixtures.modelsDir);
  expect(problems).toEqual([]); // library/ next to the pack is not a pack
  const pack = findEmbedderPack(packs)!;
  for (const dtype of ['fp32', 'q8'] as const) {
    embedders[dtype] = await loadEmbedder(pack, { dtype });
    index[dtype] = await embedLibrary(embedders[dtype]);
  }
});

afterAll(async () => {
  for (const e of Object.values(embedders)) await e.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

describe.each(['fp32', 'q8'] as const)('fixture CLAP semantics (%s)', (dtype) => {
  it('ranks every concept’s own sounds above all other sounds, for each of its words and descriptions', async () => {
    const e = embedders[dtype];
    const files = index[dtype];
    let worst = Infinity;
    for (const c of CONCEPTS) {
      const queries = [...c.nouns, ...c.descriptions, ...fixtures.library.filter((x) => x.concepts.includes(c.id) && x.concepts.length === 1).map((x) => x.text)];
      const vectors = await e.embedText(queries);
      queries.forEach((q, i) => {
        const ranked = rank(files, vectors[i]);
        const own = ranked.filter((r) => r.concepts.includes(c.id));
        const other = ranked.filter((r) => !r.concepts.includes(c.id));
        expect(own.length).toBeGreaterThanOrEqual(2);
        // Every own sound comes before every other sound.
        expect(ranked.slice(0, own.length).map((r) => r.file).sort(), `"${q}"`).toEqual(own.map((r) => r.file).sort());
        worst = Math.min(worst, own[own.length - 1].score - other[0].score);
      });
    }
    // Not by a hair: the lowest own score clears the best other sound by a wide margin.
    expect(worst).toBeGreaterThan(0.2);
  });

  it('finds rumble, not beeps, for "low rumble"', async () => {
    const [q] = await embedders[dtype].embedText(['low rumble']);
    const ranked = rank(index[dtype], q);
    expect(ranked[0].concepts).toContain('rumble');
    const firstBeepOnly = ranked.findIndex((r) => r.concepts.length === 1 && r.concepts[0] === 'beep');
    const lastRumble = ranked.map((r) => r.concepts.includes('rumble')).lastIndexOf(true);
    expect(firstBeepOnly).toBeGreaterThan(lastRumble);
    const rumble = ranked.find((r) => r.file === 'sfx_001.wav')!.score;
    const beep = ranked.find((r) => r.file === 'ui/sfx_014.wav')!.score;
    expect(rumble).toBeGreaterThan(0.9);
    expect(beep).toBeLessThan(0.2);
  });

  it('finds for each sound a nearest neighbour of the same concept (audio to audio)', () => {
    const files = index[dtype];
    for (const f of files) {
      const q = f.vectors[0];
      const best = files
        .filter((g) => g !== f)
        .map((g) => ({ g, s: fileScore(g, q) }))
        .sort((a, b) => b.s - a.s)[0];
      const shared = best.g.entry.concepts.filter((c) => f.entry.concepts.includes(c));
      expect(shared.length, `${f.entry.file} (${f.entry.concepts}) -> ${best.g.entry.file} (${best.g.entry.concepts})`).toBeGreaterThan(0);
    }
  });

  it('does not care how loud a sound is', async () => {
    const e = embedders[dtype];
    const levels = [-60, -42, -24, -9];
    const rumbles = await e.embedAudio(levels.map((levelDb) => renderConcept('rumble', { sampleRate: 48_000, seconds: 3, levelDb, seed: 7 })));
    for (const v of rumbles) expect(dot(v, rumbles[rumbles.length - 1])).toBeGreaterThan(0.999);
    const nouns = CONCEPTS.map((c) => c.nouns[0]);
    const words = await e.embedText(nouns);
    for (const v of rumbles) {
      const best = nouns[words.map((w) => dot(w, v)).reduce((bi, s, i, all) => (s > all[bi] ? i : bi), 0)];
      expect(best).toBe('rumble');
    }
    // The quiet rumble file (-42 dBFS RMS) sits with the loud ones for "rumble".
    const [q] = await e.embedText(['rumble']);
    const ranked = rank(index[dtype], q);
    const quiet = ranked.findIndex((r) => r.file === 'field/sfx_004.wav');
    expect(ranked.slice(0, quiet + 1).every((r) => r.concepts.includes('rumble'))).toBe(true);
  });

  it('points a hit in a long file at the window where the sound is', async () => {
    const [beep, rumble] = await embedders[dtype].embedText(['high beep', 'low rumble']);
    const long = index[dtype].find((f) => f.entry.file === 'long/sfx_020.wav')!;
    const beepEvent = long.entry.events.find((x) => x.concept === 'beep')!;
    expect([beepEvent.start, beepEvent.end]).toEqual([12, 14]);
    expect(long.windows.map((w) => [w.start, w.end])).toEqual([
      [0, 10],
      [10, 20],
      [15, 25],
    ]);
    const beepScores = long.vectors.map((v) => dot(v, beep));
    const best = beepScores.indexOf(Math.max(...beepScores));
    expect(long.windows[best].start).toBeLessThanOrEqual(beepEvent.start);
    expect(long.windows[best].end).toBeGreaterThanOrEqual(beepEvent.end);
    expect(beepScores[best]).toBeGreaterThan(0.5);
    for (let i = 0; i < beepScores.length; i++) if (i !== best) expect(beepScores[i]).toBeLessThan(0.1);
    // The quiet rumble runs throughout; the windows without the beep are pure rumble.
    expect(dot(long.vectors[0], rumble)).toBeGreaterThan(0.9);
    expect(dot(long.vectors[2], rumble)).toBeGreaterThan(0.9);

    // The other long file: whoosh first, whistle later.
    const two = index[dtype].find((f) => f.entry.file === 'long/sfx_021.wav')!;
    const [whoosh, whistle] = await embedders[dtype].embedText(['whoosh', 'whistle']);
    expect(dot(two.vectors[0], whoosh)).toBeGreaterThan(dot(two.vectors[0], whistle));
    expect(dot(two.vectors[two.vectors.length - 1], whistle)).toBeGreaterThan(dot(two.vectors[two.vectors.length - 1], whoosh));
  });
});

describe('fixture sounds on disk', () => {
  it('embed like their in-memory originals (48 kHz files, read back from WAV)', async () => {
    const e = embedders.fp32;
    for (const s of LIBRARY.filter((x) => x.sampleRate === 48_000)) {
      const wav = readWav(path.join(fixtures.libraryDir, s.file));
      const windows = cutWindows(mono(wav.channels), wav.sampleRate, e.windowSeconds).map((w) => w.samples);
      const fromDisk = await e.embedAudio(windows);
      const inMemory = index.fp32.find((f) => f.entry.file === s.file)!.vectors;
      fromDisk.forEach((v, i) => expect(dot(v, inMemory[i]), s.file).toBeGreaterThan(0.999));
    }
  });
});
