/**
 * What the hardening of the readers promises, one claim per test (issue 12): bounded metadata,
 * plausibility in words, non-audio samples read as silence, and valid-but-odd files read.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFile, measureFileLoudness, openMonoStream, readMeta } from '../../../main/engine/audio';
import { parseXml } from '../../../main/engine/audio/ixml';
import { MAX_XML_DEPTH } from '../../../main/engine/audio/limits';
import { decoderProblem } from '../../../main/engine/audio/decoder-errors';
import { isSentence } from '../../fuzz/plausibility';
import { chunk, fmt, intSignal, pcmLE, riff, removeTempFiles, tempFile } from './build';

afterAll(removeTempFiles);

const RATE = 48000;
const tone = (frames: number) => Array.from({ length: frames }, (_, i) => 0.25 * Math.sin((2 * Math.PI * 440 * i) / RATE));

function floatWav(samples: number[]): Buffer {
  return riff([fmt({ channels: 1, rate: RATE, bits: 32, tag: 3 }), chunk('data', pcmLE([samples], 32, true))]);
}

describe('iXML', () => {
  it('a 10,000-deep document is read to MAX_XML_DEPTH with a warning, and its text kept', () => {
    const warnings: string[] = [];
    const doc = parseXml(`<BWFXML><NOTE>kept</NOTE>${'<A>'.repeat(10_000)}deep${'</A>'.repeat(10_000)}<SCENE>12</SCENE></BWFXML>`, warnings);
    const root = doc.BWFXML as Record<string, unknown>;
    expect(root.NOTE).toBe('kept');
    expect(root.SCENE).toBe('12');
    expect(JSON.stringify(doc).split('{').length - 1).toBeLessThanOrEqual(MAX_XML_DEPTH + 2);
    expect(warnings).toEqual([`The XML nests elements at least 10001 deep; elements deeper than ${MAX_XML_DEPTH} were read as text`]);
  });

  it("'<' and spaces stay text-free and the elements after them are still read", () => {
    const doc = parseXml(`<BWFXML>${'< '.repeat(50_000)}<TAKE>3</TAKE></BWFXML>`);
    expect((doc.BWFXML as Record<string, unknown>).TAKE).toBe('3');
  });
});

describe('plausibility in words', () => {
  it.each([
    [0, 'The WAV header says 0 samples per second; no recorder writes that, so the file cannot be played (the header is damaged)'],
    [0xffffffff, 'The WAV header says 4,294,967,295 samples per second; no recorder writes that, so the file cannot be played (the header is damaged)'],
  ])('a WAV at %d Hz is refused with a sentence', async (rate, message) => {
    const file = tempFile('rate.wav', riff([fmt({ channels: 1, rate: 44100, bits: 16 }), chunk('data', pcmLE([intSignal(100, 16, 1)], 16))]));
    const bytes = fs.readFileSync(file);
    bytes.writeUInt32LE(rate, 24);
    await expect(readMeta(tempFile('rate.wav', bytes))).rejects.toMatchObject({ code: 'corrupt_file', message });
  });

  it('a 16-bit stereo file whose blockAlign says 8 is read as 16-bit with all its frames, as ffmpeg does', async () => {
    const body = pcmLE([intSignal(1000, 16, 2), intSignal(1000, 16, 3)], 16);
    const bytes = riff([fmt({ channels: 2, rate: RATE, bits: 16 }), chunk('data', body)]);
    bytes.writeUInt16LE(8, 32);
    const { meta, audio } = await decodeFile(tempFile('align.wav', bytes));
    expect(meta.format).toMatchObject({ bitsPerSample: 16, channels: 2, frames: 1000 });
    expect(audio.channels[1][999]).toBe(intSignal(1000, 16, 3)[999] / 32768);
    expect(meta.warnings).toEqual([
      "The WAV header's block size (8 bytes) does not match 2 channels of 16-bit samples; read 4-byte frames, as ffmpeg does",
    ]);
  });
});

describe('samples that are not audio', () => {
  const clean = tone(RATE);
  const poisoned = clean.slice();
  poisoned[1000] = NaN;
  poisoned[2000] = Infinity;
  poisoned[3000] = -3e38;

  it('are zeroed for loudness, which stays what the rest of the file measures', async () => {
    const file = tempFile('nan.wav', floatWav(poisoned));
    const ref = await measureFileLoudness(tempFile('clean.wav', floatWav(clean)));
    const got = await measureFileLoudness(file);
    expect(got.integrated).not.toBeNull();
    expect(Math.abs(got.integrated! - ref.integrated!)).toBeLessThan(0.05);
    expect(got.samplePeak).toBe(ref.samplePeak);
  });

  it('are zeroed in the stream the index embeds, and meta says how many', async () => {
    const { meta, blocks } = await openMonoStream(tempFile('nan-stream.wav', floatWav(poisoned)), { targetRate: RATE });
    let count = 0;
    for await (const b of blocks) for (const v of b) if (!Number.isFinite(v)) count++;
    expect(count).toBe(0);
    expect(meta.warnings).toEqual(['3 samples were not audio values (not a number, infinite, or beyond ±32768, i.e. above +90 dBFS); analysis read them as silence']);
  });
});

describe('valid-but-odd WAV data sizes', () => {
  const audio = pcmLE([intSignal(500, 16, 4)], 16);
  const head = (size: number) => Buffer.concat([Buffer.from('data'), Buffer.from(Uint32Array.of(size).buffer)]);
  const info = chunk('LIST', Buffer.concat([Buffer.from('INFO'), chunk('INAM', Buffer.from('after\0'))]));
  const file = (size: number, tail: Buffer[] = []) => {
    const body = Buffer.concat([Buffer.from('WAVE'), fmt({ channels: 1, rate: RATE, bits: 16 }), head(size), audio, ...tail]);
    return Buffer.concat([Buffer.from('RIFF'), Buffer.from(Uint32Array.of(body.length).buffer), body]);
  };

  it('a data size of 0 reads to the end of the file', async () => {
    const meta = await readMeta(tempFile('zero.wav', file(0)));
    expect(meta.format.frames).toBe(500);
    expect(meta.warnings[0]).toMatch(/^The data chunk's size says 0 bytes \(what a recorder leaves when recording stops abruptly\)/);
  });

  it('0xFFFFFFFF reads up to the chunks that end the file, which are read as metadata', async () => {
    const meta = await readMeta(tempFile('max.wav', file(0xffffffff, [info])));
    expect(meta.format.frames).toBe(500);
    expect(meta.info.INAM).toBe('after');
  });
});

describe('decoder messages', () => {
  it('become what they mean for the file', () => {
    for (const raw of ['_headerin vorbis_synthesisOV_EBADHEADER there was an error interpreting the packet.', '-1 MPG123_ERR', 'libopus -4 OPUS_INVALID_PACKET', 'logError is not defined']) {
      const s = `Cannot decode this file: ${decoderProblem(raw)}`;
      expect(isSentence(s), s).toBe(true);
    }
    expect(decoderProblem('_headerin vorbis_synthesisOV_EBADHEADER')).toBe('its Vorbis header packets are damaged');
  });
});
