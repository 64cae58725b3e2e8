/**
 * The valid-but-odd files of the malformed corpus are read as ffmpeg reads them: WAV data sizes of
 * 0 and 0xFFFFFFFF, blockAlign that lies, 80-bit AIFF rates that are not integers, MP3s whose ID3
 * size is wrong or padded, Ogg comment packets that span pages. Each is decoded by Cuebank and by
 * ffmpeg and the samples compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFile } from '../../../main/engine/audio';
import { generateCorpus, type MalformedFile } from '../../fuzz/malformed-corpus';
import { intactSources } from '../../fuzz/sources';
import { hasTool, removeTempDir, run, tempDir } from './tools';

const HAVE_FFMPEG = hasTool('ffmpeg');
if (!HAVE_FFMPEG) console.warn('[odd files] SKIPPED: ffmpeg is not installed, so there is nothing to compare with');

/** ffmpeg's decode as interleaved float32 (its native conversion of each format). */
function ffmpegDecode(file: string): { rate: number; channels: number; samples: Float32Array } {
  const probe = JSON.parse(run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file])) as { streams: { sample_rate: string; channels: number }[] };
  const out = path.join(tempDir(), `${path.basename(file)}.f32`);
  run('ffmpeg', ['-v', 'error', '-y', '-i', file, '-map', '0:a:0', '-f', 'f32le', out]);
  const b = fs.readFileSync(out);
  return { rate: Number(probe.streams[0].sample_rate), channels: probe.streams[0].channels, samples: new Float32Array(b.buffer, b.byteOffset, b.length / 4) };
}

function interleave(channels: Float32Array[]): Float32Array {
  const n = channels.length;
  const out = new Float32Array(channels[0].length * n);
  for (let c = 0; c < n; c++) for (let i = 0; i < channels[c].length; i++) out[i * n + c] = channels[c][i];
  return out;
}

describe.skipIf(!HAVE_FFMPEG)('valid-but-odd files read like ffmpeg reads them', () => {
  let files: (MalformedFile & { file: string })[] = [];
  beforeAll(async () => {
    const { sources, audio } = await intactSources();
    const odd = new Set(['wav-data-size-0', 'wav-data-size-ffffffff', 'wav-block-align-wrong', 'aiff-odd-rate', 'mp3-id3-odd', 'ogg-large-tags']);
    files = generateCorpus(sources, audio)
      .filter((f) => odd.has(f.cls))
      .map((f) => {
        const file = path.join(tempDir(), f.name.replace(/[^\w.\-]+/g, '_'));
        fs.writeFileSync(file, f.bytes);
        return { ...f, file };
      });
  }, 120_000);
  afterAll(removeTempDir);

  it('PCM with odd sizes and headers: the same samples as ffmpeg, bit for bit', async () => {
    const pcm = files.filter((f) => /^(wav|aiff)-/.test(f.cls));
    expect(pcm.length).toBeGreaterThanOrEqual(15);
    for (const f of pcm) {
      const ours = await decodeFile(f.file);
      const theirs = ffmpegDecode(f.file);
      const mine = interleave(ours.audio.channels);
      expect(ours.audio.channels.length, f.name).toBe(theirs.channels);
      // Where chunks follow audio of unknown length, ffmpeg plays them as audio too; Cuebank stops
      // at them (the audio the recorder wrote), so ffmpeg has a few frames more at the end.
      const trailing = /then-(list|ixml)/.test(f.name);
      // ffmpeg cuts its reads into packets of whole (lying) blockAligns and drops the partial
      // frame at each packet's end, so past its first packet its samples slip; Cuebank reads
      // every frame. The first packet (at least 512 samples) agrees.
      const packetised = f.cls === 'wav-block-align-wrong';
      if (trailing) expect(theirs.samples.length, f.name).toBeGreaterThan(mine.length);
      else if (packetised) expect(theirs.samples.length / mine.length, f.name).toBeGreaterThan(0.998);
      else expect(mine.length, f.name).toBe(theirs.samples.length);
      const n = packetised ? 512 : Math.min(mine.length, theirs.samples.length);
      expect(Buffer.compare(Buffer.from(mine.buffer, 0, n * 4), Buffer.from(theirs.samples.buffer, theirs.samples.byteOffset, n * 4)), f.name).toBe(0);
      // ffmpeg truncates a non-integer AIFF rate; Cuebank rounds it (and says so in a warning).
      if (f.cls === 'aiff-odd-rate') expect(Math.abs(ours.meta.format.sampleRate - theirs.rate), f.name).toBeLessThanOrEqual(1);
      else expect(ours.meta.format.sampleRate, f.name).toBe(theirs.rate);
    }
  }, 240_000);

  it('MP3s with a wrong ID3 size or padding and Ogg files with large tags: as many frames as ffmpeg decodes', async () => {
    const coded = files.filter((f) => f.cls === 'mp3-id3-odd' || f.cls === 'ogg-large-tags');
    expect(coded.length).toBeGreaterThanOrEqual(7);
    for (const f of coded) {
      const ours = await decodeFile(f.file);
      const theirs = ffmpegDecode(f.file);
      expect(ours.audio.channels.length, f.name).toBe(theirs.channels);
      expect(ours.audio.channels[0].length * theirs.channels, f.name).toBe(theirs.samples.length);
      expect(ours.meta.format.sampleRate, f.name).toBe(theirs.rate);
    }
  }, 240_000);
});
