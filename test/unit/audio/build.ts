/**
 * Hand-built audio files for unit tests: every byte is written here, so each test states exactly
 * what a file contains (chunk order, sizes, pad bytes, damaged headers) without external tools.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeExtended } from '../../../main/engine/audio/aiff';

export function u16le(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}
export function u32le(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}
export function u64le(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(v % 2 ** 32);
  b.writeUInt32LE(Math.floor(v / 2 ** 32), 4);
  return b;
}

/** A RIFF chunk with its pad byte (unless `pad` is false, as some broken writers do). */
export function chunk(id: string, body: Buffer, opts: { pad?: boolean; size?: number } = {}): Buffer {
  const pad = opts.pad !== false && body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from(id, 'latin1'), u32le(opts.size ?? body.length), body, pad]);
}

export function riff(chunks: Buffer[], form = 'RIFF'): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE'), ...chunks]);
  return Buffer.concat([Buffer.from(form), u32le(form === 'RIFF' ? body.length : 0xffffffff), body]);
}

export interface FmtOpts {
  tag?: number;
  channels: number;
  rate: number;
  bits: number;
  /** Write WAVE_FORMAT_EXTENSIBLE with this sub-format code (1 PCM, 3 float). */
  extensible?: number;
  validBits?: number;
}

const SUBTYPE_TAIL = Buffer.from('000000001000800000aa00389b71', 'hex');

export function fmt(o: FmtOpts): Buffer {
  const bytes = Math.ceil(o.bits / 8);
  const block = o.channels * bytes;
  const base = Buffer.concat([
    u16le(o.extensible ? 0xfffe : (o.tag ?? 1)),
    u16le(o.channels),
    u32le(o.rate),
    u32le(o.rate * block),
    u16le(block),
    u16le(o.bits),
  ]);
  if (!o.extensible) return chunk('fmt ', base);
  const ext = Buffer.concat([u16le(22), u16le(o.validBits ?? o.bits), u32le(o.channels === 2 ? 3 : 4), u16le(o.extensible), SUBTYPE_TAIL]);
  return chunk('fmt ', Buffer.concat([base, ext]));
}

/** Interleaves integer (or float) samples per channel into little-endian bytes. */
export function pcmLE(channels: number[][], bits: number, float = false): Buffer {
  const frames = channels[0].length;
  const bps = bits / 8;
  const out = Buffer.alloc(frames * channels.length * bps);
  let o = 0;
  for (let i = 0; i < frames; i++) {
    for (const ch of channels) {
      const v = ch[i];
      if (float && bits === 32) out.writeFloatLE(v, o);
      else if (float) out.writeDoubleLE(v, o);
      else if (bits === 8) out.writeUInt8(v + 128, o);
      else out.writeIntLE(v, o, bps);
      o += bps;
    }
  }
  return out;
}

export function pcmBE(channels: number[][], bits: number, float = false): Buffer {
  const frames = channels[0].length;
  const bps = bits / 8;
  const out = Buffer.alloc(frames * channels.length * bps);
  let o = 0;
  for (let i = 0; i < frames; i++) {
    for (const ch of channels) {
      const v = ch[i];
      if (float && bits === 32) out.writeFloatBE(v, o);
      else if (float) out.writeDoubleBE(v, o);
      else out.writeIntBE(v, o, bps);
      o += bps;
    }
  }
  return out;
}

/** Deterministic pseudo-random integers covering the full range of a bit depth. */
export function intSignal(frames: number, bits: number, seed: number): number[] {
  const max = 2 ** (bits - 1);
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < frames; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out.push((s % (2 * max)) - max);
  }
  out[0] = -max; // include both extremes
  if (frames > 1) out[1] = max - 1;
  return out;
}

// ---- AIFF ------------------------------------------------------------------------------------

export function aiffChunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

export function comm(channels: number, frames: number, bits: number, rate: number, compression?: string): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt16BE(channels, 0);
  b.writeUInt32BE(frames, 2);
  b.writeInt16BE(bits, 6);
  const parts: Buffer[] = [b, Buffer.from(writeExtended(rate))];
  if (compression) parts.push(Buffer.from(compression, 'latin1'), pstring(compression));
  return aiffChunk('COMM', Buffer.concat(parts));
}

