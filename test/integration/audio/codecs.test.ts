import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFile, openMonoStream, readMeta, resample, toMono } from '../../../main/engine/audio';
import { ffmpeg, hasTool, removeTempDir, tempDir } from './tools';

const HAVE_FFMPEG = hasTool('ffmpeg');
if (!HAVE_FFMPEG) console.warn('[audio codecs] SKIPPED: ffmpeg is not installed, so test files cannot be encoded');

const RATE = 44100;
const FRAMES = Math.round(RATE * 1.5) + 17; // not a multiple of any codec's frame size

/** A known stereo signal as integers: tones, a sweep and a little noise, never clipping. */
function source(bits: number): Int32Array[] {
  const full = 2 ** (bits - 1) - 1;
  const l = new Int32Array(FRAMES);
  const r = new Int32Array(FRAMES);
  let seed = 12345;
  for (let i = 0; i < FRAMES; i++) {
    const t = i / RATE;
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = (seed / 2 ** 32 - 0.5) * 0.02;
    l[i] = Math.round(full * (0.5 * Math.sin(2 * Math.PI * 440 * t) + 0.2 * Math.sin(2 * Math.PI * 3100 * t) + noise));
    r[i] = Math.round(full * (0.4 * Math.sin(2 * Math.PI * 1000 * t) + 0.3 * Math.sin(2 * Math.PI * (200 + 2000 * t) * t)));
  }
  return [l, r];
}

function rawLE(ch: Int32Array[], bits: number): Buffer {
  const bps = bits / 8;
  const out = Buffer.alloc(ch[0].length * ch.length * bps);
  let o = 0;
  for (let i = 0; i < ch[0].length; i++) for (const c of ch) (out.writeIntLE(c[i], o, bps), (o += bps));
  return out;
}

const asFloat = (c: Int32Array, bits: number) => Float32Array.from(c, (v) => v / 2 ** (bits - 1));

