import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportSummary } from '../../../preload/contract/projects';
import { writeWavFile } from '../../../main/engine/audio';
import { createEngine, type Engine } from '../../../main/engine';
import { parseCsv } from '../../../main/engine/export/manifest-record';
import { tempDir } from '../../helpers/tmp';

function tone(seconds: number, freq: number, amp: number, sr = 44_100): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * sr) }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / sr));
}

interface Row {
  status: string;
  path: string;
  item: string;
  integratedLufs: number | null;
  truePeakDbtp: number | null;
  samplePeakDbfs: number | null;
  duration: number | null;
  run: string | null;
  writtenAt: string | null;
  reason: string;
}

/** Exporting again into the same folder must not lose what the folder's manifest knew. */
describe('the export record', () => {
  let tmp: { dir: string; cleanup: () => void };
  let engine: Engine;
  let projectId: string;
  let out: string;
  let itemIds: string[];

  beforeEach(async () => {
    tmp = tempDir();
    out = path.join(tmp.dir, 'out');
    engine = await createEngine({ dbPath: path.join(tmp.dir, 'w.db'), modelsDir: path.join(tmp.dir, 'models') });
    projectId = (await engine.call('projects.create', { name: 'Harbour_Level' })).id;
    itemIds = [];
    // Three items of different levels, so carried-over loudness figures cannot pass by coincidence.
    for (const [f, amp] of [[220, 0.5], [330, 0.1], [440, 0.25]] as const) {
      const file = path.join(tmp.dir, `tone${f}.wav`);
      writeWavFile(file, { sampleRate: 44_100, channels: [tone(1, f, amp)] }, 'pcm24');
      itemIds.push((await engine.call('projects.addItems', { projectId, sources: [{ path: file }] }))[0].id);
    }
  });
  afterEach(async () => {
    await engine.close();
    tmp.cleanup();
  });

  const exportSkip = async (extra: Record<string, unknown> = {}) => {
    const job = await engine.waitForJob((await engine.call('projects.export', { projectId, outDir: out, onConflict: 'skip', ...extra })).jobId);
    expect(job.state).toBe('done');
    return job.result as ExportSummary;
  };
  const manifest = (s: ExportSummary) => JSON.parse(fs.readFileSync(s.manifest.json, 'utf8')) as { run: string; exportedAt: string; files: Row[] };
  const audioFiles = () => fs.readdirSync(out).filter((n) => n.endsWith('.wav')).sort();
  const byPath = (rows: Row[]) => new Map(rows.map((r) => [r.path, r]));

  it('exported twice with skip, still records every file in the folder with its loudness, peaks and the run that wrote it', async () => {
    const first = await exportSkip({ itemIds: itemIds.slice(0, 2) });
    const m1 = manifest(first);
    expect(first.written).toHaveLength(2);
    for (const r of m1.files) expect(r).toMatchObject({ status: 'written', run: m1.run, writtenAt: m1.exportedAt });

    const second = await exportSkip();
    expect(second.written.map((w) => path.basename(w.path))).toEqual(['tone440.wav']);
    expect(second.skipped).toHaveLength(2);
    const m2 = manifest(second);
    expect(m2.run).not.toBe(m1.run);
    const rows = byPath(m2.files);
    expect([...rows.keys()].sort()).toEqual(audioFiles());
    for (const before of m1.files) {
      const now = rows.get(before.path)!;
      expect(now.status).toBe('skipped');
      // The figures of the run that wrote the file, not nulls, and that run named.
      for (const k of ['integratedLufs', 'truePeakDbtp', 'samplePeakDbfs', 'duration'] as const) {
        expect(now[k], `${before.path} ${k}`).toBe(before[k]);
        expect(now[k]).not.toBeNull();
      }
      expect(now.run).toBe(m1.run);
      expect(now.writtenAt).toBe(m1.exportedAt);
    }
    expect(rows.get('tone440.wav')).toMatchObject({ status: 'written', run: m2.run });
    // Levels differ by item: 0.5 is louder than 0.1 by about 14 dB.
    expect(rows.get('tone220.wav')!.integratedLufs! - rows.get('tone330.wav')!.integratedLufs!).toBeCloseTo(20 * Math.log10(5), 0);

    // A third run that exports only one item keeps the rows of the other files in the folder.
    const third = await exportSkip({ itemIds: [itemIds[2]] });
    const rows3 = byPath(manifest(third).files);
    expect([...rows3.keys()].sort()).toEqual(audioFiles());
    expect(rows3.get('tone220.wav')).toMatchObject({ status: 'kept', run: m1.run, integratedLufs: rows.get('tone220.wav')!.integratedLufs });
    expect(rows3.get('tone440.wav')).toMatchObject({ status: 'skipped', run: m2.run });

    // The CSV says the same.
    const [header, ...lines] = parseCsv(fs.readFileSync(third.manifest.csv, 'utf8'));
    const csvRows = lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
    expect(csvRows.map((r) => r.path).sort()).toEqual(audioFiles());
    expect(Number(csvRows.find((r) => r.path === 'tone330.wav')!.integratedLufs)).toBe(rows.get('tone330.wav')!.integratedLufs);
  });

  it('falls back to the CSV when the JSON manifest is damaged, and measures again when both are', async () => {
    const first = await exportSkip();
    const m1 = byPath(manifest(first).files);
    fs.writeFileSync(first.manifest.json, '{"files": [ this is not json');
    const second = await exportSkip();
    const fromCsv = byPath(manifest(second).files);
    expect(fromCsv.get('tone330.wav')).toMatchObject({ status: 'skipped', integratedLufs: m1.get('tone330.wav')!.integratedLufs, run: expect.any(String) });

    fs.rmSync(second.manifest.json);
    fs.writeFileSync(second.manifest.csv, 'garbage\r\n1,2,3\r\n');
    const third = await exportSkip();
    const measured = byPath(manifest(third).files);
    expect([...measured.keys()].sort()).toEqual(audioFiles());
    for (const [p, r] of measured) {
      expect(r.status).toBe('skipped');
      expect(r.run).toBeNull();
      expect(r.reason).toMatch(/measured again/);
      // Measured from the file itself: the same figures (to 0.01) the run that wrote it recorded.
      expect(r.integratedLufs).toBeCloseTo(m1.get(p)!.integratedLufs!, 1);
      expect(r.samplePeakDbfs).toBeCloseTo(m1.get(p)!.samplePeakDbfs!, 1);
    }
  });

  it('ignores rows that lead outside the folder or describe files no longer there', async () => {
    const first = await exportSkip({ itemIds: [itemIds[0]] });
    const m = manifest(first);
    const outside = path.join(tmp.dir, 'outside.wav');
    fs.copyFileSync(path.join(out, 'tone220.wav'), outside);
    m.files.push({ ...m.files[0], path: '../outside.wav' }, { ...m.files[0], path: 'gone.wav' }, { ...m.files[0], path: outside });
    fs.writeFileSync(first.manifest.json, JSON.stringify(m));
    const second = await exportSkip({ itemIds: [itemIds[1]] });
    expect(manifest(second).files.map((r) => [r.status, r.path]).sort()).toEqual([
      ['kept', 'tone220.wav'],
      ['written', 'tone330.wav'],
    ]);
  });
});
