import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFile, readMeta } from '../../../main/engine/audio/read';
import { encodeAudio } from '../../../main/engine/export/encode/index';
import { DEFAULT_DITHER_SEED, quantise } from '../../../main/engine/export/encode/dither';
import { channelMask } from '../../../main/engine/export/encode/wav';
import { fullMetadata, removeTemp, tempFile, tones } from './encode-signals';

afterAll(removeTemp);

/** Chunk ids and bodies of a RIFF file, in order. */
function chunks(b: Uint8Array): { id: string; body: Buffer }[] {
  const buf = Buffer.from(b);
  const out: { id: string; body: Buffer }[] = [];
  for (let o = 12; o + 8 <= buf.length; ) {
    const size = buf.readUInt32LE(o + 4);
    out.push({ id: buf.toString('latin1', o, o + 4), body: buf.subarray(o + 8, o + 8 + size) });
    o += 8 + size + (size & 1);
  }
  return out;
}

describe('WAV export', () => {
  const cases = [
    { sample: 'pcm16', bits: 16, channels: 1, rate: 44100 },
    { sample: 'pcm16', bits: 16, channels: 2, rate: 48000 },
    { sample: 'pcm16', bits: 16, channels: 6, rate: 96000 },
    { sample: 'pcm24', bits: 24, channels: 1, rate: 96000 },
    { sample: 'pcm24', bits: 24, channels: 2, rate: 44100 },
    { sample: 'pcm24', bits: 24, channels: 6, rate: 48000 },
    { sample: 'float32', bits: 32, channels: 1, rate: 48000 },
    { sample: 'float32', bits: 32, channels: 2, rate: 96000 },
    { sample: 'float32', bits: 32, channels: 6, rate: 44100 },
  ] as const;

  for (const c of cases) {
    it(`${c.sample}, ${c.channels} ch, ${c.rate} Hz: samples come back within the quantisation and dither error`, async () => {
      const audio = tones(c.rate, c.channels, 0.25);
      const file = tempFile(`rt-${c.sample}-${c.channels}-${c.rate}.wav`);
      fs.writeFileSync(file, await encodeAudio(audio, { container: 'wav', sample: c.sample }, fullMetadata()));
      const { meta, audio: back } = await decodeFile(file);
      expect(meta.format).toMatchObject({ container: 'wav', sampleRate: c.rate, channels: c.channels, bitsPerSample: c.bits, frames: audio.channels[0].length });
      expect(meta.format.codec).toBe(c.sample === 'float32' ? 'pcm_f32le' : `pcm_s${c.bits}le`);
      expect(meta.warnings).toEqual([]);
      if (c.sample === 'float32') {
        for (let ch = 0; ch < c.channels; ch++) expect(back.channels[ch]).toEqual(audio.channels[ch]);
      } else {
        // Exactly the dithered integers, hence within 1.5 LSB of the input.
        const ints = quantise(audio.channels, c.bits, DEFAULT_DITHER_SEED);
        const scale = 2 ** (c.bits - 1);
        for (let ch = 0; ch < c.channels; ch++) {
          const got = back.channels[ch];
          let worst = 0;
          let mismatched = 0;
          for (let i = 0; i < got.length; i++) {
            if (got[i] * scale !== ints[ch][i]) mismatched++;
            worst = Math.max(worst, Math.abs(got[i] - audio.channels[ch][i]) * scale);
          }
          expect(mismatched).toBe(0);
          expect(worst).toBeLessThanOrEqual(1.5);
        }
      }
    });
  }

  it('writes WAVE_FORMAT_EXTENSIBLE only above 2 channels or 16 bits, with the layout channel mask', async () => {
    const fmtOf = async (sample: 'pcm16' | 'pcm24' | 'float32', channels: number) => {
      const bytes = await encodeAudio(tones(48000, channels, 0.01), { container: 'wav', sample }, fullMetadata());
      return chunks(bytes).find((k) => k.id === 'fmt ')!.body;
    };
    const plain = await fmtOf('pcm16', 2);
    expect(plain.length).toBe(16);
    expect(plain.readUInt16LE(0)).toBe(1);
    const six = await fmtOf('pcm16', 6);
    expect(six.length).toBe(40);
    expect(six.readUInt16LE(0)).toBe(0xfffe);
    expect(six.readUInt16LE(16)).toBe(22); // cbSize
    expect(six.readUInt16LE(18)).toBe(16); // valid bits
    expect(six.readUInt32LE(20)).toBe(0x3f); // FL FR FC LFE BL BR
    expect(six.subarray(24, 40).toString('hex')).toBe('0100000000001000800000aa00389b71');
    const mono24 = await fmtOf('pcm24', 1);
    expect(mono24.readUInt16LE(0)).toBe(0xfffe);
    expect(mono24.readUInt32LE(20)).toBe(0x4);
    expect(mono24.readUInt16LE(12)).toBe(3); // block align
    const float = await fmtOf('float32', 2);
    expect(float.subarray(24, 40).toString('hex')).toBe('0300000000001000800000aa00389b71');
    expect([1, 2, 4, 8].map(channelMask)).toEqual([0x4, 0x3, 0x33, 0x63f]);
  });

  it('orders chunks fmt, (fact), bext, LIST, iXML, data with even sizes and a RIFF size that matches', async () => {
    const bytes = await encodeAudio(tones(44100, 1, 0.01), { container: 'wav', sample: 'float32' }, fullMetadata());
    const ids = chunks(bytes).map((k) => k.id);
    expect(ids).toEqual(['fmt ', 'fact', 'bext', 'LIST', 'iXML', 'data']);
    expect(Buffer.from(bytes).readUInt32LE(4)).toBe(bytes.length - 8);
    expect(chunks(bytes)[1].body.readUInt32LE(0)).toBe(441);
  });

  it('carries bext v2 (every field, loudness as round(value × 100)), iXML USER and ASWG, and LIST/INFO', async () => {
    const file = tempFile('meta.wav');
    const meta = fullMetadata();
    fs.writeFileSync(file, await encodeAudio(tones(48000, 2, 0.1), { container: 'wav', sample: 'pcm24' }, meta));
    const m = await readMeta(file);
    expect(m.bext).toEqual({
      description: meta.description,
      originator: 'Ember Audio',
      originatorReference: 'EMB-0042',
      originationDate: '2025-03-04',
      originationTime: '05:06:07',
      timeReference: 0,
      version: 2,
      umid: '',
      loudnessValue: -18.23,
      loudnessRange: 4.56,
      maxTruePeakLevel: -1.04,
      maxMomentaryLoudness: -12.5,
      maxShortTermLoudness: -15.25,
      codingHistory: 'A=PCM,F=48000,W=24,M=stereo,T=Cuebank\r\n',
    });
    expect(m.ixml).toMatchObject({ IXML_VERSION: '2.10', PROJECT: 'Project Ember', NOTE: 'Recorded <close> & dry' });
    expect(m.ixml!.USER).toEqual({
      TRACKTITLE: 'Door Slam <Heavy> & "Oak"',
      DESCRIPTION: "Heavy oak door slams shut, 'boomy' tail",
      CATEGORY: 'DOORS',
      SUBCATEGORY: 'WOOD',
      CATID: 'DOORWood',
      CATEGORYFULL: 'DOORS-WOOD',
      FXNAME: 'Heavy Oak Slam',
      USERCATEGORY: 'INT',
      VENDORCATEGORY: 'Foley',
      NOTES: 'Recorded <close> & dry',
      KEYWORDS: 'door, slam, oak, wood',
      DESIGNER: 'Zoë Ruiz',
      LIBRARY: 'Cuebank Foley',
      SHOW: 'Project Ember',
      EMBEDDER: 'Cuebank',
    });
    expect(m.ixml!.ASWG).toEqual({
      contentType: 'sfx',
      project: 'Project Ember',
      originator: 'Zoë Ruiz',
      notes: 'Recorded <close> & dry',
      category: 'DOORS',
      subCategory: 'WOOD',
      catId: 'DOORWood',
      userCategory: 'INT',
      vendorCategory: 'Foley',
      userData: 'take 3',
      fxName: 'Heavy Oak Slam',
      creatorId: 'ZR',
      sourceId: 'EMB',
      library: 'Cuebank Foley',
      isLoop: 'false',
      isGenerated: 'true',
      loudness: '-18.23',
      loudnessRange: '4.56',
      maxPeak: '-1.04',
    });
    expect(m.info).toEqual({
      INAM: 'Door Slam <Heavy> & "Oak"',
      ICMT: "Heavy oak door slams shut, 'boomy' tail",
      IART: 'Zoë Ruiz',
      IPRD: 'Cuebank Foley',
      IGNR: 'DOORS',
      IKEY: 'door, slam, oak, wood',
      ICRD: '2025-03-04',
      ISFT: 'Cuebank',
    });
  });

  it('marks unmeasured loudness 0x7FFF, which reads back as null; minimal metadata still makes valid chunks', async () => {
    const file = tempFile('minimal.wav');
    const meta = { title: 'Blip', origination: new Date(Date.UTC(2024, 0, 1)), isLoop: true, isGenerated: false };
    const bytes = await encodeAudio(tones(44100, 1, 0.05), { container: 'wav', sample: 'pcm16' }, meta);
    const bext = chunks(bytes).find((k) => k.id === 'bext')!.body;
    for (let o = 412; o <= 420; o += 2) expect(bext.readUInt16LE(o)).toBe(0x7fff);
    fs.writeFileSync(file, bytes);
    const m = await readMeta(file);
    expect(m.bext).toMatchObject({ version: 2, description: 'Blip', originator: 'Cuebank', loudnessValue: null, loudnessRange: null, maxTruePeakLevel: null, maxMomentaryLoudness: null, maxShortTermLoudness: null });
    expect(m.bext!.codingHistory).toBe('A=PCM,F=44100,W=16,M=mono,T=Cuebank\r\n');
    expect(m.ixml).toEqual({ IXML_VERSION: '2.10', USER: { TRACKTITLE: 'Blip', EMBEDDER: 'Cuebank' }, ASWG: { contentType: 'sfx', isLoop: 'true', isGenerated: 'false' } });
    expect(m.info).toEqual({ INAM: 'Blip', ICRD: '2024-01-01', ISFT: 'Cuebank' });
  });

  it('refuses clearly what a RIFF file cannot hold (over 4 GiB) before allocating it', async () => {
    // 65535 channels sharing one small array: over 4 GiB of float samples, a few KB of memory.
    const shared = new Float32Array(16400);
    const audio = { sampleRate: 48000, channels: Array.from({ length: 65535 }, () => shared) };
    await expect(encodeAudio(audio, { container: 'wav', sample: 'float32' }, fullMetadata())).rejects.toThrow(/over the 4 GiB a WAV file can hold: export FLAC/);
  });
});
