/**
 * A library indexed before any CLAP pack was installed: its descriptions are collected, but no
 * pair can be measured without audio embeddings, so none is retrieved and every pair is pending
 * until the files are embedded; then the same knowledge base refines them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../main/engine';
import { decodeFile } from '../../../main/engine/audio';
import { resolveConfig } from '../../../main/engine/config';
import { openDatabase, type Db } from '../../../main/engine/db/open';
import { encodeAudio } from '../../../main/engine/export/encode';
import { VectorSpaces } from '../../../main/engine/library/spaces';
import { discoverPacks, findEmbedderPack, loadEmbedder, type ClapEmbedder } from '../../../main/engine/models';
import { KnowledgeBase, kbSettingsOf } from '../../../main/engine/tagging/kb';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { tempDir } from '../../helpers/tmp';

describe('knowledge base of a library not embedded yet', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let dbPath: string;
  let lib: string;
  let db: Db;
  let embedder: ClapEmbedder;

  beforeAll(async () => {
    tmp = tempDir('cuebank-kb-pending-');
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    lib = path.join(tmp.dir, 'lib');
    fs.mkdirSync(lib);
    for (const e of fx.library.slice(0, 6)) {
      const { audio } = await decodeFile(path.join(fx.libraryDir, e.file));
      const bytes = await encodeAudio(audio, { container: 'wav', sample: 'pcm16' }, { title: 'x', description: e.text, origination: new Date(0), isLoop: false, isGenerated: false });
      fs.writeFileSync(path.join(lib, path.basename(e.file)), bytes);
    }
    dbPath = path.join(tmp.dir, 'lib.db');
    const noModels = path.join(tmp.dir, 'no-models');
    fs.mkdirSync(noModels);
    const engine = await createEngine({ dbPath, modelsDir: noModels }, { background: false });
    expect((await engine.waitForJob((await engine.call('library.index', { folders: [lib] })).jobId)).state).toBe('done');
    await engine.close();
    db = openDatabase(dbPath);
    embedder = await loadEmbedder(findEmbedderPack((await discoverPacks(fx.modelsDir)).packs)!);
  }, 120_000);
  afterAll(async () => {
    await embedder?.dispose();
    db?.close();
    tmp?.cleanup();
  });

  it('collects every pair as pending, retrieves none, and refines them once the files are embedded', async () => {
    const settings = kbSettingsOf(resolveConfig({ dbPath, modelsDir: fx.modelsDir }).tagging);
    const kb = new KnowledgeBase({ db, spaces: new VectorSpaces(db), embedder, settings });
    const before = await kb.refresh();
    expect(before).toMatchObject({ pairs: 6, refined: 0, excluded: 0, pending: 6 });
    const [text] = await embedder.embedText(['rumble']);
    expect(kb.retrieve({ audio: text, text }, { w: 0.5, k: 10 })).toEqual([]);

    const engine = await createEngine({ dbPath, modelsDir: fx.modelsDir }, { background: false });
    expect((await engine.waitForJob((await engine.call('library.index', { folders: [lib] })).jobId)).state).toBe('done');
    await engine.close();
    const after = await kb.refresh();
    expect(after).toMatchObject({ pairs: 6, refined: 6, excluded: 0, pending: 0 });
    expect(kb.retrieve({ audio: text, text }, { w: 0.5, k: 1 })[0].caption).toMatch(/rumble/);
  });
});
