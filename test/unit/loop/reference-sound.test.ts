/**
 * A reference's window read from its library file (synchronously for PCM): the window's samples
 * from where the sound starts, at most maxSeconds long; clear errors for a missing file and an
 * empty window; no file left open however many references are read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFile, writeWavFile } from '../../../main/engine/audio';
import { loadReferenceSound } from '../../../main/engine/loop/reference-sound';
import { tempDir } from '../../helpers/tmp';

const tmp = tempDir('cuebank-refsound-');
afterAll(() => tmp.cleanup());

const RATE = 48_000;
/** 1 s of silence, then 2 s of a 440 Hz tone (left) and 660 Hz (right). */
const wav = path.join(tmp.dir, 'tone.wav');
const tone = (freq: number) => Float32Array.from({ length: 3 * RATE }, (_, i) => (i < RATE ? 0 : 0.5 * Math.sin((2 * Math.PI * freq * i) / RATE)));
writeWavFile(wav, { sampleRate: RATE, channels: [tone(440), tone(660)] }, 'float32');

describe('loadReferenceSound', () => {
  it('reads the window from where the sound starts, cut at maxSeconds, sample for sample', async () => {
    const whole = (await decodeFile(wav)).audio.channels;
    const sound = await loadReferenceSound({ path: wav, start: 0.5, end: 2.5 }, 1.25);
    expect(sound.sampleRate).toBe(RATE);
    expect(sound.channels).toHaveLength(2);
    // Leading silence (0.5–1 s) is skipped: the first sample is the tone's first non-zero one.
    const first = RATE + 1;
    for (let c = 0; c < 2; c++) expect(Array.from(sound.channels[c])).toEqual(Array.from(whole[c].subarray(first, first + 1.25 * RATE)));
  });

  it('reads a window too long to read synchronously the same way (the async path)', async () => {
    // 48 s of float stereo at 48 kHz: 18 MB, over decodeRange's 16 MiB synchronous limit.
    const long = path.join(tmp.dir, 'long.wav');
    const n = 48 * RATE;
    const ramp = (k: number) => Float32Array.from({ length: n }, (_, i) => 0.25 + ((i * k) % 1000) / 4000); // never near silence
    writeWavFile(long, { sampleRate: RATE, channels: [ramp(3), ramp(7)] }, 'float32');
    const sound = await loadReferenceSound({ path: long, start: 1, end: 47 }, 46);
    expect(sound.channels).toHaveLength(2);
    expect(sound.channels[0]).toHaveLength(46 * RATE);
    expect(Array.from(sound.channels[1].subarray(0, 4))).toEqual(Array.from(ramp(7).subarray(RATE, RATE + 4)));
    expect(sound.channels[0][46 * RATE - 1]).toBe(ramp(3)[47 * RATE - 1]);
  });

  it('says which file is missing, and which window holds no audio', async () => {
    const missing = path.join(tmp.dir, 'gone.wav');
    await expect(loadReferenceSound({ path: missing, start: 0, end: 1 }, 1)).rejects.toMatchObject({ code: 'not_found' });
    await expect(loadReferenceSound({ path: missing, start: 0, end: 1 }, 1)).rejects.toThrow(`Reference ${missing} cannot be read: File not found: ${missing}`);
    await expect(loadReferenceSound({ path: wav, start: 5, end: 6 }, 1)).rejects.toMatchObject({ code: 'corrupt_file' });
  });

  it.skipIf(!fs.existsSync('/proc/self/fd'))('leaves no file open', async () => {
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 40; i++) await loadReferenceSound({ path: wav, start: 1, end: 1.5 }, 0.5);
    await loadReferenceSound({ path: wav, start: 5, end: 6 }, 1).catch(() => undefined);
    expect(open()).toBeLessThanOrEqual(before);
  });
});
