/**
 * The fixture library indexed by the real engine, reopened for the loop's library-facing parts
 * (retrieval, the CLAP critic's library references): database, vector spaces, the fixture CLAP.
 */
import path from 'node:path';
import { expect } from 'vitest';
import { createEngine } from '../../../main/engine';
import { resolveConfig, type ResolvedConfig } from '../../../main/engine/config';
import { openDatabase, type Db } from '../../../main/engine/db/open';
import type { SearchDeps } from '../../../main/engine/library/search';
import { VectorSpaces } from '../../../main/engine/library/spaces';
import { discoverPacks, findEmbedderPack, loadEmbedder, type ClapEmbedder } from '../../../main/engine/models';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { tempDir } from '../../helpers/tmp';

export interface IndexedFixtures {
  fx: FixtureSet;
  db: Db;
  spaces: VectorSpaces;
  embedder: ClapEmbedder;
  config: ResolvedConfig;
  searchDeps: SearchDeps;
  close(): Promise<void>;
}

export async function indexedFixtures(): Promise<IndexedFixtures> {
  const tmp = tempDir('cuebank-loop-');
  const fx = writeFixtures(path.join(tmp.dir, 'fx'));
  const dbPath = path.join(tmp.dir, 'lib.db');
  const engine = await createEngine({ dbPath, modelsDir: fx.modelsDir }, { background: false });
  const { jobId } = await engine.call('library.index', { folders: [fx.libraryDir] });
  expect((await engine.waitForJob(jobId)).state).toBe('done');
  await engine.close();

  const config = resolveConfig({ dbPath, modelsDir: fx.modelsDir });
  const db = openDatabase(dbPath);
  const spaces = new VectorSpaces(db);
  const embedder = await loadEmbedder(findEmbedderPack((await discoverPacks(fx.modelsDir)).packs)!);
  const searchDeps: SearchDeps = { db, spaces, embedder, settings: config.search, index: config.index, noEmbedderNote: 'no CLAP pack' };
  return {
    fx,
    db,
    spaces,
    embedder,
    config,
    searchDeps,
    async close() {
      await embedder.dispose();
      db.close();
      tmp.cleanup();
    },
  };
}
