import fs from 'node:fs';
import type { DecodedAudio } from './types';

export type WavSampleFormat = 'pcm16' | 'pcm24' | 'float32';

/**
 * Encodes planar float audio as a canonical RIFF/WAVE file (interleaved, little-endian).
 * PCM formats are clipped to [-1, 1] and rounded; float32 is written as is.
 */
export function encodeWav(audio: DecodedAudio, format: WavSampleFormat = 'pcm16'): Buffer {
  const channels = audio.channels.length;
  const frames = channels ? audio.channels[0].length : 0;
  const bytesPerSample = format === 'pcm16' ? 2 : format === 'pcm24' ? 3 : 4;
  const blockAlign = channels * bytesPerSample;
  const dataBytes = frames * blockAlign;
  const buf = Buffer.alloc(44 + dataBytes + (dataBytes & 1));
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(buf.length - 8, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(format === 'float32' ? 3 : 1, 20);
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(audio.sampleRate, 24);
  buf.writeUInt32LE(audio.sampleRate * blockAlign, 28);
  buf.writeUInt16LE(blockAlign, 32);
  buf.writeUInt16LE(bytesPerSample * 8, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  let o = 44;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const v = audio.channels[c][i];
      if (format === 'float32') {
        buf.writeFloatLE(v, o);
      } else {
        const clipped = Math.max(-1, Math.min(1, v));
        if (format === 'pcm16') buf.writeInt16LE(Math.round(clipped * 32767), o);
        else buf.writeIntLE(Math.round(clipped * 8388607), o, 3);
      }
      o += bytesPerSample;
    }
  }
  return buf;
}

export function writeWavFile(file: string, audio: DecodedAudio, format: WavSampleFormat = 'pcm16'): void {
  fs.writeFileSync(file, encodeWav(audio, format));
}
