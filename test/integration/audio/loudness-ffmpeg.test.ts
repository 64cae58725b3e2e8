/**
 * The loudness meter against ffmpeg's ebur128 filter, an independent BS.1770 / R128 implementation,
 * on the shared real-audio corpus and on generated signals.
 *
 * What ffmpeg does differently, and how the comparison allows for it:
 * - It measures at 48 kHz only (inserting a resampler for other rates) and prints one decimal, so
 *   integrated loudness is compared within 0.1 LU (0.05 of it is the rounding), true peak within 0.2 dB.
 * - Generated 96 kHz signals are tones: ffmpeg's resampling to 48 kHz removes everything above 24 kHz,
 *   which BS.1770 at 96 kHz counts.
 * - Its loudness range picks percentiles by nearest rank from a 0.01 LU histogram, where Tech 3342's
 *   reference code rounds an index; the two agree once there are many short-term blocks. With fewer
 *   than five it reports the gate itself as the low end. Range is compared on 10 s or more of audio.
 * - Where nothing passes the gate it prints −70.0 LUFS (the meter: null), for silence −inf peaks (null).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFile, writeWavFile, type DecodedAudio, type WavSampleFormat } from '../../../main/engine/audio';
import { measureLoudness, type LoudnessReport } from '../../../main/engine/audio/loudness';
import { corpusDir, corpusFiles, hasCorpus } from '../../helpers/corpus';
import { runCli } from '../../helpers/cli';
import { hasTool, removeTempDir, tempDir } from './tools';

const HAVE_FFMPEG = hasTool('ffmpeg');

interface FfmpegSummary {
  integrated: number;
  range: number;
  truePeak: number;
  samplePeak: number;
}

/** Runs ffmpeg's ebur128 filter on a file and reads its Summary block. */
function ffmpegEbur128(file: string): FfmpegSummary {
  const args = ['-nostats', '-hide_banner', '-i', file, '-filter_complex', 'ebur128=peak=true+sample', '-f', 'null', '-'];
  const r = spawnSync('ffmpeg', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`ffmpeg ebur128 failed on ${file}: ${r.stderr.slice(-500)}`);
  const summary = r.stderr.slice(r.stderr.lastIndexOf('Summary:'));
  const value = (re: RegExp): number => {
    const m = re.exec(summary);
    if (!m) throw new Error(`No ${re} in ffmpeg's summary for ${file}:\n${summary}`);
    return m[1] === '-inf' ? -Infinity : Number(m[1]);
  };
  return {
    integrated: value(/I:\s+(-?[\d.]+|-inf) LUFS/),
    range: value(/LRA:\s+(-?[\d.]+) LU/),
    samplePeak: value(/Sample peak:\s+Peak:\s+(-?[\d.]+|-inf)/),
    truePeak: value(/True peak:\s+Peak:\s+(-?[\d.]+|-inf)/),
  };
}

const TOLERANCE = { integrated: 0.1, truePeak: 0.2, samplePeak: 0.05, range: 0.5 };

/** Every comparison that fails, as readable lines (empty when the meter agrees with ffmpeg). */
function disagreements(ours: LoudnessReport, ff: FfmpegSummary, seconds: number): string[] {
  const out: string[] = [];
  const near = (name: keyof typeof TOLERANCE, a: number | null, b: number) => {
    if (a === null || Math.abs(a - b) > TOLERANCE[name]) out.push(`${name}: meter ${a}, ffmpeg ${b} (±${TOLERANCE[name]})`);
  };
  if (ours.integrated === null) {
    if (ff.integrated !== -70) out.push(`integrated: meter null, ffmpeg ${ff.integrated}`);
  } else near('integrated', ours.integrated, ff.integrated);
  for (const peak of ['truePeak', 'samplePeak'] as const) {
    if (ours[peak] === null) {
      if (ff[peak] !== -Infinity) out.push(`${peak}: meter null, ffmpeg ${ff[peak]}`);
    } else near(peak, ours[peak], ff[peak]);
  }
  if (seconds >= 10 && ours.range !== null) near('range', ours.range, ff.range);
  return out;
}

async function compareFile(file: string): Promise<{ ours: LoudnessReport; ff: FfmpegSummary; problems: string[] }> {
  const { audio } = await decodeFile(file);
  const ours = measureLoudness(audio);
  const ff = ffmpegEbur128(file);
  return { ours, ff, problems: disagreements(ours, ff, audio.channels[0].length / audio.sampleRate) };
}

