import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeFile, openMonoStream, readMeta, type FileMeta } from '../../../main/engine/audio';
import { ffprobe, hasTool, type Probe } from './tools';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CORPUS = path.resolve(repoRoot, '..', 'shared', 'corpus');
const HAVE_CORPUS = fs.existsSync(CORPUS);
const HAVE_FFPROBE = hasTool('ffprobe');
const HAVE_FFMPEG = hasTool('ffmpeg');
if (!HAVE_CORPUS) console.warn(`[audio corpus] SKIPPED: no real-audio corpus at ${CORPUS}`);
else if (!HAVE_FFPROBE) console.warn('[audio corpus] SKIPPED: ffprobe is not installed, so there is no reference to compare with');

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}

const files = HAVE_CORPUS ? listFiles(CORPUS).sort() : [];

/** The reference: ffprobe's first audio stream, or null when ffprobe finds no audio in the file. */
function probe(file: string): { s: Record<string, unknown>; tags: Record<string, string> } | null {
  let p: Probe;
  try {
    p = ffprobe(file);
  } catch {
    return null;
  }
  const s = p.streams.find((x) => x.codec_type === 'audio');
  if (!s || p.format.format_name === 'tty') return null; // ffprobe reads any text as a 'tty' video
  return { s, tags: p.format.tags ?? {} };
}

/** ffmpeg's own decode to interleaved float32, to compare samples with an independent decoder. */
function ffmpegDecode(file: string): Float32Array {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'f32le', '-'], { maxBuffer: 512 * 1024 * 1024 });
  const b = r.stdout as Buffer;
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function expectMatchesProbe(meta: FileMeta, s: Record<string, unknown>, tags: Record<string, string>): void {
  const rate = Number(s.sample_rate);
  expect(meta.format.channels).toBe(s.channels);
  expect(meta.format.sampleRate).toBe(rate);
  const bits = Number(s.bits_per_sample) || Number(s.bits_per_raw_sample) || null;
  expect(meta.format.bitsPerSample).toBe(bits);
  const frames = s.duration_ts !== undefined ? Number(s.duration_ts) : Math.round(Number(s.duration) * rate);
  expect(meta.format.frames).toBe(frames);
  if (tags.time_reference !== undefined) {
    expect(meta.bext, 'bext chunk').not.toBeNull();
    expect(meta.bext!.timeReference).toBe(Number(tags.time_reference));
    // ffprobe names bext description 'comment' and originator 'encoded_by'.
    expect(meta.bext!.description).toBe(tags.description ?? tags.comment ?? '');
    expect(meta.bext!.originator).toBe(tags.originator ?? tags.encoded_by ?? '');
    expect(meta.bext!.originatorReference).toBe(tags.originator_reference ?? '');
    expect(meta.bext!.originationDate).toBe(tags.date ?? '');
    // ffprobe shortens the UMID it prints; it must be a prefix of ours.
    if (tags.umid) expect(meta.bext!.umid.startsWith(tags.umid.replace(/^0x/, ''))).toBe(true);
  }
}

