import { afterAll, describe, expect, it } from 'vitest';
import { decodeFile, readMeta } from '../../../main/engine/audio';
import { readExtended, writeExtended } from '../../../main/engine/audio/aiff';
import { aiffChunk, comm, form, intSignal, pcmBE, pcmLE, pstring, scaled, ssnd, tempFile, removeTempFiles } from './build';

afterAll(removeTempFiles);

describe('80-bit extended sample rate', () => {
  it('round-trips common and odd rates exactly', () => {
    for (const r of [8000, 11025, 22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000, 384000, 1, 44056, 47952.5]) {
      expect(readExtended(writeExtended(r), 0)).toBe(r);
    }
  });

  it('reads the canonical bytes for 44100 Hz', () => {
    expect(readExtended(Uint8Array.from([0x40, 0x0e, 0xac, 0x44, 0, 0, 0, 0, 0, 0]), 0)).toBe(44100);
  });
});

describe('AIFF and AIFF-C', () => {
  for (const bits of [8, 16, 24, 32]) {
    it(`AIFF ${bits}-bit big-endian signed PCM decodes exactly`, async () => {
      const a = intSignal(333, bits, 11);
      const b = intSignal(333, bits, 12);
      const file = tempFile('x.aiff', form('AIFF', [comm(2, 333, bits, 44100), ssnd(pcmBE([a, b], bits))]));
      const meta = await readMeta(file);
      expect(meta.format).toEqual({
        container: 'aiff',
        codec: bits === 8 ? 'pcm_s8' : `pcm_s${bits}be`,
        sampleRate: 44100,
        channels: 2,
        bitsPerSample: bits,
        frames: 333,
        duration: 333 / 44100,
      });
      const { audio } = await decodeFile(file);
      expect(Array.from(audio.channels[0])).toEqual(a.map((v) => scaled(v, bits)));
      expect(Array.from(audio.channels[1])).toEqual(b.map((v) => scaled(v, bits)));
    });
  }

  const aifc = [
    { type: 'NONE', bits: 16, codec: 'pcm_s16be', data: (s: number[]) => pcmBE([s], 16) },
    { type: 'twos', bits: 24, codec: 'pcm_s24be', data: (s: number[]) => pcmBE([s], 24) },
    { type: 'sowt', bits: 16, codec: 'pcm_s16le', data: (s: number[]) => pcmLE([s], 16) },
    { type: 'sowt', bits: 24, codec: 'pcm_s24le', data: (s: number[]) => pcmLE([s], 24) },
  ];
  for (const c of aifc) {
    it(`AIFF-C '${c.type}' ${c.bits}-bit decodes exactly`, async () => {
      const s = intSignal(257, c.bits, 13);
      const file = tempFile('x.aifc', form('AIFC', [aiffChunk('FVER', Buffer.from([0xa2, 0x80, 0x51, 0x40])), comm(1, 257, c.bits, 48000, c.type), ssnd(c.data(s))]));
      const meta = await readMeta(file);
      expect(meta.format).toMatchObject({ container: 'aifc', codec: c.codec, sampleRate: 48000, channels: 1, bitsPerSample: c.bits, frames: 257 });
      expect(Array.from((await decodeFile(file)).audio.channels[0])).toEqual(s.map((v) => scaled(v, c.bits)));
    });
  }

  for (const [type, bits] of [
    ['fl32', 32],
    ['fl64', 64],
  ] as const) {
    it(`AIFF-C '${type}' float decodes exactly`, async () => {
      const v = [0.5, -0.125, 1.25, Math.fround(0.3)];
      const file = tempFile('f.aifc', form('AIFC', [comm(1, 4, bits, 96000, type), ssnd(pcmBE([v], bits, true))]));
      const { meta, audio } = await decodeFile(file);
      expect(meta.format).toMatchObject({ codec: `pcm_f${bits}be`, bitsPerSample: bits, sampleRate: 96000, frames: 4 });
      expect(Array.from(audio.channels[0])).toEqual(v.map(Math.fround));
    });
  }

  it('honours the SSND offset field', async () => {
    const s = intSignal(10, 16, 14);
    const body = Buffer.concat([Buffer.from([0, 0, 0, 4, 0, 0, 0, 0]), Buffer.from([9, 9, 9, 9]), pcmBE([s], 16)]);
    const file = tempFile('off.aiff', form('AIFF', [comm(1, 10, 16, 22050), aiffChunk('SSND', body)]));
    expect(Array.from((await decodeFile(file)).audio.channels[0])).toEqual(s.map((v) => scaled(v, 16)));
  });

  it('reads NAME/AUTH/ANNO/(c) text into info, and MARK/INST into cues and sampler', async () => {
    const mark = Buffer.concat([
      Buffer.from([0, 2]),
      Buffer.from([0, 1, 0, 0, 0, 10]),
      pstring('Loop start'),
      Buffer.from([0, 2, 0, 0, 0, 90]),
      pstring('End'),
    ]);
    const inst = Buffer.alloc(20);
    inst[0] = 64; // base note
    inst.writeInt16BE(1, 8); // sustain loop: forward, markers 1..2
    inst.writeInt16BE(1, 10);
    inst.writeInt16BE(2, 12);
    const file = tempFile(
      't.aiff',
      form('AIFF', [
        comm(1, 100, 16, 44100),
        aiffChunk('NAME', Buffer.from('Wind gust')),
        aiffChunk('AUTH', Buffer.from('Field Team')),
        aiffChunk('ANNO', Buffer.from('first note')),
        aiffChunk('ANNO', Buffer.from('second')),
        aiffChunk('(c) ', Buffer.from('2024 Cuebank')),
        aiffChunk('MARK', mark),
        aiffChunk('INST', inst),
        ssnd(Buffer.alloc(200)),
      ]),
    );
    const meta = await readMeta(file);
    expect(meta.info).toEqual({ NAME: 'Wind gust', AUTH: 'Field Team', ANNO: 'first note\nsecond', '(C)': '2024 Cuebank' });
    expect(meta.cues).toEqual([
      { id: 1, position: 10, label: 'Loop start' },
      { id: 2, position: 90, label: 'End' },
    ]);
    expect(meta.sampler).toEqual({ midiUnityNote: 64, loops: [{ start: 10, end: 90, type: 0, playCount: 0 }] });
  });

  it('decodes a cut-short SSND with a warning', async () => {
    const s = intSignal(100, 16, 15);
    const bytes = form('AIFF', [comm(1, 100, 16, 44100), ssnd(pcmBE([s], 16))]);
    const { meta, audio } = await decodeFile(tempFile('cut.aiff', bytes.subarray(0, bytes.length - 41)));
    expect(meta.format.frames).toBe(79);
    expect(meta.warnings[0]).toMatch(/shorter than the header says \(79 of 100 frames\)/);
    expect(Array.from(audio.channels[0])).toEqual(s.slice(0, 79).map((v) => scaled(v, 16)));
  });

  it('rejects a missing or cut-off COMM chunk and unsupported compression', async () => {
    await expect(readMeta(tempFile('nocomm.aiff', form('AIFF', [ssnd(Buffer.alloc(4))])))).rejects.toThrow(/AIFF file has no COMM chunk/);
    const full = form('AIFF', [comm(1, 1, 16, 44100), ssnd(Buffer.alloc(2))]);
    await expect(readMeta(tempFile('cut.aiff', full.subarray(0, 24)))).rejects.toMatchObject({
      code: 'corrupt_file',
      message: 'Truncated AIFF header: the COMM chunk ends at byte 38 but the file has only 24 bytes',
    });
    await expect(readMeta(tempFile('u.aifc', form('AIFC', [comm(1, 1, 16, 8000, 'ulaw'), ssnd(Buffer.alloc(2))])))).rejects.toMatchObject({
      code: 'unsupported_format',
      message: "AIFF-C files with 'ulaw' compression are not supported",
    });
  });
});
