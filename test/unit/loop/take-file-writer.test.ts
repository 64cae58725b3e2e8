import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../main/engine/audio';
import type { DecodedAudio } from '../../../main/engine/audio/types';
import { blockSums, levelsFromSums, levelsOf } from '../../../main/engine/loop/mix';
import { TakeFileWriter } from '../../../main/engine/loop/take-file-writer';
import { noise } from './fakes';

const filesUnder = (dir: string): string[] => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

describe('TakeFileWriter', () => {
  let dir: string;
  let writer: TakeFileWriter;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-take-writer-'));
    writer = new TakeFileWriter();
  });
  afterEach(async () => {
    await writer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes each take byte for byte as the general float WAV encoder does, any channel count, several at once', async () => {
    const takes: DecodedAudio[] = [
      { sampleRate: 44_100, channels: [noise(5000, 0.5, 1), noise(5000, 0.5, 2)] },
      { sampleRate: 22_050, channels: [noise(4001, 0.5, 5)] },
      { sampleRate: 48_000, channels: [noise(2000, 0.5, 6), noise(2000, 0.5, 7), noise(2000, 0.5, 8)] },
      // Channels that are views into a larger buffer (as decoders and model outputs hand them out).
      { sampleRate: 44_100, channels: [noise(9000, 0.5, 9).subarray(100, 6100), noise(9000, 0.5, 10).subarray(7, 6007)] },
      { sampleRate: 8_000, channels: [new Float32Array(0)] },
      // Loud, quiet and silent blocks, a partial last block, negative peaks.
      { sampleRate: 16_000, channels: [Float32Array.from({ length: 4321 }, (_, i) => (i < 2000 ? -0.9 : i < 3000 ? 0 : 1e-4) * Math.cos(i))] },
    ];
    const before = takes.map((t) => t.channels.map((c) => c.slice()));
    const files = takes.map((_, i) => path.join(dir, 'gen', `take-${i}.wav`));
    const sums = await Promise.all(takes.map((t, i) => writer.write(files[i], t)));
    takes.forEach((t, i) => {
      expect(fs.readFileSync(files[i]).equals(encodeWav(t, 'float32'))).toBe(true);
      // The block sums measured on the way are the main thread's, bit for bit, and so the levels.
      expect(sums[i]).toEqual(blockSums(t));
      expect(levelsFromSums(sums[i]!, t.channels[0].length, t.channels.length)).toEqual(levelsOf(t));
      // The caller's audio is untouched and still usable: the worker got copies.
      t.channels.forEach((c, k) => expect(Buffer.from(c.buffer, c.byteOffset, c.byteLength).equals(Buffer.from(before[i][k].buffer))).toBe(true));
    });
    expect(filesUnder(path.join(dir, 'gen'))).toEqual(files.map((f) => path.basename(f)).sort());
  });

  it('reports a write that fails as an error naming the cause and leaves no temporary file', async () => {
    fs.writeFileSync(path.join(dir, 'not-a-folder'), 'x');
    const take: DecodedAudio = { sampleRate: 44_100, channels: [noise(1000, 0.5, 1)] };
    await expect(writer.write(path.join(dir, 'not-a-folder', 'take.wav'), take)).rejects.toThrow(/Could not write a take file: .*(ENOTDIR|EEXIST)/);
    expect(filesUnder(dir)).toEqual(['not-a-folder']);
    // The writer goes on after a failed write.
    await writer.write(path.join(dir, 'ok.wav'), take);
    expect(fs.readFileSync(path.join(dir, 'ok.wav')).equals(encodeWav(take, 'float32'))).toBe(true);
  });

  it('fails writes still pending when closed, and starts again on the next write', async () => {
    const take: DecodedAudio = { sampleRate: 44_100, channels: [noise(44_100, 0.5, 3), noise(44_100, 0.5, 4)] };
    const pending = writer.write(path.join(dir, 'a.wav'), take);
    const failed = expect(pending).rejects.toThrow(/closed before the file was written/);
    await writer.close();
    await failed;
    await writer.write(path.join(dir, 'b.wav'), take);
    expect(fs.readFileSync(path.join(dir, 'b.wav')).equals(encodeWav(take, 'float32'))).toBe(true);
  });
});
