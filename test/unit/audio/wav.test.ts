import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFile, readMeta } from '../../../main/engine/audio';
import { chunk, fmt, intSignal, pcmLE, riff, scaled, tempFile, u32le, u64le, removeTempFiles } from './build';

afterAll(removeTempFiles);

const RATE = 48000;

async function expectError(p: Promise<unknown>, code: string, message: RegExp) {
  await expect(p).rejects.toMatchObject({ name: 'CuebankError', code });
  await expect(p).rejects.toThrow(message);
}

describe('WAV PCM and float variants', () => {
  const cases = [
    { bits: 8, codec: 'pcm_u8' },
    { bits: 16, codec: 'pcm_s16le' },
    { bits: 24, codec: 'pcm_s24le' },
    { bits: 32, codec: 'pcm_s32le' },
  ];
  for (const { bits, codec } of cases) {
    it(`decodes ${bits}-bit integer PCM exactly (stereo)`, async () => {
      const left = intSignal(1001, bits, 1);
      const right = intSignal(1001, bits, 2);
      const file = tempFile(`s${bits}.wav`, riff([fmt({ channels: 2, rate: RATE, bits }), chunk('data', pcmLE([left, right], bits))]));
      const meta = await readMeta(file);
      expect(meta.format).toEqual({ container: 'wav', codec, sampleRate: RATE, channels: 2, bitsPerSample: bits, frames: 1001, duration: 1001 / RATE });
      expect(meta.warnings).toEqual([]);
      const { audio } = await decodeFile(file);
      expect(audio.sampleRate).toBe(RATE);
      expect(audio.channels).toHaveLength(2);
      expect(Array.from(audio.channels[0])).toEqual(left.map((v) => scaled(v, bits)));
      expect(Array.from(audio.channels[1])).toEqual(right.map((v) => scaled(v, bits)));
      expect(Math.min(...audio.channels[0])).toBe(-1);
    });
  }

  it('8-bit WAV is unsigned: byte 128 is silence, 0 is -1, 255 is 127/128', async () => {
    const file = tempFile('u8.wav', riff([fmt({ channels: 1, rate: 8000, bits: 8 }), chunk('data', Buffer.from([128, 0, 255, 64]))]));
    const { audio } = await decodeFile(file);
    expect(Array.from(audio.channels[0])).toEqual([0, -1, 127 / 128, -0.5]);
  });

  for (const bits of [32, 64]) {
    it(`decodes IEEE float ${bits} exactly, including values beyond full scale`, async () => {
      const values = [0, 0.5, -0.25, 1.5, -2, 1e-9, Math.fround(0.1234567)];
      const file = tempFile(`f${bits}.wav`, riff([fmt({ tag: 3, channels: 1, rate: RATE, bits }), chunk('data', pcmLE([values], bits, true))]));
      const meta = await readMeta(file);
      expect(meta.format.codec).toBe(`pcm_f${bits}le`);
      expect(meta.format.bitsPerSample).toBe(bits);
      const { audio } = await decodeFile(file);
      expect(Array.from(audio.channels[0])).toEqual(values.map((v) => Math.fround(v)));
    });
  }

  it('reads WAVE_FORMAT_EXTENSIBLE with PCM and float sub-formats', async () => {
    const a = intSignal(300, 24, 3);
    const pcm = tempFile('ext-pcm.wav', riff([fmt({ channels: 2, rate: RATE, bits: 24, extensible: 1 }), chunk('data', pcmLE([a, a], 24))]));
    const m1 = await readMeta(pcm);
    expect(m1.format).toMatchObject({ codec: 'pcm_s24le', channels: 2, bitsPerSample: 24, frames: 300 });
    expect(Array.from((await decodeFile(pcm)).audio.channels[1])).toEqual(a.map((v) => scaled(v, 24)));

    const f = [0.25, -0.75, 0.125];
    const flt = tempFile('ext-float.wav', riff([fmt({ channels: 1, rate: 96000, bits: 32, extensible: 3 }), chunk('data', pcmLE([f], 32, true))]));
    const m2 = await readMeta(flt);
    expect(m2.format).toMatchObject({ codec: 'pcm_f32le', sampleRate: 96000, frames: 3 });
    expect(Array.from((await decodeFile(flt)).audio.channels[0])).toEqual(f);
  });

  it('reads 20-bit audio in 24-bit containers (extensible valid bits)', async () => {
    const a = intSignal(50, 20, 9).map((v) => v * 16); // left-justified in 24 bits
    const file = tempFile('ext20.wav', riff([fmt({ channels: 1, rate: RATE, bits: 24, extensible: 1, validBits: 20 }), chunk('data', pcmLE([a], 24))]));
    const { audio, meta } = await decodeFile(file);
    expect(meta.format.bitsPerSample).toBe(24);
    expect(Array.from(audio.channels[0])).toEqual(a.map((v) => scaled(v, 24)));
  });
});

