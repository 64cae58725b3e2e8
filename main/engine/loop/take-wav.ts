import os from 'node:os';
import { encodeWav } from '../audio';
import type { DecodedAudio } from '../audio/types';

/**
 * A take as a 32-bit float WAV (the critic's input, bit for bit; every DAW reads it). Interleaves
 * into one Float32Array whose bytes are the data chunk as they are on little-endian machines (all
 * current desktop CPUs), returned as [header, data] so nothing is copied again: far faster than
 * encoding sample by sample, which matters because a take is written inside the loop. Big-endian
 * machines take the general encoder.
 */
export function encodeTakeWav(audio: DecodedAudio): Buffer[] {
  if (os.endianness() !== 'LE') return [encodeWav(audio, 'float32')];
  const channels = audio.channels.length;
  const frames = channels ? audio.channels[0].length : 0;
  const samples = new Float32Array(frames * channels);
  for (let c = 0; c < channels; c++) {
    const src = audio.channels[c];
    for (let i = 0, o = c; i < frames; i++, o += channels) samples[o] = src[i];
  }
  const header = Buffer.alloc(44);
  const dataBytes = samples.byteLength;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(3, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(audio.sampleRate, 24);
  header.writeUInt32LE(audio.sampleRate * channels * 4, 28);
  header.writeUInt16LE(channels * 4, 32);
  header.writeUInt16LE(32, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return [header, Buffer.from(samples.buffer, samples.byteOffset, dataBytes)];
}