/** Deterministic white noise in [−1, 1). */
function noiseSource(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

/** A level-stepped test signal: `steps` of [dBFS, seconds], each a tone mix or noise burst, with short fades. */
function render(rate: number, channels: number, steps: [number | null, number][], kind: 'noise' | 'tones', seed = 1): DecodedAudio {
  const total = steps.reduce((n, [, s]) => n + Math.round(s * rate), 0);
  const out = Array.from({ length: channels }, () => new Float32Array(total));
  const noise = noiseSource(seed);
  const fade = Math.round(0.01 * rate);
  let at = 0;
  for (const [level, seconds] of steps) {
    const n = Math.round(seconds * rate);
    if (level !== null) {
      const amp = 10 ** (level / 20);
      for (let i = 0; i < n; i++) {
        const env = Math.min(1, i / fade, (n - 1 - i) / fade);
        const t = (at + i) / rate;
        for (let c = 0; c < channels; c++) {
          const v =
            kind === 'noise'
              ? noise()
              : 0.6 * Math.sin(2 * Math.PI * (440 + 110 * c) * t) + 0.3 * Math.sin(2 * Math.PI * 3150 * t + c) + 0.1 * Math.sin(2 * Math.PI * 11_000 * t);
          out[c][at + i] = amp * env * v;
        }
      }
    }
    at += n;
  }
  return { sampleRate: rate, channels: out };
}

const GENERATED: { name: string; audio: () => DecodedAudio; format: WavSampleFormat }[] = [
  {
    name: 'noise bursts, 48 kHz stereo, 20 s, with silent gaps',
    audio: () => render(48_000, 2, [[-20, 4], [null, 1], [-32, 4], [-26, 5], [null, 2], [-14, 4]], 'noise', 7),
    format: 'float32',
  },
  {
    name: 'noise bursts, 44.1 kHz mono, 12 s (24-bit)',
    audio: () => render(44_100, 1, [[-18, 3], [-30, 3], [-24, 3], [-40, 3]], 'noise', 11),
    format: 'pcm24',
  },
  {
    name: 'tones, 44.1 kHz stereo, 12 s',
    audio: () => render(44_100, 2, [[-12, 4], [-22, 4], [-17, 4]], 'tones'),
    format: 'pcm16',
  },
  {
    name: 'tones, 96 kHz stereo, 10 s',
    audio: () => render(96_000, 2, [[-9, 3], [-25, 4], [-16, 3]], 'tones'),
    format: 'pcm24',
  },
  {
    name: 'tones, 96 kHz mono, 3 s (too short for a range)',
    audio: () => render(96_000, 1, [[-6, 1.5], [-20, 1.5]], 'tones'),
    format: 'float32',
  },
  {
    name: 'a single 0.3 s burst at 48 kHz (shorter than one block)',
    audio: () => render(48_000, 2, [[-10, 0.3]], 'noise', 3),
    format: 'pcm16',
  },
];

afterAll(removeTempDir);

describe.skipIf(!HAVE_FFMPEG)('loudness meter against ffmpeg ebur128', () => {
  it.each(GENERATED)('agrees on $name', async ({ name, audio, format }) => {
    const file = path.join(tempDir(), `${name.replace(/\W+/g, '_')}.wav`);
    writeWavFile(file, audio(), format);
    const { ours, problems } = await compareFile(file);
    expect(problems).toEqual([]);
    expect(ours.truePeak).not.toBeNull();
  });

  it('the 48 kHz noise signal has a range and a true peak above its sample peak (the comparison covers both)', async () => {
    const audio = GENERATED[0].audio();
    const ours = measureLoudness(audio);
    expect(ours.range).toBeGreaterThan(5);
    expect(ours.truePeak!).toBeGreaterThan(ours.samplePeak!);
  });
});

if (!hasCorpus) console.warn(`Skipping the loudness corpus comparison: ${corpusDir} is absent`);

describe.skipIf(!HAVE_FFMPEG || !hasCorpus)('loudness meter against ffmpeg ebur128 on the shared corpus', () => {
  it('agrees on every readable corpus file', async () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThan(0);
    const failures: string[] = [];
    let measured = 0;
    for (const file of files) {
      let result;
      try {
        result = await compareFile(file);
      } catch (err) {
        // A file our decoder or ffmpeg cannot read is the decoder tests' business, not the meter's.
        console.warn(`loudness: skipped unreadable ${path.relative(corpusDir, file)}: ${(err as Error).message}`);
        continue;
      }
      measured++;
      for (const p of result.problems) failures.push(`${path.relative(corpusDir, file)}: ${p}`);
    }
    expect(measured).toBeGreaterThan(files.length / 2);
    expect(failures).toEqual([]);
  });
});

describe('cuebank loudness', () => {
  it('prints the report rounded to 0.01 as JSON, and one line with exit 1 for a missing file', async () => {
    const file = path.join(tempDir(), 'cli-noise.wav');
    const audio = render(48_000, 2, [[-20, 4], [-30, 4]], 'noise', 5);
    writeWavFile(file, audio, 'float32');
    const r = runCli(['loudness', file, '--json']);
    expect(r.status).toBe(0);
    const printed = JSON.parse(r.stdout) as LoudnessReport;
    const measured = measureLoudness(audio);
    for (const key of Object.keys(measured) as (keyof LoudnessReport)[]) {
      expect(printed[key]).toBe(Math.round(measured[key]! * 100) / 100);
    }
    const missing = runCli(['loudness', path.join(tempDir(), 'missing.wav')]);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/not found/i);
  });
});