describe('WAV container structure', () => {
  it('reads RF64 and BW64 with 64-bit sizes from the ds64 chunk', async () => {
    const a = intSignal(777, 16, 4);
    const data = pcmLE([a], 16);
    for (const form of ['RF64', 'BW64']) {
      const ds64 = chunk('ds64', Buffer.concat([u64le(0), u64le(data.length), u64le(777), u32le(0)]));
      const file = tempFile(`x.wav`, riff([ds64, fmt({ channels: 1, rate: 44100, bits: 16 }), chunk('data', data, { size: 0xffffffff })], form));
      const meta = await readMeta(file);
      expect(meta.format.container).toBe(form.toLowerCase());
      expect(meta.format.frames).toBe(777);
      expect(meta.warnings).toEqual([]);
      expect(Array.from((await decodeFile(file)).audio.channels[0])).toEqual(a.map((v) => scaled(v, 16)));
    }
  });

  it('RF64 sizes above 4 GiB come from the ds64 table (header only, no data needed)', async () => {
    const big = 5 * 2 ** 30; // 5 GiB of 24-bit stereo
    const ds64 = chunk('ds64', Buffer.concat([u64le(big + 100), u64le(big), u64le(big / 6), u32le(0)]));
    const file = tempFile('big.wav', riff([ds64, fmt({ channels: 2, rate: RATE, bits: 24 }), chunk('data', Buffer.alloc(600), { size: 0xffffffff })], 'RF64'));
    const meta = await readMeta(file);
    // The file holds only 600 bytes of the declared 5 GiB: what is there decodes, with a warning.
    expect(meta.format.frames).toBe(100);
    expect(meta.warnings.join()).toMatch(/shorter than its header says \(600 of 5368709120 bytes\)/);
  });

  it('skips unknown chunks, and odd-sized chunks with their pad byte', async () => {
    const a = intSignal(101, 8, 5);
    const file = tempFile(
      'odd.wav',
      riff([
        chunk('JUNK', Buffer.alloc(27, 0xaa)), // odd size: followed by a pad byte
        chunk('XYZW', Buffer.from('who knows')),
        fmt({ channels: 1, rate: 22050, bits: 8 }),
        chunk('data', pcmLE([a], 8)), // 101 bytes: odd, padded
        chunk('LIST', Buffer.concat([Buffer.from('INFO'), chunk('INAM', Buffer.from('Door slam\0'))])),
      ]),
    );
    const meta = await readMeta(file);
    expect(meta.format.frames).toBe(101);
    expect(meta.info).toEqual({ INAM: 'Door slam' });
    expect(Array.from((await decodeFile(file)).audio.channels[0])).toEqual(a.map((v) => v / 128));
  });

  it('tolerates a missing pad byte after an odd-sized chunk', async () => {
    const a = intSignal(10, 16, 6);
    const file = tempFile(
      'nopad.wav',
      riff([chunk('JUNK', Buffer.alloc(3, 1), { pad: false }), fmt({ channels: 1, rate: RATE, bits: 16 }), chunk('data', pcmLE([a], 16))]),
    );
    expect((await readMeta(file)).format.frames).toBe(10);
  });

  it('decodes a data chunk shorter than its header says, with a warning', async () => {
    const a = intSignal(1000, 16, 7);
    const full = riff([fmt({ channels: 1, rate: RATE, bits: 16 }), chunk('data', pcmLE([a], 16))]);
    const cut = full.subarray(0, full.length - 601); // 300.5 frames missing
    const file = tempFile('cut.wav', cut);
    const { meta, audio } = await decodeFile(file);
    expect(meta.format.frames).toBe(699);
    expect(meta.warnings).toHaveLength(1);
    expect(meta.warnings[0]).toMatch(/shorter than its header says \(1399 of 2000 bytes\).*699 frames/);
    expect(Array.from(audio.channels[0])).toEqual(a.slice(0, 699).map((v) => scaled(v, 16)));
  });

  it('rejects a header that is itself cut off', async () => {
    const full = riff([fmt({ channels: 1, rate: RATE, bits: 16 }), chunk('data', Buffer.alloc(100))]);
    await expectError(readMeta(tempFile('h30.wav', full.subarray(0, 30))), 'corrupt_file', /Truncated WAV header: the fmt chunk ends at byte 36 but the file has only 30 bytes/);
    await expectError(readMeta(tempFile('h10.wav', full.subarray(0, 10))), 'corrupt_file', /Truncated WAV header: the file has only 10 bytes/);
    await expectError(readMeta(tempFile('h14.wav', full.subarray(0, 14))), 'corrupt_file', /Truncated WAV header: the file has only 14 bytes/);
  });

  it('rejects a file with no data chunk or no fmt chunk', async () => {
    await expectError(readMeta(tempFile('nodata.wav', riff([fmt({ channels: 1, rate: RATE, bits: 16 })]))), 'corrupt_file', /no data chunk/);
    await expectError(readMeta(tempFile('nofmt.wav', riff([chunk('data', Buffer.alloc(4))]))), 'corrupt_file', /no fmt chunk/);
  });

  it('names encodings it does not decode', async () => {
    const alaw = tempFile('alaw.wav', riff([fmt({ tag: 6, channels: 1, rate: 8000, bits: 8 }), chunk('data', Buffer.alloc(8))]));
    await expectError(readMeta(alaw), 'unsupported_format', /WAV files with A-law encoding are not supported \(format tag 0x0006\)/);
    const adpcm = tempFile('ima.wav', riff([fmt({ tag: 0x11, channels: 1, rate: 8000, bits: 4 }), chunk('data', Buffer.alloc(8))]));
    await expectError(readMeta(adpcm), 'unsupported_format', /IMA ADPCM/);
  });

  it('never writes to the library file', async () => {
    const bytes = riff([fmt({ channels: 1, rate: RATE, bits: 16 }), chunk('data', pcmLE([intSignal(64, 16, 8)], 16))]);
    const file = tempFile('ro.wav', bytes);
    fs.chmodSync(file, 0o444);
    const before = fs.statSync(file);
    await readMeta(file);
    await decodeFile(file);
    const after = fs.statSync(file);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    fs.chmodSync(file, 0o644);
  });
});
