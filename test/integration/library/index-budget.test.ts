import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexSummary } from '../../../preload/contract/library';
import { createEngine, type Engine } from '../../../main/engine';
import { writeWavFile } from '../../../main/engine/audio';
import { writeFixtures } from '../../fixtures';
import { renderConcept } from '../../fixtures/sounds';
import { tempDir } from '../../helpers/tmp';

/**
 * The index job's per-file budget. The files are all valid WAVs; a reader worker that misbehaves on
 * purpose (test/fixtures/hostile-reader-worker.ts) does to some of them what a pathological file
 * can make a parser do: loop forever, fill its heap, take memory outside the heap, abort, throw.
 * Each such file must fail alone with a sentence, and every other file must index.
 */
describe('the index job under a per-file budget', () => {
  let tmp: { dir: string; cleanup: () => void };
  let engine: Engine;
  let summary: IndexSummary;
  let lib: string;
  const hostile = ['hang_1.wav', 'heap_1.wav', 'balloon_1.wav', 'swell_1.wav', 'exit_1.wav', 'throw_1.wav', 'deepmeta_1.wav'];
  const good = ['a_good_hum.wav', 'm_good_hiss.wav', 'z_good_hum.wav'];

  beforeAll(async () => {
    tmp = tempDir();
    const fx = writeFixtures(path.join(tmp.dir, 'fx'));
    lib = path.join(tmp.dir, 'lib');
    fs.mkdirSync(lib);
    const tone = (c: 'hum' | 'hiss') => ({ sampleRate: 48_000, channels: [renderConcept(c, { sampleRate: 48_000, seconds: 1 })] });
    for (const name of [...hostile, ...good]) writeWavFile(path.join(lib, name), tone(name.includes('hiss') ? 'hiss' : 'hum'));
    engine = await createEngine(
      { dbPath: path.join(tmp.dir, 'lib.db'), modelsDir: fx.modelsDir, index: { fileTimeoutSeconds: 2, fileMemoryMb: 96 } },
      { readerWorker: path.resolve(import.meta.dirname, '../../fixtures/hostile-reader-worker.ts') },
    );
    const job = await engine.waitForJob((await engine.call('library.index', { folders: [lib] })).jobId);
    expect(job.state).toBe('done');
    summary = job.result as IndexSummary;
  });

  afterAll(async () => {
    await engine?.close();
    tmp?.cleanup();
  });

  const reason = (name: string) => summary.failed.find((f) => path.basename(f.path) === name)?.error;

  it('fails exactly the files the reader could not finish, and indexes every other file', async () => {
    expect(summary.failed.map((f) => path.basename(f.path)).sort()).toEqual([...hostile].sort());
    expect(summary.added).toBe(good.length);
    const hits = (await engine.call('search.query', { text: 'hiss', limit: 1 })).results;
    expect(hits[0].name).toBe('m_good_hiss.wav');
  });

  it('says in words which budget a file went past', () => {
    expect(reason('hang_1.wav')).toBe('Reading this file took longer than 2 s; it was skipped.');
    for (const name of ['heap_1.wav', 'balloon_1.wav', 'swell_1.wav']) {
      expect(reason(name), name).toBe('Reading this file needed more than 96 MB of memory; it was skipped.');
    }
  });

  it('turns a crash or an internal error into a sentence about the file, and logs the internal message', () => {
    expect(reason('exit_1.wav')).toBe('Cuebank could not read this file: its WAV data is damaged.');
    expect(reason('throw_1.wav')).toBe('Cuebank could not read this file: its WAV data is damaged.');
    expect(reason('deepmeta_1.wav')).toBe('Cuebank could not read this file: its WAV data is damaged.');
    const log = fs.readFileSync(path.join(tmp.dir, 'lib-files', 'engine.log'), 'utf8');
    expect(log).toContain(`${path.join(lib, 'throw_1.wav')}: TypeError: Cannot read properties of null (reading '9')`);
    expect(log).toContain(`${path.join(lib, 'hang_1.wav')}: busy`);
    expect(log).toContain(`${path.join(lib, 'deepmeta_1.wav')}: a message from the reader could not be read`);
    for (const f of summary.failed) expect(f.error).not.toMatch(/TypeError|reading '9'|exit code|ERR_/);
  });

  it('keeps the failures, with their sentences, for the failures view', async () => {
    const listed = await engine.call('library.failures', {});
    expect(listed.map((f) => path.basename(f.path)).sort()).toEqual([...hostile].sort());
    for (const f of listed) expect(f.error).toBe(reason(path.basename(f.path)));
  });
});

describe('cancelling an index job while a file is being read', () => {
  it('stops the read at once, not when the file is done', async () => {
    const tmp = tempDir();
    const lib = path.join(tmp.dir, 'lib');
    fs.mkdirSync(lib);
    writeWavFile(path.join(lib, 'hang_forever.wav'), { sampleRate: 48_000, channels: [renderConcept('hum', { sampleRate: 48_000, seconds: 1 })] });
    // An hour's budget: only cancelling can end this job within the test's time.
    const engine = await createEngine(
      { dbPath: path.join(tmp.dir, 'c.db'), modelsDir: path.join(tmp.dir, 'no-models'), index: { fileTimeoutSeconds: 3600 } },
      { readerWorker: path.resolve(import.meta.dirname, '../../fixtures/hostile-reader-worker.ts') },
    );
    try {
      const { jobId } = await engine.call('library.index', { folders: [lib] });
      const reading = new Promise<void>((resolve) =>
        engine.on('jobs.update', (u) => {
          if (u.jobId === jobId && u.type === 'progress' && (u.progress.detail as { currentFile?: string }).currentFile?.endsWith('hang_forever.wav')) resolve();
        }),
      );
      await reading;
      expect(await engine.call('jobs.cancel', { jobId })).toEqual({ cancelled: true });
      expect((await engine.waitForJob(jobId)).state).toBe('cancelled');
    } finally {
      await engine.close();
      tmp.cleanup();
    }
  });
});
