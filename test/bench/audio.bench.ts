/**
 * Audio input layer timings: `npx tsx test/bench/audio.bench.ts`.
 * Prints figures only; never passes or fails on time. Each figure is the minimum and median of
 * several runs after warm-up (the JIT and the wasm tiers need a few runs to settle).
 * Wherever a resampler runs, the strict resampler (the default) and the analysis one
 * (passbandHz = 14 kHz, CLAP's frequency_max; for model input only) are printed side by side.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeFile, encodeWav, openMonoStream, resample, toMono } from '../../main/engine/audio';
import { designFilter } from '../../main/engine/audio/resample-filter';

const RUNS = Number(process.env.RUNS ?? 15);
const WARMUP = 3;
const SECONDS = 10;
/** The analysis resampler's passband: CLAP's mel bank stops at 14 kHz. */
const PASSBAND_HZ = 14000;

async function time(fn: () => Promise<unknown> | unknown): Promise<{ min: number; median: number }> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return { min: ts[0], median: ts[Math.floor(ts.length / 2)] };
}

function signal(rate: number, seconds: number, channels: number): Float32Array[] {
  const n = rate * seconds;
  return Array.from({ length: channels }, (_, c) => {
    const x = new Float32Array(n);
    let s = 1 + c;
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      x[i] = 0.5 * Math.sin((2 * Math.PI * (220 + 110 * c) * i) / rate) + 0.1 * (s / 2 ** 32 - 0.5);
    }
    return x;
  });
}

async function drain(file: string, targetRate: number, passbandHz?: number): Promise<number> {
  const { blocks } = await openMonoStream(file, { targetRate, passbandHz });
  let n = 0;
  for await (const b of blocks) n += b.length;
  return n;
}

const figures = (r: { min: number; median: number }) => `min ${r.min.toFixed(2).padStart(7)} ms   median ${r.median.toFixed(2).padStart(7)} ms`;
const row = async (label: string, fn: () => Promise<unknown> | unknown) => {
  console.log(`${label.padEnd(58)} ${figures(await time(fn))}`);
};
/** One line: the strict resampler's figures, then the analysis resampler's (with its taps). */
const pair = async (label: string, from: number, to: number, fn: (passbandHz?: number) => Promise<unknown> | unknown) => {
  const strict = await time(() => fn());
  const analysis = await time(() => fn(PASSBAND_HZ));
  const taps = (p?: number) => (from === to ? '-' : String(designFilter(from, to, p).taps));
  console.log(
    `${label.padEnd(58)} strict (${taps().padStart(3)} taps) ${figures(strict)}   |   analysis (${taps(PASSBAND_HZ).padStart(3)} taps) ${figures(analysis)}`,
  );
};

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-audio-bench-'));
  try {
    console.log(`Audio input layer, ${SECONDS} s clips, ${RUNS} runs after ${WARMUP} warm-up, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})\n`);
    const wav = path.join(dir, 'clip-48k-24bit-stereo.wav');
    fs.writeFileSync(wav, encodeWav({ sampleRate: 48000, channels: signal(48000, SECONDS, 2) }, 'pcm24'));
    const wav96 = path.join(dir, 'clip-96k-24bit-stereo.wav');
    fs.writeFileSync(wav96, encodeWav({ sampleRate: 96000, channels: signal(96000, SECONDS, 2) }, 'pcm24'));
    const wav44 = path.join(dir, 'clip-44k-16bit-stereo.wav');
    fs.writeFileSync(wav44, encodeWav({ sampleRate: 44100, channels: signal(44100, SECONDS, 2) }, 'pcm16'));

    await row('decodeFile WAV 48k/24-bit stereo', () => decodeFile(wav));
    await row('openMonoStream WAV 48k/24-bit stereo -> 48k mono', () => drain(wav, 48000));
    await pair('openMonoStream WAV 44.1k/16-bit stereo -> 48k mono', 44100, 48000, (p) => drain(wav44, 48000, p));
    await pair('openMonoStream WAV 96k/24-bit stereo -> 48k mono', 96000, 48000, (p) => drain(wav96, 48000, p));

    const ff = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
    if (ff) {
      const enc = (name: string, args: string[]) => {
        const out = path.join(dir, name);
        const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, ...args, out]);
        if (r.status !== 0) throw new Error(String(r.stderr));
        return out;
      };
      const flac = enc('clip.flac', ['-c:a', 'flac']);
      const mp3 = enc('clip.mp3', ['-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '192k']);
      const ogg = enc('clip.ogg', ['-c:a', 'libvorbis', '-q:a', '5']);
      const opus = enc('clip.opus', ['-c:a', 'libopus', '-b:a', '128k']);
      for (const [label, file] of [
        ['FLAC 48k/24-bit stereo', flac],
        ['MP3 44.1k stereo 192k', mp3],
        ['Ogg Vorbis 48k stereo q5', ogg],
        ['Ogg Opus 48k stereo 128k', opus],
      ]) {
        await row(`decodeFile ${label}`, () => decodeFile(file));
        const rate = (await decodeFile(file)).meta.format.sampleRate;
        if (rate === 48000) await row(`openMonoStream ${label} -> 48k mono`, () => drain(file, 48000));
        else await pair(`openMonoStream ${label} -> 48k mono`, rate, 48000, (p) => drain(file, 48000, p));
      }
    } else {
      console.log('(ffmpeg not installed: FLAC/MP3/Ogg figures skipped)');
    }

    const mono = (rate: number) => toMono(signal(rate, SECONDS, 1));
    for (const [from, to] of [
      [44100, 48000],
      [96000, 48000],
      [22050, 48000], // analysis = strict here: nothing can be relaxed (see resample-filter.ts)
      [88200, 48000],
      [192000, 48000],
      [48000, 16000], // likewise: 14 kHz is above 16k's Nyquist
      [44056, 48000],
    ]) {
      const x = mono(from);
      await pair(`resample ${from} -> ${to}, ${SECONDS} s mono`, from, to, (passbandHz) => resample(x, from, to, { passbandHz }));
    }
    const st = signal(48000, SECONDS, 2);
    await row('toMono 48k stereo', () => toMono(st));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