export function pstring(s: string): Buffer {
  const b = Buffer.from(s, 'latin1');
  const total = 1 + b.length;
  return Buffer.concat([Buffer.from([b.length]), b, total % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

export function ssnd(data: Buffer): Buffer {
  return aiffChunk('SSND', Buffer.concat([Buffer.alloc(8), data]));
}

export function form(type: 'AIFF' | 'AIFC', chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from(type), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('FORM', 0, 'latin1');
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

// ---- FLAC (verbatim subframes: valid FLAC that any decoder reads, built without an encoder) ---

function crc8(b: Uint8Array): number {
  let crc = 0;
  for (const byte of b) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crc16(b: Uint8Array): number {
  let crc = 0;
  for (const byte of b) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

const FLAC_RATE_CODES: Record<number, number> = { 8000: 0b0100, 16000: 0b0101, 22050: 0b0110, 24000: 0b0111, 32000: 0b1000, 44100: 0b1001, 48000: 0b1010, 96000: 0b1011 };
const FLAC_BITS_CODES: Record<number, number> = { 8: 0b001, 16: 0b100, 24: 0b110 };

export function vorbisCommentBlock(tags: Record<string, string>): Buffer {
  const vendor = Buffer.from('cuebank-test');
  const entries = Object.entries(tags).map(([k, v]) => Buffer.from(`${k}=${v}`, 'utf8'));
  return Buffer.concat([u32le(vendor.length), vendor, u32le(entries.length), ...entries.flatMap((e) => [u32le(e.length), e])]);
}

export function flacVerbatim(
  channels: number[][],
  rate: number,
  bits: number,
  opts: { tags?: Record<string, string>; blockSize?: number; unknownLength?: boolean } = {},
): Buffer {
  const frames = channels[0].length;
  const block = opts.blockSize ?? 4096;
  const si = Buffer.alloc(34);
  si.writeUInt16BE(Math.min(block, 65535), 0);
  si.writeUInt16BE(Math.min(block, 65535), 2);
  // 20 bits rate, 3 bits channels-1, 5 bits bits-1, 36 bits total samples.
  const hi = (BigInt(rate) << 44n) | (BigInt(channels.length - 1) << 41n) | (BigInt(bits - 1) << 36n) | BigInt(opts.unknownLength ? 0 : frames);
  si.writeBigUInt64BE(hi, 10);
  const blocks: Buffer[] = [];
  const meta: { type: number; body: Buffer }[] = [{ type: 0, body: si }];
  if (opts.tags) meta.push({ type: 4, body: vorbisCommentBlock(opts.tags) });
  meta.forEach((m, i) => {
    const h = Buffer.alloc(4);
    h[0] = (i === meta.length - 1 ? 0x80 : 0) | m.type;
    h.writeUIntBE(m.body.length, 1, 3);
    blocks.push(h, m.body);
  });
  const out: Buffer[] = [Buffer.from('fLaC'), ...blocks];
  for (let start = 0, n = 0; start < frames; start += block, n++) {
    const len = Math.min(block, frames - start);
    const header = Buffer.from([
      0xff,
      0xf8,
      (0b0111 << 4) | FLAC_RATE_CODES[rate],
      ((channels.length - 1) << 4) | (FLAC_BITS_CODES[bits] << 1),
      ...(n < 128 ? [n] : [0xc0 | (n >> 6), 0x80 | (n & 0x3f)]), // UTF-8 coded frame number (< 2048)
      ((len - 1) >> 8) & 0xff,
      (len - 1) & 0xff,
    ]);
    const parts = [header, Buffer.from([crc8(header)])];
    for (const ch of channels) {
      const sub = Buffer.alloc(1 + len * (bits / 8));
      sub[0] = 0b00000010; // VERBATIM
      for (let i = 0; i < len; i++) sub.writeIntBE(ch[start + i], 1 + i * (bits / 8), bits / 8);
      parts.push(sub);
    }
    const frame = Buffer.concat(parts);
    const crc = Buffer.alloc(2);
    crc.writeUInt16BE(crc16(frame));
    out.push(frame, crc);
  }
  return Buffer.concat(out);
}

// ---- temp files --------------------------------------------------------------------------------

let dir: string | null = null;

/** Removes this process's temp files; test files call it in afterAll (forked workers may not see 'exit'). */
export function removeTempFiles(): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
}

/** Writes bytes to a fresh temp file (removed after the test file) and returns its path. */
export function tempFile(name: string, bytes: Uint8Array | string): string {
  if (!dir) {
    const made = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-audio-'));
    dir = made;
  }
  const sub = fs.mkdtempSync(path.join(dir, 'f-'));
  const file = path.join(sub, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Float expected for an integer sample, scaled by 2^(bits-1) as the decoder does. */
export function scaled(v: number, bits: number): number {
  return Math.fround(v / 2 ** (bits - 1));
}