function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe.skipIf(!HAVE_FFMPEG)('codecs encoded by ffmpeg', () => {
  const dir = tempDir();
  const files: Record<string, string> = {};
  const src16 = source(16);
  const src24 = source(24);

  afterAll(removeTempDir);
  beforeAll(() => {
    const raw16 = path.join(dir, 's16.raw');
    const raw24 = path.join(dir, 's24.raw');
    fs.writeFileSync(raw16, rawLE(src16, 16));
    fs.writeFileSync(raw24, rawLE(src24, 24));
    const in16 = ['-f', 's16le', '-ar', String(RATE), '-ac', '2', '-i', raw16];
    const in24 = ['-f', 's24le', '-ar', String(RATE), '-ac', '2', '-i', raw24];
    const tags = ['-metadata', 'title=Door slam', '-metadata', 'artist=Field Team'];
    const out = (name: string) => (files[name] = path.join(dir, name));
    ffmpeg([...in16, ...tags, '-c:a', 'flac', out('s16.flac')]);
    ffmpeg([...in24, '-c:a', 'flac', out('s24.flac')]);
    ffmpeg([...in16, '-c:a', 'pcm_s16be', out('s16.aiff')]);
    ffmpeg([...in16, '-c:a', 'pcm_s16le', out('sowt.aifc')]);
    ffmpeg([...in24, '-c:a', 'pcm_f32be', out('fl32.aifc')]);
    ffmpeg([...in16, ...tags, '-c:a', 'libmp3lame', '-b:a', '192k', out('stereo.mp3')]);
    ffmpeg([...in16, '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '128k', out('mono.mp3')]);
    ffmpeg([...in16, ...tags, '-c:a', 'libvorbis', '-q:a', '6', out('vorbis.ogg')]);
    ffmpeg([...in16, ...tags, '-c:a', 'libopus', '-b:a', '160k', out('opus.opus')]);
    ffmpeg([...in24, '-c:a', 'flac', '-f', 'ogg', out('flac.oga')]);
    fs.copyFileSync(files['s16.flac'], out('flac-named.mp3'));
    ffmpeg([...in16, '-c:a', 'libmp3lame', '-b:a', '128k', '-id3v2_version', '3', '-write_id3v1', '1', '-metadata', 'album=Foley One', out('v1.mp3')]);
    // A second ID3v2 tag in front, larger than the 64 KiB head read (as cover art makes them).
    const title = Buffer.concat([Buffer.from([0]), Buffer.from('Big tag title')]);
    const frame = Buffer.concat([Buffer.from('TIT2'), Buffer.from([0, 0, 0, title.length, 0, 0]), title]);
    const body = Buffer.concat([frame, Buffer.alloc(100_000)]);
    const size = body.length;
    const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, (size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
    fs.writeFileSync(out('bigtag.mp3'), Buffer.concat([header, body, fs.readFileSync(files['v1.mp3'])]));
  });

  for (const [name, bits, container, codec] of [
    ['s16.flac', 16, 'flac', 'flac'],
    ['s24.flac', 24, 'flac', 'flac'],
    ['s16.aiff', 16, 'aiff', 'pcm_s16be'],
    ['sowt.aifc', 16, 'aifc', 'pcm_s16le'],
  ] as const) {
    it(`${name}: exact format and bit-exact samples`, async () => {
      const src = bits === 16 ? src16 : src24;
      const meta = await readMeta(files[name]);
      expect(meta.format).toEqual({ container, codec, sampleRate: RATE, channels: 2, bitsPerSample: bits, frames: FRAMES, duration: FRAMES / RATE });
      const { audio } = await decodeFile(files[name]);
      expect(audio.channels).toHaveLength(2);
      expect(firstDifference(audio.channels[0], asFloat(src[0], bits))).toBe(-1);
      expect(firstDifference(audio.channels[1], asFloat(src[1], bits))).toBe(-1);
    });
  }

  it('fl32.aifc: float samples exactly as converted from the 24-bit source', async () => {
    const { meta, audio } = await decodeFile(files['fl32.aifc']);
    expect(meta.format).toMatchObject({ container: 'aifc', codec: 'pcm_f32be', bitsPerSample: 32, frames: FRAMES, channels: 2 });
    expect(firstDifference(audio.channels[0], asFloat(src24[0], 24))).toBe(-1);
  });

  it('FLAC tags become upper-case info keys', async () => {
    const meta = await readMeta(files['s16.flac']);
    expect(meta.info).toMatchObject({ TITLE: 'Door slam', ARTIST: 'Field Team' });
  });

  for (const [name, codec, rate, channels, tolerance, tagged] of [
    ['stereo.mp3', 'mp3', 44100, 2, 1152, true],
    ['mono.mp3', 'mp3', 44100, 1, 1152, false],
    ['vorbis.ogg', 'vorbis', 44100, 2, 0, true],
    ['opus.opus', 'opus', 48000, 2, 0, true],
  ] as const) {
    it(`${name}: format, length within priming tolerance, and the source's waveform (correlation > 0.9)`, async () => {
      const meta = await readMeta(files[name]);
      const expectedFrames = Math.round((FRAMES * rate) / RATE);
      expect(meta.format).toMatchObject({ codec, sampleRate: rate, channels, bitsPerSample: null });
      expect(Math.abs(meta.format.frames - expectedFrames)).toBeLessThanOrEqual(tolerance);
      if (tagged) expect(meta.info).toMatchObject({ TITLE: 'Door slam', ARTIST: 'Field Team' });
      const { audio, meta: m2 } = await decodeFile(files[name]);
      expect(m2.format.frames).toBe(meta.format.frames);
      expect(audio.channels).toHaveLength(channels);
      expect(audio.channels[0].length).toBe(meta.format.frames);
      // Decoded audio lines up with the source at lag 0: encoder delay and priming are removed.
      const atRate = (x: Float32Array) => (rate === RATE ? x : resample(x, RATE, rate));
      const left = asFloat(src16[0], 16);
      const right = asFloat(src16[1], 16);
      const refs = channels === 1 ? [toMono([left, right])] : [left, right];
      refs.forEach((ref, c) => expect(correlation(audio.channels[c], atRate(ref)), `channel ${c}`).toBeGreaterThan(0.9));
    });
  }

  it('Ogg FLAC decodes bit-exactly with STREAMINFO bits', async () => {
    const { meta, audio } = await decodeFile(files['flac.oga']);
    expect(meta.format).toMatchObject({ container: 'ogg', codec: 'flac', sampleRate: RATE, channels: 2, bitsPerSample: 24, frames: FRAMES });
    expect(firstDifference(audio.channels[1], asFloat(src24[1], 24))).toBe(-1);
  });

  it('MP3 behind a 100 KB ID3v2 tag and before an ID3v1 tag: all tags read, audio intact', async () => {
    const meta = await readMeta(files['bigtag.mp3']);
    const plain = await readMeta(files['v1.mp3']);
    expect(meta.format).toEqual(plain.format);
    expect(meta.info).toMatchObject({ TITLE: 'Big tag title', ALBUM: 'Foley One' });
    expect(meta.warnings).toEqual([]);
  });

  it('a FLAC named .mp3 decodes as FLAC with a warning', async () => {
    const { meta, audio } = await decodeFile(files['flac-named.mp3']);
    expect(meta.format.container).toBe('flac');
    expect(meta.warnings[0]).toBe('File is named .mp3 but contains FLAC audio; decoded as FLAC');
    expect(firstDifference(audio.channels[0], asFloat(src16[0], 16))).toBe(-1);
  });

  for (const [name, passbandHz] of [
    ['s24.flac', undefined],
    ['stereo.mp3', undefined],
    ['vorbis.ogg', undefined],
    ['opus.opus', undefined],
    ['sowt.aifc', undefined],
    ['s24.flac', 14000],
    ['stereo.mp3', 14000],
    ['vorbis.ogg', 14000],
    ['sowt.aifc', 14000],
  ] as [string, number | undefined][]) {
    it(`${name}: openMonoStream at 48 kHz equals resampling the decoded mono${passbandHz ? ` (analysis, ${passbandHz} Hz)` : ''}`, async () => {
      const { meta, blocks } = await openMonoStream(files[name], { targetRate: 48000, passbandHz });
      const parts: Float32Array[] = [];
      for await (const b of blocks) parts.push(b);
      const all = Float32Array.from(parts.flatMap((p) => Array.from(p)));
      const { audio } = await decodeFile(files[name]);
      const expected = resample(toMono(audio.channels), audio.sampleRate, 48000, { passbandHz });
      expect(meta.format.frames).toBe(audio.channels[0].length);
      expect(all.length).toBe(Math.round((meta.format.frames * 48000) / meta.format.sampleRate));
      let max = 0;
      for (let i = 0; i < all.length; i++) max = Math.max(max, Math.abs(all[i] - expected[i]));
      expect(max).toBeLessThan(1e-6);
    });
  }
});
