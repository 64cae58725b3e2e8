/** Helpers for the model tests: a tiny WAV reader, windowing, cosine and ranking. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Reads a canonical PCM16/PCM24/float32 WAV (what encodeWav writes) into planar float channels. */
export function readWav(file: string): { sampleRate: number; channels: Float32Array[]; bits: number; formatTag: number } {
  const buf = fs.readFileSync(file);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file}: not RIFF/WAVE`);
  let o = 12;
  let fmt: { tag: number; ch: number; sr: number; bits: number } | null = null;
  while (o + 8 <= buf.length) {
    const id = buf.toString('ascii', o, o + 4);
    const size = buf.readUInt32LE(o + 4);
    const body = o + 8;
    if (id === 'fmt ') {
      fmt = { tag: buf.readUInt16LE(body), ch: buf.readUInt16LE(body + 2), sr: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw new Error(`${file}: data before fmt`);
      const bytes = fmt.bits / 8;
      const frames = Math.floor(size / (bytes * fmt.ch));
      const channels = Array.from({ length: fmt.ch }, () => new Float32Array(frames));
      let p = body;
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < fmt.ch; c++) {
          channels[c][i] =
            fmt.tag === 3 ? buf.readFloatLE(p) : fmt.bits === 16 ? buf.readInt16LE(p) / 32768 : buf.readIntLE(p, 3) / 8388608;
          p += bytes;
        }
      }
      return { sampleRate: fmt.sr, channels, bits: fmt.bits, formatTag: fmt.tag };
    }
    o = body + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

export function mono(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const out = new Float32Array(channels[0].length);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] += ch[i] / channels.length;
  return out;
}

export interface Cut {
  start: number;
  end: number;
  samples: Float32Array;
}

/** Back-to-back windows plus one end-aligned tail window, like the library's WindowPlanner. */
export function cutWindows(samples: Float32Array, sampleRate: number, windowSeconds: number): Cut[] {
  const len = Math.round(windowSeconds * sampleRate);
  if (samples.length <= len) return [{ start: 0, end: samples.length / sampleRate, samples }];
  const out: Cut[] = [];
  let s = 0;
  for (; s + len <= samples.length; s += len) out.push({ start: s / sampleRate, end: (s + len) / sampleRate, samples: samples.subarray(s, s + len) });
  if (s < samples.length) {
    const a = samples.length - len;
    out.push({ start: a / sampleRate, end: samples.length / sampleRate, samples: samples.subarray(a) });
  }
  return out;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cuebank-${prefix}-`));
}

/** Copies a folder tree. */
export function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}
