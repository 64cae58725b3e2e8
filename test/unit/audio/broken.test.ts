import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFile, openMonoStream, readMeta } from '../../../main/engine/audio';
import { acquireDecoder, freeDecoders, idleDecoders, releaseDecoder } from '../../../main/engine/audio/decoders';
import { looksLikeText, sniff } from '../../../main/engine/audio/sniff';
import { chunk, flacVerbatim, fmt, intSignal, riff, scaled, tempFile, removeTempFiles } from './build';

afterAll(removeTempFiles);

function randomBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

describe('bad input gives a clear error', () => {
  it('an empty file', async () => {
    await expect(readMeta(tempFile('empty.wav', ''))).rejects.toMatchObject({ code: 'corrupt_file', message: 'Empty file (0 bytes)' });
    await expect(decodeFile(tempFile('empty.flac', ''))).rejects.toMatchObject({ code: 'corrupt_file', message: 'Empty file (0 bytes)' });
  });

  it('a file that does not exist', async () => {
    await expect(readMeta('/nonexistent/cuebank/x.wav')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a directory is not a file', async () => {
    const dir = path.dirname(tempFile('x.wav', 'x'));
    await expect(readMeta(dir)).rejects.toMatchObject({ code: 'invalid_input', message: `Not a file: ${dir}` });
    await expect(openMonoStream(dir, { targetRate: 48000 })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('random bytes named .wav', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      await expect(readMeta(tempFile('noise.wav', randomBytes(5000, seed)))).rejects.toMatchObject({
        code: 'unsupported_format',
        message: 'Not an audio file: the contents match no supported audio format (named .wav)',
      });
    }
  });

  it('text named .mp3, and text that begins like an MP3 frame sync is still text', async () => {
    await expect(readMeta(tempFile('notes.mp3', 'Session notes\nTake 3 was the good one.\n'))).rejects.toMatchObject({
      code: 'unsupported_format',
      message: 'Not an audio file: contents look like text (named .mp3)',
    });
    await expect(readMeta(tempFile('utf8.mp3', 'Über – ドア '.repeat(500)))).rejects.toThrow(/contents look like text/);
  });

  it('known non-audio and unsupported audio formats are named', async () => {
    const m4a = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypM4A '), Buffer.alloc(100)]);
    await expect(readMeta(tempFile('a.m4a', m4a))).rejects.toThrow('MP4/M4A (AAC or ALAC) files are not supported (named .m4a)');
    const png = Buffer.concat([Buffer.from([0x89]), Buffer.from('PNG\r\n\x1a\n'), Buffer.alloc(100)]);
    await expect(readMeta(tempFile('cover.wav', png))).rejects.toThrow('Not an audio file: contents look like a PNG image (named .wav)');
    const avi = riff([]).fill(0x41, 8, 12);
    avi.write('AVI ', 8);
    await expect(readMeta(tempFile('clip.wav', Buffer.concat([avi, Buffer.alloc(20)])))).rejects.toThrow(/AVI video files are not supported/);
  });

  it('a lone MPEG sync word is not taken for MP3: the next frame must parse too', () => {
    const fake = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), randomBytes(2000, 9)]);
    expect(() => sniff(fake, fake.length, 'x.mp3')).toThrow(/Not an audio file/);
  });

  it('looksLikeText rejects binary and accepts UTF-8 cut mid-character', () => {
    expect(looksLikeText(Buffer.from('hello\0world'))).toBe(false);
    const u = Buffer.from('ドアドアドア');
    expect(looksLikeText(u.subarray(0, u.length - 1))).toBe(true);
  });
});

