import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportSummary } from '../../../preload/contract/projects';
import { decodeFile, writeWavFile } from '../../../main/engine/audio';
import { createEngine, type Engine } from '../../../main/engine';
import { commitTemp, isTempName, removeStaleTemps, writeFileAtomic, writeTemp } from '../../../main/engine/export/atomic-write';
import { csvCell } from '../../../main/engine/export/manifest';
import { variationSpeeds } from '../../../main/engine/export/plan';
import { tempDir } from '../../helpers/tmp';

function tone(seconds: number, freq: number, amp = 0.3, sr = 48_000): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * sr) }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / sr));
}

describe('atomic writes', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('writes under a hidden temporary name, then moves it; no-clobber never replaces', () => {
    const final = path.join(tmp.dir, 'a.wav');
    const t = writeTemp(final, Buffer.from('one'));
    expect(isTempName(path.basename(t))).toBe(true);
    expect(path.basename(t).startsWith('.a.wav.cuebank-partial-')).toBe(true);
    expect(fs.existsSync(final)).toBe(false);
    expect(commitTemp(t, final, false)).toBe(true);
    expect(fs.readFileSync(final, 'utf8')).toBe('one');
    expect(writeFileAtomic(final, 'two', false)).toBe(false);
    expect(fs.readFileSync(final, 'utf8')).toBe('one');
    expect(writeFileAtomic(final, 'three', true)).toBe(true);
    expect(fs.readFileSync(final, 'utf8')).toBe('three');
    expect(fs.readdirSync(tmp.dir)).toEqual(['a.wav']);
  });

  it('removes stale temporary files of dead processes only', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    fs.writeFileSync(path.join(tmp.dir, `.x.wav.cuebank-partial-${deadPid}-0123abcd`), 'half');
    fs.writeFileSync(path.join(tmp.dir, `.y.wav.cuebank-partial-${process.ppid}-0123abcd`), 'live');
    fs.writeFileSync(path.join(tmp.dir, 'x.wav'), 'final');
    fs.writeFileSync(path.join(tmp.dir, '.x.wav.partial'), 'not ours');
    expect(removeStaleTemps(tmp.dir)).toBe(1);
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(['.x.wav.partial', `.y.wav.cuebank-partial-${process.ppid}-0123abcd`, 'x.wav']);
  });
});

describe('variations', () => {
  it('are distinct whole-percent speeds, the same for the same seed and item', () => {
    const v = variationSpeeds({ count: 4, amount: 0.04, seed: 9 }, 'item-1');
    expect(v[0]).toBe(1);
    expect(new Set(v).size).toBe(5);
    for (const s of v.slice(1)) {
      expect(Math.abs(s - 1)).toBeLessThanOrEqual(0.04 + 1e-12);
      expect(Math.round(s * 100)).toBeCloseTo(s * 100, 9);
    }
    expect(variationSpeeds({ count: 4, amount: 0.04, seed: 9 }, 'item-1')).toEqual(v);
    expect(variationSpeeds({ count: 4, amount: 0.04, seed: 10 }, 'item-1')).not.toEqual(v);
    expect(() => variationSpeeds({ count: 5, amount: 0.02, seed: 1 }, 'i')).toThrow(/at least 0.03/);
  });
});

