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
  wavHeader(audio.sampleRate, channels, format, dataBytes).copy(buf);
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

/**
 * The 44-byte RIFF/WAVE header of a canonical file (fmt chunk, then `dataBytes` of data). The RIFF
 * size counts the pad byte an odd-length data chunk takes.
 */
export function wavHeader(sampleRate: number, channels: number, format: WavSampleFormat, dataBytes: number): Buffer {
  const bytesPerSample = format === 'pcm16' ? 2 : format === 'pcm24' ? 3 : 4;
  const blockAlign = channels * bytesPerSample;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes + (dataBytes & 1), 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(format === 'float32' ? 3 : 1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bytesPerSample * 8, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

export function writeWavFile(file: string, audio: DecodedAudio, format: WavSampleFormat = 'pcm16'): void {
  fs.writeFileSync(file, encodeWav(audio, format));
}
