import os from 'node:os';
import { encodeWav } from '../audio';
import type { DecodedAudio } from '../audio/types';

/**
 * Largest interleave buffer a TakeWavEncoder keeps between takes (16 MiB: 47 s of stereo at 44.1 kHz).
 * Longer takes get a buffer of their own, so a long one does not pin its size for the session.
 */
const KEPT_SAMPLES = 4 << 20;

/**
 * Takes as 32-bit float WAV (the critic's input, bit for bit; every DAW reads it). Interleaves into
 * one Float32Array whose bytes are the data chunk as they are on little-endian machines (all
 * current desktop CPUs), returned as [header, data] so nothing is copied again: far faster than
 * encoding sample by sample, which matters because a take is written inside the loop. The
 * interleave buffer is reused from take to take (a fresh one costs more in page faults than the
 * interleaving itself), so what `encode` returns is valid only until its next call: write it at
 * once. Big-endian machines take the general encoder.
 */
export class TakeWavEncoder {
  private kept = new Float32Array(0);

  encode(audio: DecodedAudio): Buffer[] {
    if (os.endianness() !== 'LE') return [encodeWav(audio, 'float32')];
    const channels = audio.channels.length;
    const frames = channels ? audio.channels[0].length : 0;
    const samples = this.buffer(frames * channels);
    if (channels === 2) {
      // One pass for the common case: both sources and the destination are read in order.
      const left = audio.channels[0];
      const right = audio.channels[1];
      for (let i = 0, o = 0; i < frames; i++, o += 2) {
        samples[o] = left[i];
        samples[o + 1] = right[i];
      }
    } else {
      for (let c = 0; c < channels; c++) {
        const src = audio.channels[c];
        for (let i = 0, o = c; i < frames; i++, o += channels) samples[o] = src[i];
      }
    }
    return [wavHeader(audio.sampleRate, channels, samples.byteLength), Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)];
  }

  private buffer(length: number): Float32Array {
    if (length > KEPT_SAMPLES) return new Float32Array(length);
    if (this.kept.length < length) this.kept = new Float32Array(Math.max(length, Math.min(KEPT_SAMPLES, 2 * this.kept.length)));
    return this.kept.subarray(0, length);
  }
}

function wavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(3, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 4, 28);
  header.writeUInt16LE(channels * 4, 32);
  header.writeUInt16LE(32, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}
