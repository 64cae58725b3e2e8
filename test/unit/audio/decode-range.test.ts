/**
 * decodeRange gives exactly the samples decodeFile gives for the same window, reading only that
 * window for PCM and stopping early for compressed formats.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFile, decodeRange, writeWavFile } from '../../../main/engine/audio';
import { tempDir } from '../../helpers/tmp';

const tmp = tempDir('cuebank-range-');
afterAll(() => tmp.cleanup());

const RATE = 48_000;
const ramp = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => ((i * k) % 2000) / 2000 - 0.5);
const wav = path.join(tmp.dir, 'ramp.wav');
writeWavFile(wav, { sampleRate: RATE, channels: [ramp(RATE * 3, 7), ramp(RATE * 3, 11)] }, 'pcm24');

function expectWindow(got: Float32Array[], whole: Float32Array[], first: number, last: number) {
  expect(got.length).toBe(whole.length);
  for (let c = 0; c < whole.length; c++) expect(Array.from(got[c])).toEqual(Array.from(whole[c].subarray(Math.round(first), Math.round(last))));
}

describe('decodeRange', () => {
  it('reads a window of a WAV file sample for sample', async () => {
    const whole = (await decodeFile(wav)).audio.channels;
    const { audio } = await decodeRange(wav, 1.25, 2);
    expect(audio.sampleRate).toBe(RATE);
    expectWindow(audio.channels, whole, 1.25 * RATE, 2 * RATE);
  });

  it('clamps a window that runs past either end of the file', async () => {
    const whole = (await decodeFile(wav)).audio.channels;
    expectWindow((await decodeRange(wav, 2.5, 10)).audio.channels, whole, 2.5 * RATE, 3 * RATE);
    expectWindow((await decodeRange(wav, -1, 0.5)).audio.channels, whole, 0, 0.5 * RATE);
    expect((await decodeRange(wav, 5, 6)).audio.channels[0].length).toBe(0);
  });

  it('reads a window too long for the synchronous read (over 16 MiB) the same way', async () => {
    // 48 s of float32 stereo at 48 kHz: 18 MiB of samples, so the window goes through the async source.
    const long = path.join(tmp.dir, 'long.wav');
    const n = RATE * 48;
    writeWavFile(long, { sampleRate: RATE, channels: [ramp(n, 7), ramp(n, 13)] }, 'float32');
    const whole = (await decodeFile(long)).audio.channels;
    const { audio } = await decodeRange(long, 1, 47.5);
    expect(audio.channels.length).toBe(2);
    for (let c = 0; c < 2; c++) {
      const want = whole[c].subarray(RATE, 47.5 * RATE);
      expect(audio.channels[c].length).toBe(want.length);
      expect(Buffer.from(audio.channels[c].buffer).equals(Buffer.from(want.slice().buffer))).toBe(true);
    }
  });

  it.skipIf(spawnSync('ffmpeg', ['-version']).status !== 0)('cuts the same window from a FLAC stream', async () => {
    const flac = path.join(tmp.dir, 'ramp.flac');
    expect(spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, '-c:a', 'flac', flac]).status).toBe(0);
    const whole = (await decodeFile(flac)).audio.channels;
    expectWindow((await decodeRange(flac, 0.7, 2.2)).audio.channels, whole, 0.7 * RATE, 2.2 * RATE);
  });
});