describe('export job', () => {
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
    const files = [220, 330].map((f) => {
      const file = path.join(tmp.dir, `tone${f}.wav`);
      writeWavFile(file, { sampleRate: 44_100, channels: [tone(1, f, 0.3, 44_100)] }, 'pcm24');
      return file;
    });
    const a = await engine.call('projects.addItems', { projectId, sources: [{ path: files[0] }], fields: { catId: 'DOORWood', fxName: 'Slam', creatorId: 'JD', sourceId: 'HB' } });
    const b = await engine.call('projects.addItems', { projectId, sources: [{ path: files[1] }], fields: { name: 'Creak long' } });
    itemIds = [a[0].id, b[0].id];
  });
  afterEach(async () => {
    await engine.close();
    tmp.cleanup();
  });

  const exportWith = async (onConflict: 'skip' | 'overwrite' | 'keep-both', extra: Record<string, unknown> = {}) => {
    const { jobId } = await engine.call('projects.export', { projectId, outDir: out, onConflict, ...extra });
    const job = await engine.waitForJob(jobId);
    expect(job.state).toBe('done');
    return job.result as ExportSummary;
  };

  it('plans UCS names for items with a CatID and plain names otherwise, and reports clashes', async () => {
    const plan = await engine.call('projects.exportPlan', { projectId, outDir: out });
    expect(plan.files.map((f) => [f.fileName, f.naming, f.clash])).toEqual([
      ['DOORWood_Slam_JD_HB.wav', 'ucs', false],
      ['Creak long.wav', 'plain', false],
    ]);
    expect(plan.manifest.csv).toBe(path.join(out, 'Harbour Level_manifest.csv'));
    await exportWith('skip');
    const again = await engine.call('projects.exportPlan', { projectId, outDir: out, settings: { format: { container: 'flac', bits: 16 } } });
    expect(again.clashes).toBe(0);
    expect((await engine.call('projects.exportPlan', { projectId, outDir: out })).clashes).toBe(2);
  });

  it('skip leaves existing files untouched and reports them; overwrite replaces only when asked; keep-both adds numbered names', async () => {
    const first = await exportWith('skip');
    expect(first.written.map((w) => path.basename(w.path))).toEqual(['DOORWood_Slam_JD_HB.wav', 'Creak long.wav']);
    const ucsFile = first.written[0].path;
    const bytes = fs.readFileSync(ucsFile);
    const mtime = fs.statSync(ucsFile).mtimeMs;

    const skipped = await exportWith('skip', { settings: { normalize: { mode: 'peak', peakDb: -6 } } });
    expect(skipped.written).toEqual([]);
    expect(skipped.skipped.map((s) => [s.item, path.basename(s.path)])).toEqual([
      ['tone220', 'DOORWood_Slam_JD_HB.wav'],
      ['Creak long', 'Creak long.wav'],
    ]);
    expect(skipped.skipped[0].reason).toMatch(/exists/);
    expect(fs.readFileSync(ucsFile).equals(bytes)).toBe(true);
    expect(fs.statSync(ucsFile).mtimeMs).toBe(mtime);

    const kept = await exportWith('keep-both', { settings: { normalize: { mode: 'peak', peakDb: -6 } } });
    expect(kept.written.map((w) => [path.basename(w.path), w.renamed])).toEqual([
      ['DOORWood_Slam_JD_HB_2.wav', true],
      ['Creak long_2.wav', true],
    ]);
    expect(fs.readFileSync(ucsFile).equals(bytes)).toBe(true);

    // Per-file overrides win over the policy.
    const mixed = await exportWith('skip', { settings: { normalize: { mode: 'peak', peakDb: -6 } }, overrides: { [itemIds[0]]: 'overwrite' } });
    expect(mixed.written.map((w) => [path.basename(w.path), w.replaced])).toEqual([['DOORWood_Slam_JD_HB.wav', true]]);
    expect(mixed.skipped.map((s) => s.item)).toEqual(['Creak long']);
    const { audio } = await decodeFile(ucsFile);
    const peak = audio.channels[0].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(20 * Math.log10(peak)).toBeCloseTo(-6, 1);
    expect(fs.readdirSync(out).filter(isTempName)).toEqual([]);
  });

  it('numbers two items that would share a name, whatever the policy', async () => {
    await engine.call('projects.updateItem', { itemId: itemIds[1], fields: { catId: 'DOORWood', fxName: 'Slam', creatorId: 'JD', sourceId: 'HB' } });
    const plan = await engine.call('projects.exportPlan', { projectId, outDir: out });
    expect(plan.files.map((f) => [f.fileName, f.duplicate])).toEqual([
      ['DOORWood_Slam_JD_HB.wav', false],
      ['DOORWood_Slam_JD_HB_2.wav', true],
    ]);
    const s = await exportWith('skip');
    expect(s.written.map((w) => path.basename(w.path))).toEqual(['DOORWood_Slam_JD_HB.wav', 'DOORWood_Slam_JD_HB_2.wav']);
  });

  it('reports a failing item and exports the rest', async () => {
    const { items } = await engine.call('projects.get', { projectId });
    fs.rmSync(items[0].audioPath);
    const s = await exportWith('skip');
    expect(s.failed).toEqual([{ key: itemIds[0], itemId: itemIds[0], item: 'tone220', error: expect.stringMatching(/audio is missing/) }]);
    expect(s.written.map((w) => w.item)).toEqual(['Creak long']);
  });

  it('writes variations with numbered FXNames and the speeds in the manifest', async () => {
    const s = await exportWith('skip', { settings: { variations: { count: 2, amount: 0.03, seed: 5 } }, itemIds: [itemIds[0]] });
    expect(s.written.map((w) => path.basename(w.path))).toEqual(['DOORWood_Slam 01_JD_HB.wav', 'DOORWood_Slam 02_JD_HB.wav', 'DOORWood_Slam 03_JD_HB.wav']);
    expect(s.written[0].speed).toBe(1);
    for (const w of s.written.slice(1)) {
      expect(w.speed).not.toBe(1);
      expect(w.duration).toBeCloseTo(1 / w.speed, 3);
    }
  });

  it('writes a CSV and JSON manifest listing written, skipped and failed files with their loudness', async () => {
    await exportWith('skip', { itemIds: [itemIds[0]] });
    const { items } = await engine.call('projects.get', { projectId });
    fs.rmSync(items[1].audioPath);
    const s = await exportWith('skip', { settings: { normalize: { mode: 'loudness', lufs: -20, truePeakDb: -1 }, channels: 'stereo' } });
    expect(s.manifest).toEqual({ csv: path.join(out, 'Harbour Level_manifest.csv'), json: path.join(out, 'Harbour Level_manifest.json') });

    const json = JSON.parse(fs.readFileSync(s.manifest.json, 'utf8'));
    expect(json.project).toBe('Harbour_Level');
    expect(json.settings.normalize).toEqual({ mode: 'loudness', lufs: -20, truePeakDb: -1 });
    expect(json.files.map((f: { status: string; path: string }) => [f.status, f.path])).toEqual([
      ['skipped', 'DOORWood_Slam_JD_HB.wav'],
      ['failed', ''],
    ]);
    expect(json.files[1].reason).toMatch(/missing/);

    // A fresh folder: every file written, with loudness from the processed audio.
    const out2 = path.join(tmp.dir, 'out2');
    const { jobId } = await engine.call('projects.export', {
      projectId,
      outDir: out2,
      onConflict: 'skip',
      itemIds: [itemIds[0]],
      settings: { normalize: { mode: 'loudness', lufs: -20, truePeakDb: -1 }, channels: 'stereo', format: { container: 'flac', bits: 16 } },
    });
    const done = (await engine.waitForJob(jobId)).result as ExportSummary;
    const csv = fs.readFileSync(done.manifest.csv, 'utf8').trim().split('\r\n');
    const header = csv[0].split(',');
    expect(header).toEqual([
      'status', 'path', 'item', 'itemId', 'variation', 'source', 'format', 'encoding', 'sampleRate', 'bits', 'channels', 'duration',
      'integratedLufs', 'truePeakDbtp', 'samplePeakDbfs', 'loudnessRangeLu', 'gainDb', 'ceilingLimited', 'speed', 'run', 'writtenAt', 'settings', 'reason',
    ]);
    expect(csv).toHaveLength(2);
    const row = Object.fromEntries(parseCsvLine(csv[1]).map((v, i) => [header[i], v]));
    expect(row).toMatchObject({ status: 'written', path: 'DOORWood_Slam_JD_HB.flac', item: 'tone220', format: 'flac', encoding: 'flac16', sampleRate: '48000', bits: '16', channels: '2', duration: '1' });
    expect(Number(row.integratedLufs)).toBeCloseTo(-20, 1);
    expect(Number(row.integratedLufs)).toBeCloseTo(done.written[0].loudness.integrated!, 1);
    expect(Number(row.truePeakDbtp)).toBeLessThanOrEqual(-1);
    expect(row.source).toBe(path.join(tmp.dir, 'tone220.wav'));
    expect(row.settings).toBe('flac 16-bit 48000 Hz stereo; loudness -20 LUFS ceiling -1 dBTP');
  });

  it('CSV cells are quoted where needed and formulas defused', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell(-3.5)).toBe('-3.5');
    expect(csvCell(null)).toBe('');
  });

  it('cancel stops the export and leaves no partial file under a final name', async () => {
    const long = path.join(tmp.dir, 'long.wav');
    writeWavFile(long, { sampleRate: 44_100, channels: [tone(60, 100, 0.3, 44_100), tone(60, 150, 0.3, 44_100)] }, 'pcm16');
    await engine.call('projects.addItems', { projectId, sources: [{ path: long }] });
    const { jobId } = await engine.call('projects.export', { projectId, outDir: out, onConflict: 'skip' });
    const off = engine.on('jobs.update', (u) => {
      if (u.jobId === jobId && u.type === 'partial') void engine.call('jobs.cancel', { jobId });
    });
    const job = await engine.waitForJob(jobId);
    off();
    expect(job.state).toBe('cancelled');
    const names = fs.readdirSync(out);
    expect(names.filter(isTempName)).toEqual([]);
    expect(names).not.toContain('long.wav');
    expect(names).toContain('DOORWood_Slam_JD_HB.wav');
  });
});

function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') cells.push(cur), (cur = '');
    else cur += c;
  }
  cells.push(cur);
  return cells;
}
