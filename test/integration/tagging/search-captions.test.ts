/**
 * A text query also scores the files' caption text vectors (text-to-text, seed 001 eq. 3): on the
 * half-described fixture library with the corpus beside it, a described file gains
 * captionWeight·cos(query, its caption), undescribed files gain nothing, and W = 1 still ranks
 * exactly by audio.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { search, type SearchDeps } from '../../../main/engine/library/search';
import { KnowledgeBase, kbSettingsOf } from '../../../main/engine/tagging/kb';
import { hasCorpus } from '../../helpers/corpus';
import { kbLibrary, type KbLibrary } from './kb-library';

describe.skipIf(!hasCorpus)('search scores captions text-to-text', () => {
  let lib: KbLibrary;
  beforeAll(async () => {
    lib = await kbLibrary();
    await new KnowledgeBase({ db: lib.db, spaces: lib.spaces, embedder: lib.embedder, settings: kbSettingsOf(lib.config.tagging) }).refresh();
  }, 240_000);
  afterAll(async () => lib?.close());

  const deps = (captionWeight: number): SearchDeps => ({
    db: lib.db,
    spaces: lib.spaces,
    embedder: lib.embedder,
    settings: { ...lib.config.search, captionWeight },
    index: lib.config.index,
    noEmbedderNote: '',
  });

  it('adds captionWeight·cos(query, caption) to the text score of described files only', async () => {
    const described = lib.described.find((d) => d.description === 'deep earthquake rumble')!;
    const text = 'deep earthquake rumble';
    const withCaptions = await search(deps(0.5), { text, limit: 1000 });
    const without = await search(deps(0), { text, limit: 1000 });
    const hit = withCaptions.results.find((r) => r.path === described.path)!;
    const base = without.results.find((r) => r.path === described.path)!;
    expect(hit.parts.caption).toBeGreaterThan(0.99);
    expect(hit.score - base.score).toBeCloseTo(0.5 * hit.parts.caption!, 5);
    for (const u of lib.undescribed) {
      const r = withCaptions.results.find((x) => x.path === u.path);
      if (r) expect(r.parts.caption, u.path).toBeNull();
    }
    // A file described as another concept's sound gains little.
    const beep = lib.described.find((d) => d.concepts.includes('beep') && d.concepts.length === 1)!;
    expect(withCaptions.results.find((r) => r.path === beep.path)?.parts.caption ?? 0).toBeLessThan(0.3);
  });

  it('ranks by audio alone at W = 1, captions or not', async () => {
    const example = lib.undescribed[0].path;
    const a = await search(deps(0.5), { text: 'distant thunder rumble', audioPath: example, weight: 1, limit: 1000 });
    const b = await search(deps(0), { text: 'distant thunder rumble', audioPath: example, weight: 1, limit: 1000 });
    expect(a.results.map((r) => [r.path, r.score])).toEqual(b.results.map((r) => [r.path, r.score]));
  });
});
