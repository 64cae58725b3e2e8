import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFile, readMeta, writeWavFile } from '../../../main/engine/audio';
import { isTempName } from '../../../main/engine/export/atomic-write';
import { runCli, startCli } from '../../helpers/cli';
import { tempDir } from '../../helpers/tmp';
import { ffprobe } from '../audio/tools';

/** Synthesised sounds with real content: a decaying noise burst (stereo), a tone (mono), a chirp at 96 kHz. */
function burst(seconds: number, sr: number, seed: number): Float32Array[] {
  let s = seed;
  const rnd = () => ((s = (s * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32) * 2 - 1;
  const n = Math.round(seconds * sr);
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const env = Math.exp((-3 * i) / n);
    l[i] = 0.5 * env * rnd();
    r[i] = 0.5 * env * rnd();
  }
  return [l, r];
}

function tone(seconds: number, sr: number, freq: number, amp: number): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * sr) }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / sr));
}

function chirp(seconds: number, sr: number): Float32Array {
  const n = Math.round(seconds * sr);
  return Float32Array.from({ length: n }, (_, i) => {
    const t = i / sr;
    return 0.2 * Math.sin(2 * Math.PI * (200 * t + (2000 * t * t) / (2 * seconds)));
  });
}

/** Integrated loudness as ffmpeg's ebur128 filter measures it (the "I:" line of its summary). */
function ffmpegIntegrated(file: string): number {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-filter_complex', 'ebur128', '-f', 'null', '-'], { encoding: 'utf8' });
  const summary = r.stderr.slice(r.stderr.lastIndexOf('Summary:'));
  const m = /I:\s+(-?[\d.]+) LUFS/.exec(summary);
  if (!m) throw new Error(`no integrated loudness from ffmpeg for ${file}: ${r.stderr.slice(-500)}`);
  return Number(m[1]);
}

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const finals = (dir: string) => fs.readdirSync(dir).filter((n) => !isTempName(n) && !n.includes('_manifest.')).sort();

