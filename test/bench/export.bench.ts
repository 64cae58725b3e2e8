/**
 * `npm run bench:export [-- --seconds 60]`: the export pipeline on a generated 48 kHz stereo WAV,
 * per output format: decode → resample to 44.1 kHz → loudness (BS.1770) → gain → encode, each stage
 * timed and shown as a realtime factor (audio seconds per wall second), next to ffmpeg doing the same
 * conversion (resample, ebur128 with true peak, a fixed gain, encode) on the same machine.
 * Prints figures only; never passes or fails on time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createResampler, decodeFile, measureLoudness, writeWavFile, type DecodedAudio } from '../../main/engine/audio';
import { encodeAudio, type ExportFormat } from '../../main/engine/export/encode';
import type { ExportMetadata } from '../../main/engine/export/metadata';
import { CONCEPTS } from '../fixtures/semantics';
import { renderConcept } from '../fixtures/sounds';
import { flag, machineLine } from './machine';

const SECONDS = Number(flag('seconds', '60'));
const SOURCE_RATE = 48_000;
const TARGET_RATE = 44_100;
const TARGET_LUFS = -23;
const CEILING_DBTP = -1;

const FORMATS: { label: string; format: ExportFormat; ffmpeg: string[]; ext: string }[] = [
  { label: 'wav pcm16', format: { container: 'wav', sample: 'pcm16' }, ffmpeg: ['-c:a', 'pcm_s16le'], ext: 'wav' },
  { label: 'wav pcm24', format: { container: 'wav', sample: 'pcm24' }, ffmpeg: ['-c:a', 'pcm_s24le'], ext: 'wav' },
  { label: 'wav float32', format: { container: 'wav', sample: 'float32' }, ffmpeg: ['-c:a', 'pcm_f32le'], ext: 'wav' },
  { label: 'flac 16', format: { container: 'flac', bits: 16 }, ffmpeg: ['-c:a', 'flac', '-sample_fmt', 's16'], ext: 'flac' },
  { label: 'flac 24', format: { container: 'flac', bits: 24 }, ffmpeg: ['-c:a', 'flac', '-sample_fmt', 's32', '-bits_per_raw_sample', '24'], ext: 'flac' },
  { label: 'ogg q0.5', format: { container: 'ogg', quality: 0.5 }, ffmpeg: ['-c:a', 'libvorbis', '-q:a', '5'], ext: 'ogg' },
];

const STAGES = ['decode', 'resample', 'loudness', 'gain', 'encode'] as const;
type Stage = (typeof STAGES)[number];

/** Six different synthesized sounds back to back, a different take on each channel. */
function source(seconds: number): DecodedAudio {
  const piece = seconds / 6;
  const channels = [0, 1].map((c) => {
    const out = new Float32Array(Math.round(seconds * SOURCE_RATE));
    let at = 0;
    for (let i = 0; i < 6; i++) {
      const part = renderConcept(CONCEPTS[i % CONCEPTS.length].id, { sampleRate: SOURCE_RATE, seconds: piece, seed: 17 + i * 2 + c });
      out.set(part.subarray(0, out.length - at), at);
      at += part.length;
    }
    return out;
  });
  return { sampleRate: SOURCE_RATE, channels };
}

const metadata: ExportMetadata = { title: 'bench', origination: new Date(0), isLoop: false, isGenerated: true };

/** The whole pipeline once, returning each stage's milliseconds. */
async function pipeline(src: string, format: ExportFormat, out: string): Promise<Record<Stage, number>> {
  const t: Record<Stage, number> = { decode: 0, resample: 0, loudness: 0, gain: 0, encode: 0 };
  let t0 = performance.now();
  const { audio } = await decodeFile(src);
  t.decode = performance.now() - t0;

  t0 = performance.now();
  const channels = audio.channels.map((c) => {
    const r = createResampler(audio.sampleRate, TARGET_RATE);
    const head = r.process(c);
    const tail = r.flush();
    const all = new Float32Array(head.length + tail.length);
    all.set(head);
    all.set(tail, head.length);
    return all;
  });
  t.resample = performance.now() - t0;

  t0 = performance.now();
  const loudness = measureLoudness({ sampleRate: TARGET_RATE, channels });
  t.loudness = performance.now() - t0;

  t0 = performance.now();
  // Normalise to the target, held under the true-peak ceiling.
  const toTarget = loudness.integrated === null ? 0 : TARGET_LUFS - loudness.integrated;
  const headroom = loudness.truePeak === null ? 0 : CEILING_DBTP - loudness.truePeak;
  const gain = 10 ** (Math.min(toTarget, headroom) / 20);
  const gained = channels.map((c) => {
    const g = new Float32Array(c.length);
    for (let i = 0; i < c.length; i++) g[i] = c[i] * gain;
    return g;
  });
  t.gain = performance.now() - t0;

  t0 = performance.now();
  const bytes = await encodeAudio({ sampleRate: TARGET_RATE, channels: gained }, format, { ...metadata, loudness });
  fs.writeFileSync(out, bytes);
  t.encode = performance.now() - t0;
  return t;
}

/** ffmpeg: resample, measure (ebur128 with true peak), apply a gain, encode. One pass, so the gain is fixed. */
function ffmpegMs(src: string, codecArgs: string[], out: string): number {
  const args = ['-v', 'error', '-y', '-i', src, '-ar', String(TARGET_RATE), '-af', 'ebur128=peak=true,volume=-3dB', ...codecArgs, out];
  const t0 = performance.now();
  const r = spawnSync('ffmpeg', args, { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return ms;
}

const rt = (ms: number, seconds: number) => `${(seconds / (ms / 1000)).toFixed(0).padStart(5)}×`;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-bench-export-'));
  try {
    const src = path.join(dir, 'source.wav');
    writeWavFile(src, source(SECONDS), 'pcm24');
    const warm = path.join(dir, 'warm.wav');
    writeWavFile(warm, source(6), 'pcm24');
    const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

    console.log(`bench:export on ${machineLine()}`);
    console.log(`source: ${SECONDS} s, ${SOURCE_RATE / 1000} kHz stereo 24-bit WAV → ${TARGET_RATE / 1000} kHz, ${TARGET_LUFS} LUFS / ${CEILING_DBTP} dBTP`);
    console.log('realtime factor = audio seconds / wall seconds (higher is faster); one timed run after a 6 s warm-up per format');
    console.log('');
    const header = ['format'.padEnd(12), ...STAGES.map((s) => s.padStart(9)), 'total'.padStart(9), 'MB out'.padStart(7), 'ffmpeg'.padStart(9)];
    console.log(header.join(' '));
    for (const f of FORMATS) {
      const out = path.join(dir, `out.${f.ext}`);
      await pipeline(warm, f.format, out);
      const t = await pipeline(src, f.format, out);
      const size = fs.statSync(out).size / 1e6;
      const total = STAGES.reduce((s, k) => s + t[k], 0);
      let ff = '-';
      if (hasFfmpeg) {
        const ffOut = path.join(dir, `ffmpeg.${f.ext}`);
        ffmpegMs(warm, f.ffmpeg, ffOut);
        ff = rt(ffmpegMs(src, f.ffmpeg, ffOut), SECONDS);
      }
      console.log([f.label.padEnd(12), ...STAGES.map((s) => rt(t[s], SECONDS).padStart(9)), rt(total, SECONDS).padStart(9), size.toFixed(2).padStart(7), ff.padStart(9)].join(' '));
    }
    console.log('');
    console.log('ffmpeg: -ar 44100 -af ebur128=peak=true,volume=-3dB -c:a <codec> (process start included; one pass, so its gain is fixed, not measured)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
