import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexSummary } from '../../../preload/contract/library';
import { createEngine, type Engine } from '../../../main/engine';
import { encodeWav, writeWavFile } from '../../../main/engine/audio';
import { writeFixtures } from '../../fixtures';
import { renderConcept } from '../../fixtures/sounds';
import { tempDir } from '../../helpers/tmp';

/** A library where every kind of bad input sits next to good files. */
describe('a library with broken files', () => {
  let tmp: { dir: string; cleanup: () => void };
  let engine: Engine;
  let summary: IndexSummary;
  let lib: string;
  const partials: string[] = [];
  const isRoot = process.getuid?.() === 0;

  beforeAll(async () => {
    tmp = tempDir();
    const fx = writeFixtures(path.join(tmp.dir, 'fx'));
    lib = path.join(tmp.dir, 'lib');
    fs.mkdirSync(path.join(lib, 'bad'), { recursive: true });
    const tone = (c: 'hum' | 'hiss') => ({ sampleRate: 48_000, channels: [renderConcept(c, { sampleRate: 48_000, seconds: 1 })] });
    writeWavFile(path.join(lib, 'good_hum.wav'), tone('hum'));
    writeWavFile(path.join(lib, 'good_hiss.wav'), tone('hiss'));
    const wav = encodeWav(tone('hum'));
    fs.writeFileSync(path.join(lib, 'bad', 'empty.wav'), Buffer.alloc(0));
    fs.writeFileSync(path.join(lib, 'bad', 'truncated_header.wav'), wav.subarray(0, 30));
    let x = 12345;
    const random = Buffer.alloc(4096, 0).map(() => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24) & 0xff);
    fs.writeFileSync(path.join(lib, 'bad', 'random_bytes.wav'), random);
    fs.writeFileSync(path.join(lib, 'bad', 'notes.mp3'), 'These are my session notes, not audio.\n'.repeat(20));
    fs.symlinkSync(path.join(lib, 'bad', 'loop_b.wav'), path.join(lib, 'bad', 'loop_a.wav'));
    fs.symlinkSync(path.join(lib, 'bad', 'loop_a.wav'), path.join(lib, 'bad', 'loop_b.wav'));
    fs.symlinkSync(lib, path.join(lib, 'bad', 'folder_loop'));
    fs.writeFileSync(path.join(lib, 'bad', 'unreadable.wav'), wav);
    fs.chmodSync(path.join(lib, 'bad', 'unreadable.wav'), 0o000);
    // Readable oddities that must index: a WAV named .mp3, and a WAV whose data chunk was cut short.
    fs.writeFileSync(path.join(lib, 'mislabelled.mp3'), wav);
    fs.writeFileSync(path.join(lib, 'cut_short.wav'), wav.subarray(0, wav.length - 20_000));

    engine = await createEngine({ dbPath: path.join(tmp.dir, 'lib.db'), modelsDir: fx.modelsDir });
    engine.on('jobs.update', (u) => {
      if (u.type === 'partial') partials.push((u.data as { failure: { path: string } }).failure.path);
    });
    const { jobId } = await engine.call('library.index', { folders: [lib] });
    const job = await engine.waitForJob(jobId);
    expect(job.state).toBe('done');
    summary = job.result as IndexSummary;
  });

  afterAll(async () => {
    await engine?.close();
    fs.chmodSync(path.join(lib, 'bad', 'unreadable.wav'), 0o644);
    tmp?.cleanup();
  });

  const failure = (name: string) => summary.failed.find((f) => path.basename(f.path) === name);

  it('indexes every readable file', async () => {
    const ok = ['good_hum.wav', 'good_hiss.wav', 'mislabelled.mp3', 'cut_short.wav'];
    const files = (await engine.call('search.query', { filters: {}, limit: 100 })).results.map((r) => r.name).sort();
    expect(files).toEqual(expect.arrayContaining(ok));
    expect(summary.added).toBe(ok.length + (isRoot ? 1 : 0));
    const hits = (await engine.call('search.query', { text: 'hiss', limit: 1 })).results;
    expect(hits[0].name).toBe('good_hiss.wav');
  });

  it('lists each failure with its reason', () => {
    expect(failure('empty.wav')?.error).toMatch(/empty/i);
    expect(failure('truncated_header.wav')?.error).toMatch(/truncated|cut off|too short/i);
    expect(failure('random_bytes.wav')?.error).toMatch(/not an audio file|unrecognised|unknown/i);
    expect(failure('notes.mp3')?.error).toMatch(/text/i);
    expect(failure('loop_a.wav')?.error).toBe('Symbolic link loop');
    expect(failure('loop_b.wav')?.error).toBe('Symbolic link loop');
    if (!isRoot) expect(failure('unreadable.wav')?.error).toMatch(/permission/i);
    expect(summary.failed.filter((f) => f.path.includes('folder_loop'))).toEqual([]);
    const stored = summary.failed.map((f) => path.basename(f.path)).sort();
    expect(stored).toEqual(
      ['empty.wav', 'loop_a.wav', 'loop_b.wav', 'notes.mp3', 'random_bytes.wav', 'truncated_header.wav', ...(isRoot ? [] : ['unreadable.wav'])].sort(),
    );
  });

  it('reports each failure while the job runs, not only at the end', () => {
    expect(partials.sort()).toEqual(summary.failed.map((f) => f.path).sort());
  });

  it('keeps file failures in the library for the failures view', async () => {
    const listed = (await engine.call('library.failures', {})).map((f) => path.basename(f.path)).sort();
    expect(listed).toEqual(['empty.wav', 'notes.mp3', 'random_bytes.wav', 'truncated_header.wav', ...(isRoot ? [] : ['unreadable.wav'])].sort());
  });

  it('follows the folder loop once: no file twice', async () => {
    const stats = await engine.call('library.stats', {});
    expect(stats.files - stats.failed).toBe(summary.added);
  });

  it('records a warning for oddities it could read', async () => {
    const cut = await engine.call('library.meta', { path: path.join(lib, 'cut_short.wav') });
    expect(cut.warnings.join(' ')).toMatch(/short|truncat/i);
    const mislabelled = await engine.call('library.meta', { path: path.join(lib, 'mislabelled.mp3') });
    expect(mislabelled.format.container).toBe('wav');
    expect(mislabelled.warnings.join(' ')).toMatch(/named|extension|\.mp3/i);
  });
});
