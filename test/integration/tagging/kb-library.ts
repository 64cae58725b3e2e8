/**
 * A library for the knowledge-base tests: the fixture sounds, half of them described (bext + iXML
 * description written into copies by the export encoder), the other half plain; one rumble
 * described as a "high beep" (a deliberately wrong pair); and ../shared/corpus's real recordings
 * beside them. Indexed by the real engine, then reopened with the fixture CLAP.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { createEngine } from '../../../main/engine';
import { decodeFile } from '../../../main/engine/audio';
import { resolveConfig, type ResolvedConfig } from '../../../main/engine/config';
import { openDatabase, type Db } from '../../../main/engine/db/open';
import { encodeAudio } from '../../../main/engine/export/encode';
import { VectorSpaces } from '../../../main/engine/library/spaces';
import { discoverPacks, findEmbedderPack, loadEmbedder, type ClapEmbedder } from '../../../main/engine/models';
import type { Embedder } from '../../../main/engine/models/types';
import { writeFixtures, type FixtureSet, type LibraryEntry } from '../../fixtures';
import type { ConceptId } from '../../fixtures/semantics';
import { corpusDir, hasCorpus } from '../../helpers/corpus';
import { tempDir } from '../../helpers/tmp';

export interface KbFile {
  path: string;
  concepts: ConceptId[];
  /** The description written into the copy; null for the undescribed half. */
  description: string | null;
}

export interface KbLibrary {
  fx: FixtureSet;
  dbPath: string;
  db: Db;
  spaces: VectorSpaces;
  embedder: Embedder;
  /** Texts the embedder was asked to embed, in order (to prove captions are embedded once). */
  embedded: string[];
  config: ResolvedConfig;
  described: KbFile[];
  undescribed: KbFile[];
  /** The rumble described as "high beep". */
  wrong: KbFile;
  fileId(p: string): number;
  close(): Promise<void>;
}

async function writeDescribedCopy(src: string, dest: string, description: string): Promise<void> {
  const { audio } = await decodeFile(src);
  const bytes = await encodeAudio(audio, { container: 'wav', sample: 'pcm24' }, {
    title: path.basename(dest, '.wav'),
    description,
    origination: new Date(Date.UTC(2024, 0, 1)),
    isLoop: false,
    isGenerated: false,
  });
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, bytes);
}

/** Counts what goes through embedText. */
function countingEmbedder(inner: ClapEmbedder, log: string[]): Embedder {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'embedText') return (texts: string[]) => (log.push(...texts), target.embedText(texts));
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

export async function kbLibrary(): Promise<KbLibrary> {
  const tmp = tempDir('cuebank-kb-');
  const fx = writeFixtures(path.join(tmp.dir, 'fx'));
  const lib = path.join(tmp.dir, 'lib');
  const described: KbFile[] = [];
  const undescribed: KbFile[] = [];
  // Alternate files of each concept group go to each half, so every concept is on both sides.
  const entries: LibraryEntry[] = fx.library;
  for (const [i, e] of entries.entries()) {
    const src = path.join(fx.libraryDir, e.file);
    if (i % 2 === 0) {
      const dest = path.join(lib, 'described', e.file.replace(/\//g, '_'));
      await writeDescribedCopy(src, dest, e.text);
      described.push({ path: dest, concepts: e.concepts, description: e.text });
    } else {
      const dest = path.join(lib, 'plain', e.file.replace(/\//g, '_'));
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.copyFileSync(src, dest);
      undescribed.push({ path: dest, concepts: e.concepts, description: null });
    }
  }
  const rumble = entries.find((e) => e.text === 'distant thunder rumble')!;
  const wrong: KbFile = { path: path.join(lib, 'described', 'mislabelled_take.wav'), concepts: ['rumble'], description: 'high beep' };
  await writeDescribedCopy(path.join(fx.libraryDir, rumble.file), wrong.path, 'high beep');

  const dbPath = path.join(tmp.dir, 'lib.db');
  const engine = await createEngine({ dbPath, modelsDir: fx.modelsDir }, { background: false });
  const folders = hasCorpus ? [lib, corpusDir] : [lib];
  const job = await engine.waitForJob((await engine.call('library.index', { folders })).jobId);
  expect(job.state).toBe('done');
  await engine.close();

  const config = resolveConfig({ dbPath, modelsDir: fx.modelsDir });
  const db = openDatabase(dbPath);
  const spaces = new VectorSpaces(db);
  const clap = await loadEmbedder(findEmbedderPack((await discoverPacks(fx.modelsDir)).packs)!);
  const embedded: string[] = [];
  const ids = new Map((db.prepare(`SELECT id, path FROM files`).all() as { id: number; path: string }[]).map((r) => [r.path, r.id]));
  return {
    fx,
    dbPath,
    db,
    spaces,
    embedder: countingEmbedder(clap, embedded),
    embedded,
    config,
    described,
    undescribed,
    wrong,
    fileId(p) {
      const id = ids.get(path.resolve(p));
      if (id === undefined) throw new Error(`${p} is not in the library`);
      return id;
    },
    async close() {
      await clap.dispose();
      db.close();
      tmp.cleanup();
    },
  };
}
