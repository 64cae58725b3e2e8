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
  dbPath: string;
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
  await indexFolders(dbPath, fx.modelsDir, [fx.libraryDir]);

  const config = resolveConfig({ dbPath, modelsDir: fx.modelsDir });
  const db = openDatabase(dbPath);
  const spaces = new VectorSpaces(db);
  const embedder = await loadEmbedder(findEmbedderPack((await discoverPacks(fx.modelsDir)).packs)!);
  const searchDeps: SearchDeps = { db, spaces, embedder, settings: config.search, index: config.index, noEmbedderNote: 'no CLAP pack' };
  return {
    fx,
    dbPath,
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

/** Indexes more folders into a library (by the engine, as the app does); the library's window count after. */
export async function indexFolders(dbPath: string, modelsDir: string, folders: string[]): Promise<number> {
  const engine = await createEngine({ dbPath, modelsDir }, { background: false });
  try {
    const job = await engine.waitForJob((await engine.call('library.index', { folders })).jobId);
    expect(job.state, job.error?.message).toBe('done');
    return (await engine.call('library.stats', {})).windows;
  } finally {
    await engine.close();
  }
}
