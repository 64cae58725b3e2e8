import fs from 'node:fs';
import path from 'node:path';
import { ClapFeatureExtractor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { PREPROCESSOR_CONFIG } from '../../fixtures/clap-pack';
import { LIBRARY } from '../../fixtures/sounds';
import { repoRoot } from '../../helpers/cli';
import {
  bandProfile,
  CONCEPTS,
  EMBED_DIM,
  melCentres,
  melFilterBank,
  MODIFIERS,
  N_MELS,
  projectionMatrix,
  SPECIAL_TOKENS,
  textProfile,
  UCS_WORDS,
  VOCAB,
  words,
} from '../../fixtures/semantics';

const cos = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    x += a[i] * a[i];
    y += b[i] * b[i];
  }
  return d / Math.sqrt(x * y);
};

describe('fixture semantics table', () => {
  it('builds the same slaney mel filter bank as ClapFeatureExtractor', () => {
    const fe = new ClapFeatureExtractor(PREPROCESSOR_CONFIG) as unknown as { mel_filters_slaney: number[][] };
    const ours = melFilterBank();
    expect(ours).toHaveLength(fe.mel_filters_slaney.length);
    let d = 0;
    ours.forEach((row, k) => row.forEach((v, j) => (d = Math.max(d, Math.abs(v - fe.mel_filters_slaney[k][j])))));
    expect(d).toBeLessThan(1e-12);
  });

  it('projects with orthonormal rows, so cosine in 512-d equals cosine of the mel profiles', () => {
    const w = projectionMatrix();
    let worst = 0;
    for (let a = 0; a < N_MELS; a++) {
      for (let b = a; b < N_MELS; b++) {
        let s = 0;
        for (let d = 0; d < EMBED_DIM; d++) s += w[a * EMBED_DIM + d] * w[b * EMBED_DIM + d];
        worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
      }
    }
    expect(worst).toBeLessThan(1e-5);
    // No embedding dimension is simply one mel bin.
    const maxEntry = Math.max(...Array.from(w, Math.abs));
    expect(maxEntry).toBeLessThan(0.3);
  });

  it('has at least six concepts whose bands do not overlap and whose words are unique', () => {
    expect(CONCEPTS.length).toBeGreaterThanOrEqual(6);
    const bands = CONCEPTS.map((c) => c.band).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < bands.length; i++) expect(bands[i][0]).toBeGreaterThan(bands[i - 1][1]);
    expect(new Set(VOCAB).size).toBe(VOCAB.length);
    expect(VOCAB.slice(0, SPECIAL_TOKENS.length)).toEqual([...SPECIAL_TOKENS]);
    // Different concepts are near-orthogonal as text; each concept is itself.
    for (const a of CONCEPTS) {
      for (const b of CONCEPTS) {
        const c = cos(bandProfile(a.band), bandProfile(b.band));
        if (a === b) expect(c).toBeCloseTo(1, 6);
        else expect(c, `${a.id}/${b.id}`).toBeLessThan(0.25);
      }
    }
  });

  it('describes every library sound only with its own concepts’ nouns, and names no file after them', () => {
    const nouns = new Map(CONCEPTS.flatMap((c) => c.nouns.map((n) => [n, c.id] as const)));
    const modifiers = new Set(MODIFIERS.map((m) => m.word));
    for (const s of LIBRARY) {
      const own = new Set(s.events.map((e) => e.concept));
      const named = words(s.text).filter((w) => nouns.has(w)).map((w) => nouns.get(w)!);
      expect(named.length, s.text).toBeGreaterThan(0);
      for (const c of named) expect(own.has(c), `${s.file}: "${s.text}"`).toBe(true);
      for (const word of [...nouns.keys(), ...modifiers, ...UCS_WORDS.keys()]) expect(s.file.toLowerCase()).not.toContain(word);
      expect(s.file).toMatch(/^([a-z]+\/)?sfx_\d{3}\.wav$/);
    }
    for (const c of CONCEPTS) {
      expect(LIBRARY.filter((s) => s.events.some((e) => e.concept === c.id)).length, c.id).toBeGreaterThanOrEqual(2);
    }
  });

  it('reads the UCS words of each concept\'s subcategories as that concept, and leaves shared words unknown', () => {
    const ucs = JSON.parse(fs.readFileSync(path.join(repoRoot, 'resources/ucs/ucs-8.2.1-en.json'), 'utf8')) as {
      CatID: string;
      SubCategory: string;
      Synonyms: string[];
    }[];
    for (const c of CONCEPTS) {
      expect(c.ucsCatIds.length, c.id).toBeGreaterThan(0);
      for (const catId of c.ucsCatIds) {
        const e = ucs.find((x) => x.CatID === catId)!;
        // The subcategory's own name plus its synonyms, read as one prompt, lands on the concept's band.
        const prompt = `${e.SubCategory} ${e.Synonyms.join(' ')}`;
        expect(cos(textProfile(prompt), bandProfile(c.band)), `${c.id} ${catId}`).toBeGreaterThan(0.99);
      }
    }
    // Every UCS word is one concept's; a word two concepts' subcategories share ("ground") stays unknown.
    expect(UCS_WORDS.size).toBeGreaterThan(100);
    for (const [w, id] of UCS_WORDS) expect(cos(textProfile(w), bandProfile(CONCEPTS.find((c) => c.id === id)!.band)), w).toBeCloseTo(1, 6);
    expect(UCS_WORDS.has('ground')).toBe(false);
    expect(textProfile('ground').every((v) => v === 0)).toBe(true);
  });

  it('puts low words low and high words high', () => {
    const centre = (p: Float64Array) => {
      const f = melCentres();
      let s = 0;
      for (let k = 0; k < N_MELS; k++) s += p[k] * Math.log(f[k]);
      return Math.exp(s / p.reduce((a, b) => a + b, 0));
    };
    expect(centre(textProfile('low'))).toBeLessThan(300);
    expect(centre(textProfile('rumble'))).toBeLessThan(150);
    expect(centre(textProfile('high'))).toBeGreaterThan(3000);
    expect(centre(textProfile('hiss'))).toBeGreaterThan(7000);
    expect(textProfile('the sound of a').every((v) => v === 0)).toBe(true);
  });
});
