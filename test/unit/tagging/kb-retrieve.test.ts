import { describe, expect, it } from 'vitest';
import { ReferenceSounds, robustZ } from '../../../main/engine/tagging/kb/agreement';
import { normalize } from '../../../main/engine/tagging/kb/file-audio';
import { measurePair, verdictOf } from '../../../main/engine/tagging/kb/refine';
import { rankPairs, rowScorer, type PairMatrix } from '../../../main/engine/tagging/kb/retrieve';
import { WasmRowScorer } from '../../../main/engine/tagging/kb/row-scores-wasm';
import { Prng } from '../../fixtures/prng';

const DIM = 16;
const rng = new Prng(7);
const vec = () => normalize(Float32Array.from({ length: DIM }, () => rng.gaussian()));
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

function matrix(n: number, kernel: 'wasm' | 'js' = 'wasm', same?: Float32Array): { m: PairMatrix; audio: Float32Array[]; text: Float32Array[] } {
  const audio = Array.from({ length: n }, () => same ?? vec());
  const text = Array.from({ length: n }, vec);
  const rows = (vs: Float32Array[]) => {
    const out = new Float32Array(n * DIM);
    vs.forEach((v, i) => out.set(v, i * DIM));
    return out;
  };
  const m: PairMatrix = {
    dim: DIM,
    fileIds: audio.map((_, i) => 100 + i),
    paths: audio.map((_, i) => `/l/${i}.wav`),
    captions: audio.map((_, i) => `caption ${i}`),
    audio: rowScorer(rows(audio), DIM, kernel),
    text: rowScorer(rows(text), DIM, kernel),
  };
  return { m, audio, text };
}

describe('row scores', () => {
  it('the SIMD kernel runs here and agrees with the JavaScript loop to float32 precision', () => {
    const rows = Float32Array.from({ length: 300 * 512 }, () => rng.gaussian() / 22);
    expect(WasmRowScorer.create(rows, 512)).not.toBeNull();
    expect(WasmRowScorer.create(rows.subarray(0, 3 * 510), 510)).toBeNull(); // not a multiple of 4: the JS loop
    const q = normalize(Float32Array.from({ length: 512 }, () => rng.gaussian()));
    const wasm = rowScorer(rows, 512, 'wasm').scores(q);
    const js = rowScorer(rows, 512, 'js').scores(q);
    expect(wasm).toHaveLength(300);
    for (let i = 0; i < 300; i++) expect(Math.abs(wasm[i] - js[i])).toBeLessThan(1e-5);
    expect(rowScorer(rows, 512).row(2)).toEqual(rows.subarray(1024, 1536));
  });
});

describe('pair-to-pair ranking', () => {
  it.each(['wasm', 'js'] as const)('W = 1 ranks as audio alone, W = 0 as text alone, and between mixes the two (seed 001, eq. 4; %s kernel)', (kernel) => {
    const { m, audio, text } = matrix(60, kernel);
    for (let t = 0; t < 10; t++) {
      const q = { audio: vec(), text: vec() };
      const ids = m.fileIds.map((id, i) => ({ id, a: dot(q.audio, audio[i]), t: dot(q.text, text[i]) }));
      const byAudio = [...ids].sort((x, y) => y.a - x.a).map((x) => x.id);
      const byText = [...ids].sort((x, y) => y.t - x.t).map((x) => x.id);
      expect(rankPairs(m, q, { w: 1, k: 60 }).map((h) => h.fileId)).toEqual(byAudio);
      expect(rankPairs(m, q, { w: 0, k: 60 }).map((h) => h.fileId)).toEqual(byText);
      const mixed = rankPairs(m, q, { w: 0.4, k: 5 });
      expect(mixed).toHaveLength(5);
      for (const h of mixed) expect(h.score).toBeCloseTo(0.4 * h.audioScore + 0.6 * h.textScore, 6);
    }
  });

  it('leaves out the excluded file and breaks ties by file id', () => {
    const same = vec();
    const { m } = matrix(3, 'wasm', same);
    const hits = rankPairs(m, { audio: same, text: vec() }, { w: 1, k: 10, excludeFileId: 101 });
    expect(hits.map((h) => h.fileId)).toEqual([100, 102]);
  });
});

describe('agreement and refinement', () => {
  it('robust z: median level, MAD spread with a floor, none with too few references', () => {
    expect(robustZ(1, [0, 0.1, -0.1, 0.2, -0.2], 0.01)).toBeCloseTo(1 / (1.4826 * 0.1), 6);
    expect(robustZ(0.5, [0.1, 0.1, 0.1], 0.05)).toBeCloseTo(8, 6);
    expect(robustZ(1, [0, 0], 0.05)).toBeNull();
  });

  it('keeps a pair whose caption picks out its own audio, excludes one that does not or says nothing', () => {
    const refs = Array.from({ length: 30 }, (_, i) => ({ fileId: i, vector: vec() }));
    const references = new ReferenceSounds(refs, []);
    const audio = vec();
    const settings = { agreementZ: 1, emptyTextSimilarity: 0.98 };
    const empty = vec();
    const judge = (text: Float32Array, a: Float32Array, refs = references) => verdictOf(measurePair({ fileId: 99, text, audio: a }, refs, empty, 0.05), settings);
    const right = judge(audio, audio);
    expect(right.kept).toBe(true);
    expect(right.agreement!).toBeGreaterThan(1);
    // A caption pointing away from its audio.
    const wrong = judge(normalize(audio.map((x) => -x)), audio);
    expect(wrong).toMatchObject({ kept: false });
    expect(wrong.reason).toMatch(/does not match its audio/);
    expect(judge(empty, empty)).toMatchObject({ kept: false, reason: expect.stringMatching(/says nothing/) });
    // Thresholds apply when the verdict is read.
    const m = measurePair({ fileId: 99, text: audio, audio }, references, empty, 0.05);
    expect(verdictOf(m, { ...settings, agreementZ: m.agreement! + 0.01 }).kept).toBe(false);
    // Its own file is never one of its references.
    const self = new ReferenceSounds([{ fileId: 99, vector: audio }, ...refs.slice(0, 2)], []);
    expect(judge(audio, audio, self)).toMatchObject({ kept: true, agreement: null });
  });

  it('a library of one kind of sound keeps its right pairs through the noise references, and still excludes a wrong one', () => {
    const audio = vec();
    // Every library reference is a near copy of this sound: the library's level is this sound's.
    const library = Array.from({ length: 20 }, (_, i) => ({ fileId: i, vector: normalize(audio.map((x) => x + 0.05 * rng.gaussian())) }));
    const noise = Array.from({ length: 4 }, vec);
    const settings = { agreementZ: 1, emptyTextSimilarity: 0.98 };
    const empty = vec();
    const libraryOnly = verdictOf(measurePair({ fileId: 99, text: audio, audio }, new ReferenceSounds(library, []), empty, 0.05), settings);
    expect(libraryOnly.kept).toBe(false);
    const both = new ReferenceSounds(library, noise);
    expect(verdictOf(measurePair({ fileId: 99, text: audio, audio }, both, empty, 0.05), settings).kept).toBe(true);
    const wrong = normalize(audio.map((x) => -x));
    expect(verdictOf(measurePair({ fileId: 99, text: wrong, audio }, both, empty, 0.05), settings).kept).toBe(false);
  });
});
