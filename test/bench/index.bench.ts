/**
 * `npm run bench:index [-- --files N]`: indexes N generated 10 s clips with the fixture CLAP pack
 * and prints files/s and where the time goes (decode, resample, features, model, database, other).
 * The fixture model is tiny, so "model" here is near zero; the figure that matters is the
 * per-clip cost of everything except model inference (target ≤ 25 ms per 10 s clip).
 * Prints figures only; never passes or fails on time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IndexSummary } from '../../preload/contract/library';
import { createEngine } from '../../main/engine';
import { writeWavFile, type WavSampleFormat } from '../../main/engine/audio';
import type { StageTimings } from '../../main/engine/models/types';
import { writeFixtures } from '../fixtures';
import { CONCEPTS } from '../fixtures/semantics';
import { renderConcept } from '../fixtures/sounds';
import { flag, machineLine } from './machine';

const files = Number(flag('files', '60'));
/** wav (default), or flac / mp3 / ogg / opus: the clips are encoded with ffmpeg from the generated WAVs. */
const codec = flag('codec', 'wav');
const FFMPEG_ARGS: Record<string, string[]> = {
  flac: ['-c:a', 'flac'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '192k'],
  ogg: ['-c:a', 'libvorbis', '-q:a', '5'],
  opus: ['-c:a', 'libopus', '-b:a', '128k'],
};
const SECONDS = 10;

/** A spread of what libraries hold: 48k/24-bit stereo (no resampling), 44.1k/16-bit stereo, 96k/24-bit mono. */
const FORMATS: { rate: number; channels: number; format: WavSampleFormat }[] = [
  { rate: 48_000, channels: 2, format: 'pcm24' },
  { rate: 44_100, channels: 2, format: 'pcm16' },
  { rate: 96_000, channels: 1, format: 'pcm24' },
];

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-bench-index-'));
  try {
    const fx = writeFixtures(path.join(root, 'fx'));
    const lib = path.join(root, 'lib');
    fs.mkdirSync(lib);
    for (let i = 0; i < files; i++) {
      const f = FORMATS[i % FORMATS.length];
      const channels = Array.from({ length: f.channels }, (_, c) =>
        renderConcept(CONCEPTS[i % CONCEPTS.length].id, { sampleRate: f.rate, seconds: SECONDS, seed: i * 7 + c + 1 }),
      );
      const wav = path.join(lib, `clip_${String(i).padStart(4, '0')}.wav`);
      writeWavFile(wav, { sampleRate: f.rate, channels }, f.format);
      if (codec !== 'wav') {
        const args = FFMPEG_ARGS[codec];
        if (!args) throw new Error(`--codec must be wav, ${Object.keys(FFMPEG_ARGS).join(', ')}`);
        const out = wav.replace(/\.wav$/, `.${codec}`);
        const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, ...args, out]);
        if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
        fs.rmSync(wav);
      }
    }

    const timings: StageTimings = {};
    const engine = await createEngine({ dbPath: path.join(root, 'bench.db'), modelsDir: fx.modelsDir }, { timings });
    // Load the model before the clock starts: start-up is not per-file work.
    await engine.call('models.status', {});
    const t0 = performance.now();
    const job = await engine.waitForJob((await engine.call('library.index', { folders: [lib] })).jobId);
    const total = performance.now() - t0;
    await engine.close();
    const summary = job.result as IndexSummary;
    if (summary.failed.length) throw new Error(`failures: ${JSON.stringify(summary.failed)}`);

    const stages = ['decode', 'resample', 'features', 'model', 'database'];
    const known = stages.reduce((s, k) => s + (timings[k] ?? 0), 0);
    const rows = [...stages.map((k) => [k, timings[k] ?? 0] as const), ['other (scan, fingerprint, windowing, bookkeeping)', total - known] as const];
    const nonModel = total - (timings.model ?? 0);

    console.log(`bench:index on ${machineLine()}`);
    console.log(`${files} ${codec} clips of ${SECONDS} s (${FORMATS.map((f) => `${f.rate / 1000}k/${f.format}/${f.channels}ch`).join(', ')}), fixture CLAP pack`);
    console.log(`total ${total.toFixed(0)} ms, ${(files / (total / 1000)).toFixed(1)} files/s`);
    for (const [name, ms] of rows) {
      console.log(`  ${name.padEnd(50)} ${ms.toFixed(0).padStart(7)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${(ms / files).toFixed(2).padStart(7)} ms/clip`);
    }
    console.log(`all work except model inference: ${(nonModel / files).toFixed(2)} ms per 10 s clip (target ≤ 25 ms)`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