describe('cuebank project / export (CLI)', () => {
  let tmp: { dir: string; cleanup: () => void };
  let db: string;
  const src: Record<string, string> = {};

  beforeAll(() => {
    tmp = tempDir();
    db = path.join(tmp.dir, 'work.db');
    const dir = path.join(tmp.dir, 'generated');
    fs.mkdirSync(dir);
    src.burst = path.join(dir, 'burst.wav');
    src.tone = path.join(dir, 'tone.wav');
    src.chirp = path.join(dir, 'chirp.wav');
    writeWavFile(src.burst, { sampleRate: 44_100, channels: burst(2, 44_100, 7) }, 'pcm16');
    writeWavFile(src.tone, { sampleRate: 48_000, channels: [tone(1.5, 48_000, 660, 0.4)] }, 'pcm24');
    writeWavFile(src.chirp, { sampleRate: 96_000, channels: [chirp(3, 96_000)] }, 'float32');
  });
  afterAll(() => tmp?.cleanup());

  const cli = (args: string[]) => runCli([...args, '--db', db]);
  const json = (args: string[]) => {
    const r = cli([...args, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('creates a project, adds generated sounds with UCS fields, refuses a bad CatID with close matches', () => {
    expect(cli(['project', 'create', 'Harbour']).status).toBe(0);
    const added = json(['project', 'add', 'Harbour', src.burst, src.tone, '--catid', 'doorwood', '--fxname', 'Front Door', '--creator', 'JD', '--source', 'HARB', '--description', 'Harbour gate slam']);
    expect(added).toHaveLength(2);
    expect(added[0]).toMatchObject({ name: 'burst', catId: 'DOORWood', fxName: 'Front Door', source: 'file' });
    json(['project', 'add', 'Harbour', src.chirp, '--catid', 'METLImpt', '--fxname', 'Chain_Rattle?', '--creator', 'JD', '--source', 'HARB']);

    const bad = cli(['project', 'add', 'Harbour', src.tone, '--catid', 'DOORWod']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    const lines = bad.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cuebank: Unknown UCS CatID "DOORWod"; close matches: DOORWood \(DOORS \/ WOOD\)/);

    expect(json(['project', 'list'])).toEqual([expect.objectContaining({ name: 'Harbour', items: 3 })]);
    expect(cli(['project', 'list']).stdout).toBe('Harbour  (3 items)\n');
  });

  it('exports WAV at 48 kHz normalised to −23 LUFS: ffprobe, bext v2, iXML USER and ASWG, ffmpeg loudness', async () => {
    const out = path.join(tmp.dir, 'wav');
    const summary = json(['export', 'Harbour', '--out', out, '--format', 'wav', '--rate', '48000', '--bits', '24', '--lufs', '-23', '--true-peak', '-1']);
    expect(summary.failed).toEqual([]);
    expect(summary.skipped).toEqual([]);
    expect(summary.written.map((w: { path: string }) => path.basename(w.path))).toEqual([
      'DOORWood_Front Door_JD_HARB.wav',
      'DOORWood_Front Door_JD_HARB_2.wav',
      'METLImpt_Chain Rattle_JD_HARB.wav',
    ]);
    const channels = [2, 1, 1];
    for (const [i, w] of summary.written.entries()) {
      expect(Object.keys(w)).toEqual(expect.arrayContaining(['path', 'item', 'loudness', 'truePeak']));
      const stream = ffprobe(w.path).streams[0];
      expect(stream).toMatchObject({ codec_name: 'pcm_s24le', sample_rate: '48000', bits_per_sample: 24, channels: channels[i] });
      expect(w.truePeak).toBeLessThanOrEqual(-1 + 1e-6);
      expect(Math.abs(ffmpegIntegrated(w.path) - -23)).toBeLessThanOrEqual(0.2);
      expect(w.loudness).toBeCloseTo(-23, 1);
    }

    const meta = await readMeta(summary.written[0].path);
    expect(meta.bext).toMatchObject({ version: 2, description: 'Harbour gate slam', originator: 'Cuebank' });
    expect(meta.bext!.loudnessValue).toBeCloseTo(-23, 1);
    expect(meta.bext!.maxTruePeakLevel!).toBeLessThanOrEqual(-1);
    expect(meta.bext!.maxTruePeakLevel).toBeCloseTo(summary.written[0].truePeak, 1);
    // A decaying burst: its loudest 400 ms are louder than its integrated loudness.
    expect(meta.bext!.maxMomentaryLoudness!).toBeGreaterThan(-23);
    expect(meta.bext!.maxMomentaryLoudness!).toBeLessThan(-10);
    expect(meta.bext!.codingHistory).toMatch(/A=PCM,F=48000,W=24,M=stereo/);
    const ixml = meta.ixml as { USER: Record<string, string>; ASWG: Record<string, string> };
    expect(ixml.USER).toMatchObject({ CATEGORY: 'DOORS', SUBCATEGORY: 'WOOD', CATID: 'DOORWood', FXNAME: 'Front Door', DESCRIPTION: 'Harbour gate slam', DESIGNER: 'JD', LIBRARY: 'HARB' });
    expect(ixml.ASWG).toMatchObject({ category: 'DOORS', subCategory: 'WOOD', catId: 'DOORWood', fxName: 'Front Door', creatorId: 'JD', sourceId: 'HARB', isLoop: 'false', isGenerated: 'false' });
    expect(Number.parseFloat(ixml.ASWG.loudness)).toBeCloseTo(-23, 1);
    const chirpMeta = await readMeta(summary.written[2].path);
    // 3 s: long enough for a short-term (3 s) block, so bext v2 carries its maximum and the loudness range.
    expect(chirpMeta.bext!.maxShortTermLoudness).toBeCloseTo(-23, 0);
    expect(chirpMeta.bext!.loudnessRange).not.toBeNull();
    expect((chirpMeta.ixml as { USER: Record<string, string> }).USER).toMatchObject({ CATEGORY: 'METAL', CATID: 'METLImpt', FXNAME: 'Chain Rattle' });

    // The manifest lists every file with its source and loudness.
    const manifest = JSON.parse(fs.readFileSync(summary.manifest.json, 'utf8'));
    expect(manifest.files.map((f: { path: string; status: string }) => [f.status, f.path])).toEqual(summary.written.map((w: { path: string }) => ['written', path.basename(w.path)]));
    expect(manifest.files[2]).toMatchObject({ source: src.chirp, format: 'wav', sampleRate: 48_000, bits: 24, channels: 1, duration: 3 });
    expect(fs.readFileSync(summary.manifest.csv, 'utf8').split('\r\n')[0]).toMatch(/^status,path,item,/);
  });

  it('exports FLAC and Ogg Vorbis at 48 kHz that ffprobe reads as such', () => {
    const flacOut = path.join(tmp.dir, 'flac');
    const flac = json(['export', 'Harbour', '--out', flacOut, '--format', 'flac', '--bits', '16', '--rate', '48000', '--lufs', '-23']);
    expect(flac.written).toHaveLength(3);
    for (const w of flac.written) {
      expect(path.extname(w.path)).toBe('.flac');
      const probe = ffprobe(w.path);
      expect(probe.streams[0]).toMatchObject({ codec_name: 'flac', sample_rate: '48000', bits_per_raw_sample: '16', sample_fmt: 's16' });
      expect(probe.format.tags).toMatchObject({ UCS_CATID: expect.stringMatching(/DOORWood|METLImpt/) });
      expect(Math.abs(ffmpegIntegrated(w.path) - -23)).toBeLessThanOrEqual(0.2);
    }
    expect(ffprobe(flac.written[0].path).streams[0].channels).toBe(2);

    const oggOut = path.join(tmp.dir, 'ogg');
    const oggLoudness: number[] = [];
    const ogg = json(['export', 'Harbour', '--out', oggOut, '--format', 'ogg', '--rate', '48000', '--lufs', '-23']);
    expect(ogg.written).toHaveLength(3);
    for (const w of ogg.written) {
      expect(path.extname(w.path)).toBe('.ogg');
      expect(ffprobe(w.path).streams[0]).toMatchObject({ codec_name: 'vorbis', sample_rate: '48000' });
      // Lossy coding moves loudness a little; the measured value is of the audio given to the encoder.
      oggLoudness.push(ffmpegIntegrated(w.path));
      expect(Math.abs(oggLoudness.at(-1)! - -23)).toBeLessThanOrEqual(0.2);
    }
    console.error(`ogg loudness by ffmpeg: ${oggLoudness.join(', ')} LUFS`);
  });

  it('exporting twice to the same folder never silently overwrites', () => {
    const out = path.join(tmp.dir, 'twice');
    const first = json(['export', 'Harbour', '--out', out, '--format', 'wav']);
    expect(first.written).toHaveLength(3);
    const hashes = Object.fromEntries(first.written.map((w: { path: string }) => [w.path, sha(w.path)]));

    // Default policy "ask" without a terminal: skip, and say so on stderr.
    const asked = cli(['export', 'Harbour', '--out', out, '--format', 'wav', '--lufs', '-30', '--json']);
    expect(asked.status).toBe(0);
    expect(asked.stderr).toMatch(/3 files already exist .* no terminal to ask: skipping them/);
    const skipped = JSON.parse(asked.stdout);
    expect(skipped.written).toEqual([]);
    expect(skipped.skipped.map((s: { path: string; reason: string }) => [s.path, /exists/.test(s.reason)])).toEqual(
      first.written.map((w: { path: string }) => [w.path, true]),
    );
    for (const [p, h] of Object.entries(hashes)) expect(sha(p)).toBe(h);

    const kept = json(['export', 'Harbour', '--out', out, '--format', 'wav', '--lufs', '-30', '--on-conflict', 'keep-both']);
    expect(kept.written.map((w: { path: string }) => path.basename(w.path))).toEqual([
      'DOORWood_Front Door_JD_HARB_3.wav',
      'DOORWood_Front Door_JD_HARB_4.wav',
      'METLImpt_Chain Rattle_JD_HARB_2.wav',
    ]);
    for (const [p, h] of Object.entries(hashes)) expect(sha(p)).toBe(h);

    const over = json(['export', 'Harbour', '--out', out, '--format', 'wav', '--lufs', '-30', '--on-conflict', 'overwrite']);
    expect(over.written.map((w: { path: string; replaced: boolean }) => [w.path, w.replaced])).toEqual(first.written.map((w: { path: string }) => [w.path, true]));
    for (const [p, h] of Object.entries(hashes)) expect(sha(p)).not.toBe(h);
    expect(finals(out)).toHaveLength(6);
  });

  it('usage mistakes are one line and exit 2', () => {
    for (const [args, pattern] of [
      [['export', 'Harbour'], /--out is required/],
      [['export', 'Harbour', '--out', tmp.dir, '--format', 'mp3'], /--format must be wav, flac or ogg/],
      [['export', 'Harbour', '--out', tmp.dir, '--rate', '22050'], /--rate must be 44100, 48000 or 96000/],
      [['export', 'Harbour', '--out', tmp.dir, '--on-conflict', 'maybe'], /--on-conflict must be/],
      [['export', 'Harbour', '--out', tmp.dir, '--format', 'ogg', '--bits', '24'], /--bits does not apply to ogg/],
      [['project', 'add', 'Harbour'], /at least one audio file/],
    ] as const) {
      const r = cli([...args]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    }
    const missing = cli(['export', 'Nope', '--out', tmp.dir]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/No project named "Nope"/);
  });

  it('a killed export leaves only whole files under final names, and the next export cleans up', async () => {
    const dir = path.join(tmp.dir, 'long');
    fs.mkdirSync(dir);
    const files = Array.from({ length: 12 }, (_, i) => {
      const f = path.join(dir, `rumble ${String(i + 1).padStart(2, '0')}.wav`);
      writeWavFile(f, { sampleRate: 44_100, channels: [tone(30, 44_100, 60 + 10 * i, 0.3)] }, 'pcm16');
      return f;
    });
    expect(cli(['project', 'create', 'Long']).status).toBe(0);
    json(['project', 'add', 'Long', ...files, '--catid', 'AMBInd', '--creator', 'JD', '--source', 'LONG']);
    const out = path.join(tmp.dir, 'killed');
    const args = ['export', 'Long', '--out', out, '--rate', '96000', '--bits', '32', '--channels', 'stereo', '--lufs', '-23', '--db', db, '--json'];

    const child = startCli(args);
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const deadline = Date.now() + 110_000;
    while (Date.now() < deadline) {
      if (fs.existsSync(out) && finals(out).length > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    await exited;

    const afterKill = fs.readdirSync(out);
    // Killed before the end: the manifest (written last) is absent and some items are missing.
    expect(afterKill.some((n) => n.includes('_manifest.'))).toBe(false);
    const written = finals(out);
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(files.length);
    for (const name of written) {
      expect(name).toMatch(/^AMBInd_rumble \d\d_JD_LONG\.wav$/);
      const { audio } = await decodeFile(path.join(out, name));
      expect(audio.sampleRate).toBe(96_000);
      expect(audio.channels).toHaveLength(2);
      expect(audio.channels[0].length).toBe(30 * 96_000);
      expect(ffprobe(path.join(out, name)).streams[0]).toMatchObject({ codec_name: 'pcm_f32le', channels: 2 });
    }
    const temps = afterKill.filter(isTempName);

    // The next export into the folder removes stale temporaries and finishes the rest.
    const rerun = runCli(args.filter((a) => a !== '--json').concat('--json', '--on-conflict', 'skip'));
    expect(rerun.status).toBe(0);
    const summary = JSON.parse(rerun.stdout);
    expect(summary.staleTempFilesRemoved).toBe(temps.length);
    expect(summary.skipped).toHaveLength(written.length);
    expect(summary.written).toHaveLength(files.length - written.length);
    expect(fs.readdirSync(out).filter(isTempName)).toEqual([]);
    expect(finals(out)).toHaveLength(files.length);
  });
});