describe.skipIf(!HAVE_CORPUS || !HAVE_FFPROBE)('real-audio corpus against ffprobe', () => {
  it('has files to test', () => {
    expect(files.filter((f) => /\.(wav|ogg)$/i.test(f)).length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files) {
    const rel = path.relative(CORPUS, file);
    it(`${rel}: readMeta matches ffprobe and the file decodes`, async () => {
      const ref = probe(file);
      if (!ref) {
        // Not audio for ffprobe either (licence texts): Cuebank must say so, not crash or guess.
        await expect(readMeta(file)).rejects.toMatchObject({ code: 'unsupported_format', message: expect.stringMatching(/^Not an audio file/) });
        return;
      }
      const meta = await readMeta(file);
      expect(meta.warnings).toEqual([]);
      expectMatchesProbe(meta, ref.s, ref.tags);
      const { audio, meta: decodedMeta } = await decodeFile(file);
      expect(decodedMeta.format).toEqual(meta.format);
      expect(audio.channels).toHaveLength(meta.format.channels);
      for (const c of audio.channels) expect(c.length).toBe(meta.format.frames);
      if (!HAVE_FFMPEG) return;
      const theirs = ffmpegDecode(file);
      expect(theirs.length).toBe(meta.format.frames * meta.format.channels);
      let maxDiff = 0;
      let dot = 0;
      let e1 = 0;
      let e2 = 0;
      for (let i = 0; i < meta.format.frames; i++) {
        for (let c = 0; c < meta.format.channels; c++) {
          const a = audio.channels[c][i];
          const b = theirs[i * meta.format.channels + c];
          maxDiff = Math.max(maxDiff, Math.abs(a - b));
          dot += a * b;
          e1 += a * a;
          e2 += b * b;
        }
      }
      if (meta.format.codec.startsWith('pcm_')) expect(maxDiff).toBe(0); // PCM: bit-exact with ffmpeg
      else expect(dot / Math.sqrt(e1 * e2)).toBeGreaterThan(0.999); // two Vorbis decoders agree
    });
  }

  const bwf = (name: string) => path.join(CORPUS, 'bwf', name);
  const exists = (name: string) => fs.existsSync(bwf(name));

  const longest = files.filter((f) => f.endsWith('.ogg')).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  it.skipIf(!longest)('the longest Ogg streams as mono 48 kHz in 1-10 s blocks of the right total length', async () => {
    const timings: Record<string, number> = {};
    const { meta, blocks } = await openMonoStream(longest, { targetRate: 48000, timings });
    const sizes: number[] = [];
    for await (const b of blocks) sizes.push(b.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(Math.round((meta.format.frames * 48000) / meta.format.sampleRate));
    expect(sizes.length).toBeGreaterThan(2);
    for (const s of sizes.slice(0, -1)) {
      expect(s).toBeGreaterThanOrEqual(48000);
      expect(s).toBeLessThanOrEqual(480000);
    }
    expect(Object.keys(timings).sort()).toEqual(['decode', 'resample']);
  });

  it.skipIf(!exists('sounddevices_A101_1.WAV'))('Sound Devices iXML: PROJECT, SCENE, TAKE, TAPE and the track list', async () => {
    const { ixml } = await readMeta(bwf('sounddevices_A101_1.WAV'));
    expect(ixml).toMatchObject({ PROJECT: 'BMH', SCENE: 'A101', TAKE: '1', TAPE: '18Y12M31', SPEED: { MASTER_SPEED: '24000/1001' } });
    expect(ixml!.TRACK_LIST).toEqual({
      TRACK_COUNT: '2',
      TRACK: [
        { CHANNEL_INDEX: '1', INTERLEAVE_INDEX: '1', NAME: 'MKH516 A' },
        { CHANNEL_INDEX: '2', INTERLEAVE_INDEX: '2', NAME: 'Boom' },
      ],
    });
  });

  it.skipIf(!exists('protools_PT A101_4.A1.wav'))('Pro Tools iXML: SCENE and TAKE', async () => {
    const { ixml } = await readMeta(bwf('protools_PT A101_4.A1.wav'));
    expect(ixml).toMatchObject({ PROJECT: 'BMH', SCENE: 'A101', TAKE: '4' });
  });

  it.skipIf(!exists('nuendo_5.1.wav'))('Nuendo: extensible 5.1, bext v2 loudness, Steinberg iXML block', async () => {
    const meta = await readMeta(bwf('nuendo_5.1.wav'));
    expect(meta.format).toMatchObject({ channels: 6, codec: 'pcm_s24le' });
    expect(meta.bext).toMatchObject({ version: 2, loudnessValue: -80, loudnessRange: 0, maxTruePeakLevel: -120 });
    expect(meta.ixml).toMatchObject({ PROJECT: 'wavinfo Test Project', BEXT: { BWF_ORIGINATOR: 'Nuendo' } });
  });

  it.skipIf(!exists('izotoperx_cues_test.wav'))('iZotope RX cue points and labels', async () => {
    const { cues } = await readMeta(bwf('izotoperx_cues_test.wav'));
    expect(cues).toEqual([
      { id: 1, position: 1000, label: 'Marker 1' },
      { id: 2, position: 5000, label: 'Marker 2' },
      { id: 3, position: 10000, label: 'Marker 3' },
    ]);
  });

  it.skipIf(!exists('smpl_alarm_citizen_loop1.wav'))('smpl loop and INFO', async () => {
    const meta = await readMeta(bwf('smpl_alarm_citizen_loop1.wav'));
    expect(meta.sampler).toEqual({ midiUnityNote: 60, loops: [{ start: 0, end: 99509, type: 0, playCount: 0 }] });
    expect(meta.info).toMatchObject({ ISFT: 'Sonic Foundry Sound Forge 6.0', IENG: 'Kelly Bailey' });
  });

  it.skipIf(!exists('soundgrinder_new_camera bumb 1.wav'))('Sound Grinder: odd data chunk with pad byte, INFO keywords', async () => {
    const meta = await readMeta(bwf('soundgrinder_new_camera bumb 1.wav'));
    expect(meta.info).toMatchObject({ INAM: 'camera bumb 1', IKEY: 'Sound Effect, movement, microphone, bump', IART: 'Jamie Hardt' });
  });
});
