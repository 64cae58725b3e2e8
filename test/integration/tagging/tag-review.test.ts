/**
 * The tagging channels through the engine, on the fixture library with the corpus beside it: the
 * language-model route (the fixture OpenAI-compatible server hears the concepts), a file that
 * fails while the rest go on, cancel, and the review queue (list, counts, accept above a
 * confidence, reject, edit) with the tag job leaving reviewed files alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../main/engine';
import type { TagPartial, TagSummary } from '../../../preload/contract/tagging';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { conceptsNamed, startFixtureLalmServer, type FixtureLalmServer } from '../../fixtures/lalm-server';
import { corpusDir, hasCorpus } from '../../helpers/corpus';
import { tempDir } from '../../helpers/tmp';

describe.skipIf(!hasCorpus)('tagging through the engine (fixture library with the corpus beside it)', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let lib: string;
  let db: string;
  let server: FixtureLalmServer;

  beforeAll(async () => {
    tmp = tempDir('cuebank-tagreview-');
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    lib = path.join(tmp.dir, 'lib');
    fs.cpSync(fx.libraryDir, lib, { recursive: true });
    db = path.join(tmp.dir, 'lib.db');
    server = await startFixtureLalmServer();
    const engine = await createEngine({ dbPath: db, modelsDir: fx.modelsDir });
    try {
      const job = await engine.waitForJob((await engine.call('library.index', { folders: [lib, corpusDir] })).jobId);
      expect(job.state).toBe('done');
    } finally {
      await engine.close();
    }
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    tmp?.cleanup();
  });

  const open = (lalmUrl: string | null) => createEngine({ dbPath: db, modelsDir: fx.modelsDir, tagging: { lalmUrl, concurrency: 3 } });
  const libFile = (e: { file: string }) => path.join(lib, ...e.file.split('/'));

  it('cancels a tag job, then captions with the language model, each request carrying the audio; a file that fails is reported and the rest go on', async () => {
    const engine: Engine = await open(server.url);
    try {
      const cancelled = await engine.call('tagging.start', { folders: [lib] });
      engine.call('jobs.cancel', { jobId: cancelled.jobId });
      expect((await engine.waitForJob(cancelled.jobId)).state).toBe('cancelled');

      // One file disappears after indexing: its audio cannot be read for the model.
      const gone = libFile(fx.library[1]);
      const kept = fs.readFileSync(gone);
      fs.rmSync(gone);
      const partials: TagPartial[] = [];
      const { jobId } = await engine.call('tagging.start', { folders: [lib] });
      const off = engine.on('jobs.update', (u) => u.jobId === jobId && u.type === 'partial' && partials.push(u.data as TagPartial));
      const job = await engine.waitForJob(jobId);
      off();
      fs.writeFileSync(gone, kept);
      expect(job.state).toBe('done');
      const summary = job.result as TagSummary;
      expect(summary.failed.map((f) => f.path)).toEqual([gone]);
      expect(partials.filter((p) => p.failure).map((p) => p.failure!.path)).toEqual([gone]);
      expect(summary.tagged).toBe(fx.library.length - 1);

      // Every caption came from the model, which was asked with the audio, and names the file's concept.
      const captionRequests = server.requests.filter((r) => /caption/i.test(r.question));
      expect(captionRequests.length).toBeGreaterThanOrEqual(2 * (fx.library.length - 1));
      for (const r of captionRequests) expect(r.audio?.seconds).toBeGreaterThan(0);
      for (const e of fx.library.filter((x) => x.concepts.length === 1)) {
        const f = summary.files.find((t) => t.path === libFile(e));
        if (!f) continue; // the file that failed
        expect(f.route).toBe('lalm');
        expect(conceptsNamed(f.caption), `${e.text}: "${f.caption}"`).toContain(e.concepts[0]);
      }
    } finally {
      await engine.close();
    }
  }, 240_000);

  it('reviews: lists and counts by filter, accepts above a confidence, rejects, edits, and a new job leaves reviewed files alone', async () => {
    const engine = await open(null);
    try {
      // The failed file from before has no tag yet: the next job tags just it.
      const job = await engine.waitForJob((await engine.call('tagging.start', { folders: [lib] })).jobId);
      expect((job.result as TagSummary).tagged).toBe(1);

      const suggested = await engine.call('tagging.list', { filter: 'suggested', folder: lib, limit: 1000 });
      expect(suggested.total).toBe(fx.library.length);
      expect(suggested.counts).toEqual({ untagged: 0, suggested: fx.library.length, accepted: 0 });
      for (const r of suggested.rows) {
        expect(r.alternatives).toHaveLength(3);
        expect(r.catId).toBe(r.alternatives[0].catId);
        expect(r.category).not.toBeNull();
      }
      // Sorted by confidence, best first.
      const conf = suggested.rows.map((r) => r.confidence!);
      expect([...conf].sort((a, b) => b - a)).toEqual(conf);

      const threshold = conf[Math.floor(conf.length / 2)];
      const above = conf.filter((c) => c >= threshold).length;
      expect((await engine.call('tagging.acceptAbove', { confidence: threshold, folder: lib })).accepted).toBe(above);
      const rest = (await engine.call('tagging.list', { filter: 'suggested', folder: lib, limit: 1000 })).rows;
      expect(rest).toHaveLength(fx.library.length - above);

      const rejected = rest[0];
      expect((await engine.call('tagging.reject', { fileIds: [rejected.fileId] })).rejected).toBe(1);
      const edited = rest[1];
      const row = await engine.call('tagging.set', { fileId: edited.fileId, caption: 'a far thunder roll', catId: 'thun' });
      expect(row).toMatchObject({ source: 'edited', catId: 'THUN', category: 'WEATHER', caption: 'a far thunder roll' });
      const counts = (await engine.call('tagging.list', { filter: 'untagged', folder: lib, limit: 10 })).counts;
      expect(counts).toEqual({ untagged: 1, suggested: fx.library.length - above - 2, accepted: above + 1 });
      const detail = await engine.call('tagging.get', { fileId: edited.fileId });
      expect(detail.history.map((h) => h.source)).toEqual(['suggested', 'edited']);

      // Accepting a rejected or edited file changes nothing; bad selections are clear errors.
      expect((await engine.call('tagging.accept', { fileIds: [rejected.fileId, edited.fileId] })).accepted).toBe(0);
      await expect(engine.call('tagging.accept', { paths: [path.join(tmp.dir, 'nowhere.wav')] })).rejects.toMatchObject({ code: 'not_found' });
      await expect(engine.call('tagging.accept', {})).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(engine.call('tagging.start', { folders: [tmp.dir + '-elsewhere'] })).rejects.toMatchObject({ code: 'not_found' });

      // A new job: everything reviewed (accepted, edited, rejected) or current is left alone.
      const again = await engine.waitForJob((await engine.call('tagging.start', { folders: [lib] })).jobId);
      expect(again.result).toMatchObject({ tagged: 0, skipped: fx.library.length, failed: [] });
      expect((await engine.call('tagging.get', { fileId: rejected.fileId })).source).toBe('rejected');
    } finally {
      await engine.close();
    }
  }, 240_000);
});
