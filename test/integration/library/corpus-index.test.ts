import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexSummary } from '../../../preload/contract/library';
import { createEngine, type Engine } from '../../../main/engine';
import { writeFixtures } from '../../fixtures';
import { runCli } from '../../helpers/cli';
import { corpusDir, corpusFiles, ffprobe, hasCorpus, hasFfprobe } from '../../helpers/corpus';
import { tempDir } from '../../helpers/tmp';

if (!hasCorpus) console.warn(`Skipping corpus tests: ${corpusDir} is absent`);

/** Real recordings from field recorders, DAWs and Ogg files index like any library. */
describe.skipIf(!hasCorpus)('indexing the shared corpus', () => {
  let tmp: { dir: string; cleanup: () => void };
  let engine: Engine;
  let summary: IndexSummary;

  beforeAll(async () => {
    tmp = tempDir();
    const fx = writeFixtures(path.join(tmp.dir, 'fx'));
    engine = await createEngine({ dbPath: path.join(tmp.dir, 'corpus.db'), modelsDir: fx.modelsDir });
    const job = await engine.waitForJob((await engine.call('library.index', { folders: [corpusDir] })).jobId);
    expect(job.state).toBe('done');
    summary = job.result as IndexSummary;
  });
  afterAll(async () => {
    await engine?.close();
    tmp?.cleanup();
  });

  it('indexes and embeds every file', async () => {
    expect(summary.failed).toEqual([]);
    expect(summary.added).toBe(corpusFiles().length);
    expect(summary.embedded).toBe(corpusFiles().length);
    const listed = (await engine.call('search.query', { filters: {}, limit: 1000 })).results;
    expect(listed.map((r) => r.path).sort()).toEqual(corpusFiles());
    // The 64 s whale song is long enough for several windows.
    const stats = await engine.call('library.stats', {});
    expect(stats.windows).toBeGreaterThan(corpusFiles().length + 5);
  });

  it('finds BWF files by words of their bext description and iXML', async () => {
    const bySceneTake = (await engine.call('search.query', { text: 'A101', limit: 20 })).results.map((r) => path.basename(r.path));
    expect(bySceneTake).toEqual(expect.arrayContaining(['sounddevices_A101_1.WAV', 'sounddevices_A101_3.WAV', 'sounddevices_A101_4.WAV']));
  });

  it.skipIf(!hasFfprobe)('cuebank meta agrees with ffprobe on format and bext', () => {
    for (const file of corpusFiles().filter((f) => /sounddevices_A101_1|protools_umid|nuendo_5\.1|humpback/.test(f))) {
      const r = runCli(['meta', file, '--json']);
      expect(r.status, file).toBe(0);
      const meta = JSON.parse(r.stdout);
      const probe = ffprobe(file);
      const s = probe.streams[0];
      expect(meta.format.channels, file).toBe(s.channels);
      expect(meta.format.sampleRate, file).toBe(Number(s.sample_rate));
      if (s.bits_per_sample) expect(meta.format.bitsPerSample, file).toBe(s.bits_per_sample);
      if (file.endsWith('.ogg')) expect(meta.format.frames, file).toBeCloseTo(Number(s.duration) * Number(s.sample_rate), -1);
      else expect(meta.format.frames, file).toBe(s.duration_ts);
      const tags = probe.format.tags ?? {};
      if (tags.time_reference !== undefined) {
        // ffmpeg reports bext description as "comment" and originator as "encoded_by".
        expect(meta.bext.timeReference, file).toBe(Number(tags.time_reference));
        expect(meta.bext.description.trim(), file).toBe((tags.description ?? tags.comment ?? '').trim());
        expect(meta.bext.originator, file).toBe(tags.originator ?? tags.encoded_by ?? '');
      }
    }
  });
});
