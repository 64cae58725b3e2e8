/**
 * `npm run bench:tag-write [-- --mb 200]`: writing tags into one large file per format (WAV with
 * iXML, FLAC, Ogg Vorbis, MP3 made by ffmpeg from a generated tone-and-noise WAV), as MB/s of file
 * written and verified (stream to a temporary, fsync, read back, hash the audio of both, rename),
 * next to a plain `cp` of the same file on the same disk. Prints figures only; never passes or fails.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeWavFile } from '../../main/engine/audio';
import { writeTagsToFile, type TagValues } from '../../main/engine/tagging/write';
import { flag, machineLine } from './machine';

const MB = Number(flag('mb', '200'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-bench-tagwrite-'));
const values = (i: number): TagValues => ({
  caption: `A long rumble, take ${i}`,
  catId: 'AMBTraf',
  category: 'AMBIENCE',
  subCategory: 'TRAFFIC',
  fxName: 'Rumble',
  keywords: ['rumble', 'low'],
});

try {
  const rate = 48_000;
  const seconds = Math.round((MB * 2 ** 20) / (rate * 2 * 2));
  const ch = (phase: number) => Float32Array.from({ length: rate * seconds }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 80 * i) / rate + phase) + 0.05 * (((i * 2654435761) % 1000) / 1000 - 0.5));
  const wav = path.join(dir, 'source.wav');
  writeWavFile(wav, { sampleRate: rate, channels: [ch(0), ch(1)] });
  const files: [string, string[]][] = [
    ['wav', []],
    ['flac', ['-c:a', 'flac']],
    ['ogg', ['-c:a', 'libvorbis', '-q:a', '6']],
    ['mp3', ['-c:a', 'libmp3lame', '-b:a', '320k']],
  ];
  console.log(`bench:tag-write — ${machineLine()}`);
  console.log(`source: ${seconds} s of 48 kHz 16-bit stereo (${(fs.statSync(wav).size / 2 ** 20).toFixed(0)} MB as WAV)`);
  for (const [ext, args] of files) {
    const file = path.join(dir, `take.${ext}`);
    if (ext === 'wav') fs.copyFileSync(wav, file);
    else spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, ...args, file]);
    const size = fs.statSync(file).size / 2 ** 20;
    const t0 = performance.now();
    spawnSync('cp', [file, `${file}.copy`]);
    spawnSync('sync');
    const cp = (performance.now() - t0) / 1000;
    fs.rmSync(`${file}.copy`);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const r = await writeTagsToFile(file, values(i));
      if (r.status !== 'written') throw new Error(`${ext}: ${r.status} ${r.error}`);
      times.push((performance.now() - t) / 1000);
    }
    const best = Math.min(...times);
    console.log(
      `${ext.padEnd(5)} ${size.toFixed(1).padStart(7)} MB  write+verify best of 3: ${best.toFixed(2)} s (${(size / best).toFixed(0)} MB/s)  cp+sync: ${cp.toFixed(2)} s (${(size / cp).toFixed(0)} MB/s)`,
    );
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
