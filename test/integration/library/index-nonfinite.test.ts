import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexSummary } from '../../../preload/contract/library';
import { writeWavFile } from '../../../main/engine/audio';
import { resolveConfig } from '../../../main/engine/config';
import { openDatabase, type Db } from '../../../main/engine/db/open';
import { FileQueries } from '../../../main/engine/db/queries/files';
import { FolderQueries } from '../../../main/engine/db/queries/folders';
import { EmbedderSlot } from '../../../main/engine/embedder-slot';
import { JobManager } from '../../../main/engine/jobs/manager';
import { runIndexJob } from '../../../main/engine/library/index-job';
import { NOT_FINITE_SENTENCE } from '../../../main/engine/library/read-failure';
import { VectorSpaces } from '../../../main/engine/library/spaces';
import type { Embedder } from '../../../main/engine/models/types';
import { writeFixtures } from '../../fixtures';
import { renderConcept } from '../../fixtures/sounds';
import { tempDir } from '../../helpers/tmp';

/**
 * A vector with NaN or Infinity in it scores nothing in every search yet would count as indexed.
 * Whatever produced it (a NaN sample the reader let through, a model fault), the index job must
 * refuse it: the file fails with a sentence and no window of it is stored. The embedder here is the
 * fixture CLAP pack, except that it answers non-finite vectors for windows of one length (the
 * files made that long), as a damaged file or a faulty model would.
 */
describe('the index job and non-finite embeddings', () => {
  let tmp: { dir: string; cleanup: () => void };
  let db: Db;
  let slot: EmbedderSlot;
  let summary: IndexSummary;
  const POISONED_SECONDS = 0.77;

  beforeAll(async () => {
    tmp = tempDir();
    const fx = writeFixtures(path.join(tmp.dir, 'fx'));
    const lib = path.join(tmp.dir, 'lib');
    fs.mkdirSync(lib);
    const sound = (seconds: number) => ({ sampleRate: 48_000, channels: [renderConcept('hum', { sampleRate: 48_000, seconds })] });
    writeWavFile(path.join(lib, 'good.wav'), sound(1));
    writeWavFile(path.join(lib, 'nan.wav'), sound(POISONED_SECONDS));
    writeWavFile(path.join(lib, 'inf.wav'), sound(POISONED_SECONDS));

    const cfg = resolveConfig({ dbPath: path.join(tmp.dir, 'lib.db'), modelsDir: fx.modelsDir });
    db = openDatabase(cfg.dbPath);
    slot = new EmbedderSlot(cfg.modelsDir, cfg.models);
    const real = (await slot.get())!;
    const poisonedLength = Math.round(POISONED_SECONDS * real.sampleRate);
    let n = 0;
    const embedder: Embedder = {
      space: real.space,
      dim: real.dim,
      sampleRate: real.sampleRate,
      windowSeconds: real.windowSeconds,
      maxFrequency: real.maxFrequency,
      embedText: (t) => real.embedText(t),
      dispose: async () => undefined,
      embedAudio: async (windows, timings) => {
        const vectors = await real.embedAudio(windows, timings);
        return vectors.map((v, i) => {
          if (windows[i].length !== poisonedLength) return v;
          // One all-NaN vector, one with a single Infinity.
          const bad = Float32Array.from(v);
          if (n++ % 2 === 0) bad.fill(NaN);
          else bad[3] = Infinity;
          return bad;
        });
      },
    };
    const folders = new FolderQueries(db).add([lib]);
    const jobs = new JobManager(db);
    const { jobId } = jobs.start('index', {}, (ctx) =>
      runIndexJob({ db, spaces: new VectorSpaces(db), embedder, settings: cfg.index, noEmbedderNote: '' }, folders, ctx),
    );
    const job = await jobs.wait(jobId);
    expect(job.state).toBe('done');
    summary = job.result as IndexSummary;
  });

  afterAll(async () => {
    await slot?.dispose();
    db?.close();
    tmp?.cleanup();
  });

  it('fails the files whose vectors are not finite, with a sentence, and indexes the rest', () => {
    expect(summary.added).toBe(1);
    expect(summary.failed.map((f) => [path.basename(f.path), f.error]).sort()).toEqual([
      ['inf.wav', NOT_FINITE_SENTENCE],
      ['nan.wav', NOT_FINITE_SENTENCE],
    ]);
  });

  it('stores no window and no embedding for them', () => {
    const files = new FileQueries(db);
    const rows = db.prepare('SELECT id, name, status, embed_space FROM files').all() as { id: number; name: string; status: string; embed_space: string | null }[];
    for (const r of rows) {
      if (r.name === 'good.wav') {
        expect(r).toMatchObject({ status: 'ok' });
        expect(r.embed_space).not.toBeNull();
      } else {
        expect(r).toMatchObject({ status: 'failed', embed_space: null });
        expect([...files.windowsBySpace(r.id).values()].flat()).toEqual([]);
      }
    }
  });
});