describe('format comes from the bytes, not the name', () => {
  it('a FLAC file named .wav decodes as FLAC with a warning, bit-exact', async () => {
    const a = intSignal(5000, 16, 21);
    const b = intSignal(5000, 16, 22);
    const file = tempFile('really-flac.wav', flacVerbatim([a, b], 44100, 16, { tags: { TITLE: 'Door slam', comment: 'heavy' }, blockSize: 1152 }));
    const meta = await readMeta(file);
    expect(meta.format).toEqual({ container: 'flac', codec: 'flac', sampleRate: 44100, channels: 2, bitsPerSample: 16, frames: 5000, duration: 5000 / 44100 });
    expect(meta.warnings).toEqual(['File is named .wav but contains FLAC audio; decoded as FLAC']);
    expect(meta.info).toEqual({ TITLE: 'Door slam', COMMENT: 'heavy' });
    const { audio } = await decodeFile(file);
    expect(Array.from(audio.channels[0])).toEqual(a.map((v) => scaled(v, 16)));
    expect(Array.from(audio.channels[1])).toEqual(b.map((v) => scaled(v, 16)));
  });

  it('a WAV named .mp3 decodes as WAV with a warning; an unknown extension gets no warning', async () => {
    const bytes = riff([fmt({ channels: 1, rate: 8000, bits: 16 }), chunk('data', Buffer.alloc(16))]);
    expect((await readMeta(tempFile('x.mp3', bytes))).warnings).toEqual(['File is named .mp3 but contains WAV audio; decoded as WAV']);
    expect((await readMeta(tempFile('x.sfx', bytes))).warnings).toEqual([]);
    expect((await readMeta(tempFile('x.WAV', bytes))).warnings).toEqual([]);
  });

  it('24-bit FLAC decodes bit-exactly (the decoder scales by 2^23 - 1; Cuebank by 2^23 like WAV)', async () => {
    const a = intSignal(3000, 24, 23);
    const { audio } = await decodeFile(tempFile('x.flac', flacVerbatim([a], 48000, 24)));
    expect(Array.from(audio.channels[0])).toEqual(a.map((v) => scaled(v, 24)));
  });

  it('a FLAC cut short decodes what is there with a warning', async () => {
    const a = intSignal(8192, 16, 24);
    const full = flacVerbatim([a], 48000, 16, { blockSize: 4096 });
    const cut = full.subarray(0, full.length - 4000); // the second frame is cut in half
    const { meta, audio } = await decodeFile(tempFile('cut.flac', cut));
    expect(audio.channels[0].length).toBe(4096);
    expect(meta.format.frames).toBe(4096);
    expect(meta.warnings.join()).toMatch(/FLAC stream ends early: decoded 4096 of the 8192 frames/);
  });

  it('a FLAC whose STREAMINFO does not give the length is counted by decoding', async () => {
    const a = intSignal(7000, 16, 29);
    const file = tempFile('stream.flac', flacVerbatim([a], 48000, 16, { unknownLength: true }));
    const meta = await readMeta(file);
    expect(meta.format.frames).toBe(7000);
    expect(meta.warnings).toEqual([]);
    const { blocks, meta: m2 } = await openMonoStream(file, { targetRate: 16000 });
    let n = 0;
    for await (const b of blocks) n += b.length;
    expect(m2.format.frames).toBe(7000);
    expect(n).toBe(Math.round((7000 * 16000) / 48000));
  });

  it('a FLAC header cut off is an error', async () => {
    const full = flacVerbatim([intSignal(100, 16, 25)], 48000, 16);
    await expect(readMeta(tempFile('h.flac', full.subarray(0, 20)))).rejects.toMatchObject({ code: 'corrupt_file', message: expect.stringMatching(/^Truncated FLAC header/) });
  });
});

describe('wasm decoders are reused only when clean', () => {
  it('keeps one idle decoder after a clean decode, frees one abandoned mid-file, frees all on request', async () => {
    freeDecoders();
    const file = tempFile('a.flac', flacVerbatim([intSignal(2000, 16, 26)], 48000, 16));
    await decodeFile(file);
    expect(idleDecoders()).toEqual(['flac']);
    // The reused decoder carries nothing over: a file of another format decodes exactly.
    const other = intSignal(3000, 24, 28);
    const b = await decodeFile(tempFile('b.flac', flacVerbatim([other, other, other], 96000, 24)));
    expect(b.meta.format).toMatchObject({ channels: 3, sampleRate: 96000, frames: 3000 });
    expect(Array.from(b.audio.channels[2])).toEqual(other.map((v) => scaled(v, 24)));
    expect(idleDecoders()).toEqual(['flac']);
    const d1 = await acquireDecoder('flac');
    expect(idleDecoders()).toEqual([]);
    releaseDecoder('flac', d1, true);
    await decodeFile(file); // reuses the idle one: still exactly one idle afterwards
    expect(idleDecoders()).toEqual(['flac']);
    // A stream abandoned mid-file must not return its decoder (state mid-stream) to the pool.
    const { blocks } = await openMonoStream(tempFile('long.flac', flacVerbatim([intSignal(48000 * 12, 16, 27)], 48000, 16, { blockSize: 65535 })), { targetRate: 48000 });
    freeDecoders();
    for await (const b of blocks) {
      expect(b.length).toBeGreaterThan(0);
      break;
    }
    expect(idleDecoders()).toEqual([]);
    freeDecoders();
    expect(idleDecoders()).toEqual([]);
  });
});
