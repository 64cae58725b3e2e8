import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFile, readMeta } from '../../../main/engine/audio/read';
import { parseStreamInfo } from '../../../main/engine/audio/flac';
import type { DecodedAudio } from '../../../main/engine/audio/types';
import { encodeAudio } from '../../../main/engine/export/encode/index';
import { crc16, crc8 } from '../../../main/engine/export/encode/crc';
import { DEFAULT_DITHER_SEED, quantise } from '../../../main/engine/export/encode/dither';
import { encodeFlac } from '../../../main/engine/export/encode/flac';
import { fullMetadata, noise, removeTemp, speech, tempFile, tones } from './encode-signals';

afterAll(removeTemp);

function interleaved(ints: Int32Array[], bits: number): Buffer {
  const bytes = bits / 8;
  const out = Buffer.alloc(ints[0].length * ints.length * bytes);
  let o = 0;
  for (let i = 0; i < ints[0].length; i++) for (const c of ints) (out.writeIntLE(c[i], o, bytes), (o += bytes));
  return out;
}

/** Metadata blocks and the offset of the first frame. */
function blocks(b: Uint8Array): { blocks: { type: number; body: Uint8Array }[]; framesAt: number } {
  const out: { type: number; body: Uint8Array }[] = [];
  let o = 4;
  for (;;) {
    const last = (b[o] & 0x80) !== 0;
    const len = (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
    out.push({ type: b[o] & 0x7f, body: b.subarray(o + 4, o + 4 + len) });
    o += 4 + len;
    if (last) return { blocks: out, framesAt: o };
  }
}

async function roundTrip(audio: DecodedAudio, bits: 16 | 24, name: string) {
  const bytes = await encodeAudio(audio, { container: 'flac', bits }, fullMetadata());
  const file = tempFile(name);
  fs.writeFileSync(file, bytes);
  return { bytes, file, ints: quantise(audio.channels, bits, DEFAULT_DITHER_SEED) };
}

describe('FLAC encoder', () => {
  const cases = [
    { bits: 16, channels: 1, rate: 44100 },
    { bits: 16, channels: 2, rate: 48000 },
    { bits: 16, channels: 6, rate: 96000 },
    { bits: 24, channels: 1, rate: 48000 },
    { bits: 24, channels: 2, rate: 96000 },
    { bits: 24, channels: 6, rate: 44100 },
  ] as const;

  for (const c of cases) {
    it(`${c.bits}-bit, ${c.channels} ch, ${c.rate} Hz decodes bit-exactly to the dithered integers`, async () => {
      const audio = tones(c.rate, c.channels, 0.3);
      const { bytes, file, ints } = await roundTrip(audio, c.bits, `rt-${c.bits}-${c.channels}-${c.rate}.flac`);
      const { meta, audio: back } = await decodeFile(file);
      expect(meta.format).toMatchObject({ container: 'flac', codec: 'flac', sampleRate: c.rate, channels: c.channels, bitsPerSample: c.bits, frames: audio.channels[0].length });
      expect(meta.warnings).toEqual([]);
      const scale = 2 ** (c.bits - 1);
      let mismatched = 0;
      for (let ch = 0; ch < c.channels; ch++) for (let i = 0; i < ints[ch].length; i++) if (back.channels[ch][i] * scale !== ints[ch][i]) mismatched++;
      expect(mismatched).toBe(0);

      // STREAMINFO: format, exact length, MD5 of the interleaved little-endian samples.
      const { blocks: meta0 } = blocks(bytes);
      const si = meta0[0].body;
      expect(meta0[0].type).toBe(0);
      expect(parseStreamInfo(si)).toMatchObject({ sampleRate: c.rate, channels: c.channels, bitsPerSample: c.bits, totalFrames: ints[0].length });
      expect(Buffer.from(si.subarray(18, 34)).toString('hex')).toBe(createHash('md5').update(interleaved(ints, c.bits)).digest('hex'));
    });
  }

  it('states block and frame size bounds that match the frames, with valid CRC-8 headers and CRC-16 footers', async () => {
    const audio = speech(48000, 1.2);
    const ints = quantise(audio.channels, 16, 1);
    const bytes = encodeFlac({ channels: ints, sampleRate: 48000, bits: 16, tags: [] });
    const { blocks: b, framesAt } = blocks(bytes);
    const si = Buffer.from(b[0].body);
    expect(si.readUInt16BE(0)).toBe(4096);
    expect(si.readUInt16BE(2)).toBe(4096);
    // Split the frames at sync codes whose header CRC-8 checks out, then check each footer.
    const starts: number[] = [];
    for (let o = framesAt; o < bytes.length - 1; o++) {
      if (bytes[o] === 0xff && bytes[o + 1] === 0xf8) {
        const headerLen = 6 + (bytes[o + 4] >= 0x80 ? 1 : 0); // frame numbers here fit 1–2 UTF-8 bytes
        if (crc8(bytes, o, o + headerLen - 1) === bytes[o + headerLen - 1]) starts.push(o);
      }
    }
    const expected = Math.ceil(ints[0].length / 4096);
    const frames = starts.map((s, i) => bytes.subarray(s, starts[i + 1] ?? bytes.length)).filter((f) => crc16(f, 0, f.length - 2) === ((f[f.length - 2] << 8) | f[f.length - 1]));
    expect(frames.length).toBe(expected);
    expect(si.readUIntBE(4, 3)).toBe(Math.min(...frames.map((f) => f.length)));
    expect(si.readUIntBE(7, 3)).toBe(Math.max(...frames.map((f) => f.length)));
  });

  it('declares a single short block as its own size', () => {
    const ints = quantise(tones(44100, 1, 0.01).channels, 16, 1); // 441 frames
    const si = Buffer.from(blocks(encodeFlac({ channels: ints, sampleRate: 44100, bits: 16, tags: [] })).blocks[0].body);
    expect([si.readUInt16BE(0), si.readUInt16BE(2)]).toEqual([441, 441]);
  });

  it('handles edge signals: silence, full-scale square, a handful of samples, one sample', async () => {
    const square = Float32Array.from({ length: 5000 }, (_, i) => (Math.floor(i / 50) % 2 ? 1 : -1));
    const signals: [string, DecodedAudio][] = [
      ['silence', { sampleRate: 48000, channels: [new Float32Array(9000), new Float32Array(9000)] }],
      ['square', { sampleRate: 48000, channels: [square, square.map((v) => -v)] }],
      ['five', { sampleRate: 48000, channels: [Float32Array.from([0.1, -0.2, 0.3, 0.9, -1])] }],
      ['one', { sampleRate: 22050, channels: [Float32Array.from([0.5])] }],
      // At 24 bits, noise of ±2^17 needs Rice parameters above 14 (the 5-bit RICE2 method).
      ['rice2', noise(48000, 2, 0.2, 0.02)],
    ];
    for (const [name, audio] of signals) {
      for (const bits of [16, 24] as const) {
        const { file, ints } = await roundTrip(audio, bits, `edge-${name}-${bits}.flac`);
        const { audio: back } = await decodeFile(file);
        const scale = 2 ** (bits - 1);
        expect(back.channels.map((c) => Array.from(c, (v) => v * scale))).toEqual(ints.map((c) => Array.from(c)));
      }
    }
  });

  it('uses stereo decorrelation: identical channels cost little more than one', async () => {
    const mono = speech(48000, 1);
    const ints = quantise(mono.channels, 16, 2);
    const one = encodeFlac({ channels: ints, sampleRate: 48000, bits: 16, tags: [] }).length;
    const two = encodeFlac({ channels: [ints[0], ints[0]], sampleRate: 48000, bits: 16, tags: [] }).length;
    expect(two).toBeLessThan(one * 1.1);
  });

  it('compresses speech, tones and noise (ratios logged; noise near 1, speech and tones well below)', () => {
    const rows: string[] = [];
    const ratio = (name: string, audio: DecodedAudio, bits: 16 | 24) => {
      const ints = quantise(audio.channels, bits, 3);
      const raw = ints.length * ints[0].length * (bits / 8);
      const size = encodeFlac({ channels: ints, sampleRate: audio.sampleRate, bits, tags: [] }).length;
      rows.push(`${name.padEnd(22)} ${bits}-bit  ${(raw / 1024).toFixed(0).padStart(5)} KiB → ${(size / 1024).toFixed(0).padStart(5)} KiB  ratio ${(raw / size).toFixed(2)}`);
      return raw / size;
    };
    const speechRatio = ratio('speech (mono)', speech(48000, 3), 16);
    const toneRatio = ratio('tones (stereo)', tones(48000, 2, 3), 16);
    const noiseRatio = ratio('white noise -12 dBFS', noise(48000, 2, 2), 16);
    ratio('speech (mono)', speech(48000, 3), 24);
    ratio('tones (stereo)', tones(48000, 2, 3), 24);
    console.log(`FLAC compression (raw PCM / FLAC):\n${rows.join('\n')}`);
    expect(speechRatio).toBeGreaterThan(2);
    expect(toneRatio).toBeGreaterThan(2);
    expect(noiseRatio).toBeGreaterThan(1); // never larger than raw: VERBATIM is the fallback
    expect(noiseRatio).toBeLessThan(1.5);
  });

  it('carries the Vorbis comments that our reader returns', async () => {
    const { file } = await roundTrip(tones(48000, 2, 0.05), 16, 'tags.flac');
    const m = await readMeta(file);
    expect(m.info).toMatchObject({
      TITLE: 'Door Slam <Heavy> & "Oak"',
      ARTIST: 'Zoë Ruiz',
      ALBUM: 'Cuebank Foley',
      GENRE: 'DOORS',
      UCS_CATID: 'DOORWood',
      FXNAME: 'Heavy Oak Slam',
      ISGENERATED: 'true',
      ISLOOP: 'false',
      LOUDNESS_INTEGRATED: '-18.23 LUFS',
      TRUE_PEAK: '-1.04 dBTP',
      ENCODER: 'Cuebank',
    });
  });

  it('refuses more than 8 channels and bit depths FLAC export does not offer', async () => {
    const nine = tones(48000, 9, 0.01);
    await expect(encodeAudio(nine, { container: 'flac', bits: 16 }, fullMetadata())).rejects.toThrow(/FLAC holds at most 8 channels/);
    await expect(encodeAudio(tones(48000, 1, 0.01), { container: 'flac', bits: 20 as 16 }, fullMetadata())).rejects.toThrow(/16 or 24 bits/);
  });
});
