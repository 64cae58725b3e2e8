/**
 * Captions by generative pair-to-pair retrieval on a library of fixture sounds, half described in
 * their metadata, the other half captioned, beside the shared corpus's real recordings: without a
 * language model (retrieved caption or category phrase), and with the fixture audio-language
 * model server (each request carries the audio, the final one the retrieved captions).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFile } from '../../../main/engine/audio';
import { CuebankError } from '../../../main/engine/errors';
import ucsList from '../../../resources/ucs/ucs-8.2.1-en.json';
import {
  KnowledgeBase,
  captionFile,
  createLalmCaptioner,
  fileAudioVectors,
  kbSettingsOf,
  type CaptionDeps,
  type KbSettings,
} from '../../../main/engine/tagging/kb';
import { FIRST_QUESTION } from '../../../main/engine/tagging/kb/lalm-captioner';
import { conceptsNamed, startFixtureLalmServer, type FixtureLalmServer } from '../../fixtures/lalm-server';
import { CONCEPTS, UCS_WORDS, VOCAB, conceptById, conceptOfWord, type ConceptId } from '../../fixtures/semantics';
import { kbLibrary, type KbFile, type KbLibrary } from './kb-library';

describe('captions', () => {
  let L: KbLibrary;
  let kb: KnowledgeBase;
  let settings: KbSettings;
  let audioOf: Map<number, Float32Array>;

  const label = (c: ConceptId) => {
    // The fixture's first UCS subcategory of the concept, read from the shipped UCS list.
    const id = conceptById(c).ucsCatIds[0];
    const cat = (ucsList as { CatID: string; Category: string; SubCategory: string; Synonyms?: string[] }[]).find((e) => e.CatID === id)!;
    return { labelPhrase: `${cat.Category} ${cat.SubCategory}`.toLowerCase(), catSynonyms: cat.Synonyms ?? [] };
  };
  const query = (f: KbFile, c: ConceptId = f.concepts[0]) => ({ fileId: L.fileId(f.path), audio: audioOf.get(L.fileId(f.path))!, ...label(c) });
  const single = () => L.undescribed.filter((f) => f.concepts.length === 1);

  beforeAll(async () => {
    L = await kbLibrary();
    settings = kbSettingsOf(L.config.tagging);
    kb = new KnowledgeBase({ db: L.db, spaces: L.spaces, embedder: L.embedder, settings });
    await kb.refresh();
    const ids = (L.db.prepare(`SELECT id FROM files WHERE status = 'ok'`).all() as { id: number }[]).map((r) => r.id);
    audioOf = fileAudioVectors(L.db, L.spaces, L.embedder.space, ids);
  }, 300_000);
  afterAll(async () => L?.close());

  it('captions the undescribed half from the described half: the caption names the file’s concept', async () => {
    const deps: CaptionDeps = { kb, embedder: L.embedder, lalm: null, settings };
    const wrongId = L.fileId(L.wrong.path);
    for (const f of L.undescribed) {
      const r = await captionFile(deps, query(f));
      const name = `${path.basename(f.path)} (${f.concepts.join('+')}): "${r.caption}" via ${r.route}`;
      expect(r.route, name).toBe('retrieved');
      expect(r.firstCaption).toBe(label(f.concepts[0]).labelPhrase);
      const named = conceptsNamed(r.caption);
      expect(named.length, name).toBeGreaterThan(0);
      for (const c of named) expect(f.concepts, name).toContain(c);
      if (f.concepts.length === 1) expect(named, name).toEqual(f.concepts);
      // Evidence: refined pairs only, never the file itself or the mislabelled rumble, best first.
      expect(r.evidence.length).toBe(settings.k);
      expect(r.evidence[0].caption).toBe(r.caption);
      for (const e of r.evidence) {
        expect(e.fileId).not.toBe(L.fileId(f.path));
        expect(e.fileId).not.toBe(wrongId);
        expect(kb.verdict(e.fileId)?.kept).toBe(true);
      }
      expect(r.evidence.map((e) => e.score)).toEqual([...r.evidence.map((e) => e.score)].sort((a, b) => b - a));
    }
  });

  it('keywords: the CatID’s synonyms the audio supports, and words the retrieved captions share', async () => {
    const deps: CaptionDeps = { kb, embedder: L.embedder, lalm: null, settings };
    const rumble = single().find((f) => f.concepts[0] === 'rumble')!;
    // The synonyms of another concept's subcategory, offered for a rumble, are not supported by its audio.
    const offered = [...label('rumble').catSynonyms, 'beep', 'alarm', 'hiss', 'cinematic'];
    const r = await captionFile(deps, { ...query(rumble), catSynonyms: offered });
    // Every offered word the fixture CLAP hears in the rumble band is supported by the rumble's audio.
    const rumbleWords = offered.filter((w) => conceptOfWord(w)?.id === 'rumble' || UCS_WORDS.get(w.toLowerCase()) === 'rumble');
    expect(rumbleWords).toEqual(expect.arrayContaining(['rumble', 'earthquake']));
    expect(r.keywords).toEqual(expect.arrayContaining(rumbleWords));
    for (const w of ['beep', 'alarm', 'hiss']) expect(r.keywords).not.toContain(w);
    // Synonyms the fixture CLAP has no word for cannot be supported by the audio.
    const unknown = offered.filter((w) => !VOCAB.includes(w.toLowerCase()));
    expect(unknown.length).toBeGreaterThan(0);
    for (const w of unknown) expect(r.keywords).not.toContain(w);
    // Words shared by retrieved captions count only from captions that agree with the rumble: the
    // hum and whoosh pairs among the top k lend none.
    const shared = r.keywords.filter((k) => !offered.includes(k));
    const agreement = await Promise.all(r.evidence.map((e) => kb.captionAgreement(e, query(rumble).audio)));
    const agreeing = r.evidence.filter((_, i) => agreement[i]! >= settings.captionZ);
    expect(agreeing.length).toBeGreaterThanOrEqual(settings.sharedWordMin);
    expect(agreeing.length).toBeLessThan(r.evidence.length);
    for (const w of shared) expect(agreeing.filter((e) => e.caption.toLowerCase().includes(w)).length, w).toBeGreaterThanOrEqual(settings.sharedWordMin);
    for (const c of CONCEPTS.filter((x) => x.id !== 'rumble')) for (const noun of c.nouns) expect(r.keywords).not.toContain(noun);
    for (const w of r.keywords) expect(CONCEPTS.find((c) => c.id === 'rumble')!.nouns.concat(offered, r.evidence.flatMap((e) => e.caption.split(' ')))).toContain(w);
  });

  it('falls back to the category phrase when the best retrieved caption does not agree with the file’s audio', async () => {
    // Text alone (W = 0) with a beep label retrieves beep pairs for a rumble: their caption fails the
    // agreement test on the rumble's audio, so the label phrase is the caption.
    const deps: CaptionDeps = { kb, embedder: L.embedder, lalm: null, settings: { ...settings, w: 0 } };
    const rumble = single().find((f) => f.concepts[0] === 'rumble')!;
    const r = await captionFile(deps, { ...query(rumble), labelPhrase: 'alarm beep' });
    expect(conceptsNamed(r.evidence[0].caption)).toEqual(['beep']);
    expect(r.route).toBe('category');
    expect(r.caption).toBe('alarm beep');
    // The same file with W = 0.5 and its own label gets a retrieved rumble caption.
    const own = await captionFile({ ...deps, settings }, query(rumble));
    expect(own.route).toBe('retrieved');
    expect(conceptsNamed(own.caption)).toEqual(['rumble']);
  });

  it('an empty knowledge base captions with the category phrase', async () => {
    const empty = new KnowledgeBase({ db: L.db, spaces: L.spaces, embedder: L.embedder, settings: { ...settings, agreementZ: Infinity } });
    await empty.refresh();
    expect(empty.stats().refined).toBe(0);
    const f = single()[0];
    const r = await captionFile({ kb: empty, embedder: L.embedder, lalm: null, settings }, query(f));
    expect(r).toMatchObject({ route: 'category', caption: label(f.concepts[0]).labelPhrase, evidence: [] });
  });

  describe('with an audio-language model', () => {
    let server: FixtureLalmServer;
    beforeAll(async () => {
      server = await startFixtureLalmServer();
    });
    afterAll(async () => server?.stop());

    it('asks for a first caption, retrieves with it, and sends the audio with the retrieved captions for the final one', async () => {
      const lalm = createLalmCaptioner({ ...L.config.tagging, lalmUrl: server.url }, L.config.critic.lalm)!;
      const deps: CaptionDeps = { kb, embedder: L.embedder, lalm, settings };
      for (const f of single()) {
        const { audio: samples } = await decodeFile(f.path);
        const seconds = samples.channels[0].length / samples.sampleRate;
        const before = server.requests.length;
        const r = await captionFile(deps, { ...query(f), samples });
        const [first, final, ...more] = server.requests.slice(before);
        const name = `${path.basename(f.path)} (${f.concepts[0]}): "${r.firstCaption}" -> "${r.caption}"`;
        expect(more, name).toEqual([]);
        expect(r.route).toBe('lalm');
        for (const req of [first, final]) {
          expect(req.status).toBe(200);
          expect(req.audio?.channels).toBe(1);
          expect(req.audio!.seconds).toBeCloseTo(seconds, 1);
        }
        expect(first.question).toBe(FIRST_QUESTION);
        expect(r.firstCaption).toBe(first.answer);
        expect(r.evidence.length).toBe(settings.k);
        for (const e of r.evidence) expect(final.question).toContain(`"${e.caption}"`);
        expect(r.caption).toBe(final.answer);
        if (f.concepts[0] !== 'hiss') expect(conceptsNamed(r.caption), name).toEqual(f.concepts); // 7–12 kHz hiss is mostly gone at 16 kHz
      }
    });

    it('a model that cannot be reached is an error for that file, never a silent caption', async () => {
      const lalm = createLalmCaptioner({ ...L.config.tagging, lalmUrl: 'http://127.0.0.1:9' }, { ...L.config.critic.lalm, timeoutSeconds: 5 })!;
      const f = single()[0];
      const { audio: samples } = await decodeFile(f.path);
      const err = await captionFile({ kb, embedder: L.embedder, lalm, settings }, { ...query(f), samples }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CuebankError);
      expect((err as CuebankError).code).toBe('model_error');
      expect((err as CuebankError).message).toMatch(/Cannot reach the audio-language model/);
    });
  });
});
