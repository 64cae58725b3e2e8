/** resources/model-catalog.json against its schema, and what a download of each entry would fetch. */
import { describe, expect, it } from 'vitest';
import { DTYPE_SUFFIX } from '../../../main/engine/models/packs';
import { CatalogSchema, loadCatalog, packFiles, parseCatalog } from '../../../main/engine/models/hub/catalog';
import bundled from '../../../resources/model-catalog.json';

describe('model catalog', () => {
  const catalog = loadCatalog();

  it('parses against the schema and lists the Xenova CLAP packs', () => {
    expect(CatalogSchema.safeParse(bundled).success).toBe(true);
    const repos = catalog.packs.map((p) => p.repo);
    for (const repo of ['Xenova/clap-htsat-unfused', 'Xenova/larger_clap_general', 'Xenova/larger_clap_music_and_speech']) expect(repos).toContain(repo);
    expect(catalog.recommended.embedder).toBe('clap-htsat-unfused');
    // Generator packs and language-model endpoints are explained, not downloaded.
    expect(catalog.notDownloadable.map((n) => n.role).sort()).toEqual(['captioner', 'critic', 'generator']);
  });

  it('names, for every dtype, the files a CLAP pack needs in the Xenova layout', () => {
    for (const pack of catalog.packs) {
      expect(pack.license).toBe('apache-2.0');
      // A pinned revision is a full commit; "main" only where the commit could not be known.
      if (pack.revisionPinned) expect(pack.revision).toMatch(/^[0-9a-f]{40}$/);
      else expect(pack.revision).toBe('main');
      for (const dtype of Object.keys(pack.dtypes)) {
        const paths = packFiles(pack, dtype).map((f) => f.path);
        const suffix = DTYPE_SUFFIX[dtype];
        expect(suffix, `${pack.id}: ${dtype} is a transformers.js dtype`).toBeDefined();
        for (const need of ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', `onnx/text_model${suffix}.onnx`, `onnx/audio_model${suffix}.onnx`]) {
          expect(paths, `${pack.id} ${dtype}`).toContain(need);
        }
        expect(new Set(paths).size).toBe(paths.length);
      }
    }
  });

  it('rejects a catalog with a duplicate id, an unknown recommended pack or a path leaving the pack', () => {
    const base = structuredClone(bundled) as { packs: { id: string; files: { path: string }[] }[]; recommended: Record<string, string> };
    const dup = structuredClone(base);
    dup.packs.push(structuredClone(dup.packs[0]));
    expect(() => parseCatalog(dup)).toThrow(/packs\.3\.id: duplicate id "clap-htsat-unfused"/);
    const rec = structuredClone(base);
    rec.recommended.embedder = 'nope';
    expect(() => parseCatalog(rec)).toThrow(/recommended\.embedder: no embedder pack "nope"/);
    const escape = structuredClone(base);
    escape.packs[0].files[0].path = '../config.json';
    expect(() => parseCatalog(escape)).toThrow(/must be a relative path inside the repository/);
  });
});
