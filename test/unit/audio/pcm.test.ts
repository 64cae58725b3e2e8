/**
 * PCM conversion: pcmToPlanar and the fused pcmToMono (the streaming path, no per-channel
 * intermediate) against a plain reference reader, for every layout the WAV/AIFF readers produce,
 * aligned or not in memory, bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { toMono } from '../../../main/engine/audio';
import { pcmToMono, pcmToPlanar, type PcmLayout } from '../../../main/engine/audio/pcm';

/** Deterministic bytes; float layouts get real numbers in [-1.5, 1.5] (no NaN patterns). */
function makeBytes(l: PcmLayout, frames: number, seed: number): Uint8Array {
  const out = new Uint8Array(frames * l.blockAlign);
  const dv = new DataView(out.buffer);
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s;
  };
  for (let i = 0; i < out.length; i++) out[i] = next() >>> 24;
  const bps = l.bits / 8;
  if (l.float) {
    for (let f = 0; f < frames; f++) {
      for (let c = 0; c < l.channels; c++) {
        const p = f * l.blockAlign + c * bps;
        const v = (next() / 2 ** 32) * 3 - 1.5;
        if (bps === 4) dv.setFloat32(p, v, !l.bigEndian);
        else dv.setFloat64(p, v, !l.bigEndian);
      }
    }
  }
  // Include the extremes of integer formats.
  if (!l.float && frames > 2) {
    for (let c = 0; c < l.channels; c++) {
      for (let b = 0; b < bps; b++) {
        const msb = l.bigEndian ? b === 0 : b === bps - 1;
        out[c * bps + b] = msb ? (l.unsigned ? 0x00 : 0x80) : 0x00;
        out[l.blockAlign + c * bps + b] = msb ? (l.unsigned ? 0xff : 0x7f) : 0xff;
      }
    }
  }
  return out;
}

/** Reference: each sample read on its own and stored as float32 (what decodeFile gives). */
function reference(bytes: Uint8Array, l: PcmLayout, frames: number): Float32Array[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bps = l.bits / 8;
  const le = !l.bigEndian;
  return Array.from({ length: l.channels }, (_, c) => {
    const out = new Float32Array(frames);
    for (let f = 0; f < frames; f++) {
      const p = f * l.blockAlign + c * bps;
      let v: number;
      if (l.float) v = bps === 4 ? dv.getFloat32(p, le) : dv.getFloat64(p, le);
      else if (bps === 1) v = l.unsigned ? dv.getUint8(p) - 128 : dv.getInt8(p);
      else if (bps === 2) v = dv.getInt16(p, le);
      else if (bps === 4) v = dv.getInt32(p, le);
      else {
        const [b0, b1, b2] = le ? [bytes[p], bytes[p + 1], bytes[p + 2]] : [bytes[p + 2], bytes[p + 1], bytes[p]];
        v = ((b2 << 24) | (b1 << 16) | (b0 << 8)) >> 8;
      }
      out[f] = l.float ? v : v / 2 ** (l.bits - 1);
    }
    return out;
  });
}

/** The same bytes at a chosen byte offset within a larger buffer (misaligned views take other paths). */
function atOffset(bytes: Uint8Array, offset: number): Uint8Array {
  const big = new Uint8Array(bytes.length + 8);
  big.set(bytes, offset);
  return big.subarray(offset, offset + bytes.length);
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const LAYOUTS: Omit<PcmLayout, 'channels' | 'blockAlign'>[] = [
  { bits: 8, float: false, bigEndian: false, unsigned: true }, // WAV
  { bits: 8, float: false, bigEndian: true, unsigned: false }, // AIFF
  { bits: 16, float: false, bigEndian: false, unsigned: false },
  { bits: 16, float: false, bigEndian: true, unsigned: false },
  { bits: 24, float: false, bigEndian: false, unsigned: false },
  { bits: 24, float: false, bigEndian: true, unsigned: false },
  { bits: 32, float: false, bigEndian: false, unsigned: false },
  { bits: 32, float: false, bigEndian: true, unsigned: false },
  { bits: 32, float: true, bigEndian: false, unsigned: false },
  { bits: 32, float: true, bigEndian: true, unsigned: false },
  { bits: 64, float: true, bigEndian: false, unsigned: false },
  { bits: 64, float: true, bigEndian: true, unsigned: false },
];

describe('PCM conversion', () => {
  for (const base of LAYOUTS) {
    const name = `${base.float ? 'float' : base.unsigned ? 'uint' : 'int'}${base.bits} ${base.bigEndian ? 'BE' : 'LE'}`;
    it(`${name}: pcmToPlanar and pcmToMono are exact for 1-8 channels, packed or padded, at any alignment`, () => {
      for (const channels of [1, 2, 3, 6, 8]) {
        for (const pad of [0, 2]) {
          const l: PcmLayout = { ...base, channels, blockAlign: (base.bits / 8) * channels + pad };
          for (const frames of [0, 1, 2, 3, 4, 5, 1001]) {
            const bytes = makeBytes(l, frames, channels * 31 + frames + pad);
            const ref = reference(bytes, l, frames);
            const refMono = toMono(ref);
            for (const offset of [0, 1, 2, 3]) {
              const b = atOffset(bytes, offset);
              const what = `${channels} ch, pad ${pad}, ${frames} frames, offset ${offset}`;
              const planar = Array.from({ length: channels }, () => new Float32Array(frames + 3));
              pcmToPlanar(b, l, frames, planar, 3);
              for (let c = 0; c < channels; c++) expect(firstDifference(planar[c].subarray(3), ref[c]), `planar ch ${c}: ${what}`).toBe(-1);
              const mono = new Float32Array(frames);
              pcmToMono(b, l, frames, mono);
              expect(firstDifference(mono, refMono), `mono: ${what}`).toBe(-1);
            }
          }
        }
      }
    });
  }
});
