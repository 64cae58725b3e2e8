/**
 * Exported files as other tools see them: ffprobe's format/rate/bits/channels/duration and tags,
 * ffmpeg decoding with every error check on (bit-exact for the lossless formats), and the
 * project's own reader for bext v2 and the iXML USER and ASWG blocks.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readMeta } from '../../../main/engine/audio/read';
import type { DecodedAudio } from '../../../main/engine/audio/types';
import { DEFAULT_DITHER_SEED, quantise } from '../../../main/engine/export/encode/dither';
import { encodeAudio, fileExtension, type ExportFormat } from '../../../main/engine/export/encode/index';
import { fullMetadata, removeTemp, tempFile, tones } from '../../unit/export/encode-signals';
import { ffprobe, hasTool } from '../audio/tools';

const HAVE_FFMPEG = hasTool('ffmpeg') && hasTool('ffprobe');
if (!HAVE_FFMPEG) console.warn('[export read-back] SKIPPED: ffmpeg/ffprobe are not installed');
const HAVE_PYTHON = spawnSync('python3', ['-c', 'import xml.dom.minidom']).status === 0;

afterAll(removeTemp);

/** ffmpeg decoding to the null muxer with CRC and bitstream checks; returns what it printed. */
function ffmpegErrors(file: string): string {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-err_detect', 'crccheck+bitstream+buffer+explode', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
  return `${r.status === 0 ? '' : `exit ${r.status} `}${r.stderr}`.trim();
}

function rawLE(ints: Int32Array[], bits: number): Buffer {
  const bytes = bits / 8;
  const out = Buffer.alloc(ints[0].length * ints.length * bytes);
  let o = 0;
  for (let i = 0; i < ints[0].length; i++) for (const c of ints) (out.writeIntLE(c[i], o, bytes), (o += bytes));
  return out;
}

function ffmpegRaw(file: string, fmt: string): Buffer {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', fmt, '-'], { maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return r.stdout;
}

const tag = (tags: Record<string, string> | undefined, key: string) =>
  Object.entries(tags ?? {}).find(([k]) => k.toUpperCase() === key)?.[1];

interface Case {
  format: ExportFormat;
  channels: number;
  rate: number;
  codec: string;
  bits: number | null;
  sampleFmt: string;
}

const CASES: Case[] = [
  { format: { container: 'wav', sample: 'pcm16' }, channels: 1, rate: 44100, codec: 'pcm_s16le', bits: 16, sampleFmt: 's16' },
  { format: { container: 'wav', sample: 'pcm24' }, channels: 2, rate: 48000, codec: 'pcm_s24le', bits: 24, sampleFmt: 's32' },
  { format: { container: 'wav', sample: 'float32' }, channels: 6, rate: 96000, codec: 'pcm_f32le', bits: 32, sampleFmt: 'flt' },
  { format: { container: 'wav', sample: 'pcm16' }, channels: 6, rate: 48000, codec: 'pcm_s16le', bits: 16, sampleFmt: 's16' },
  { format: { container: 'flac', bits: 16 }, channels: 2, rate: 48000, codec: 'flac', bits: 16, sampleFmt: 's16' },
  { format: { container: 'flac', bits: 24 }, channels: 1, rate: 96000, codec: 'flac', bits: 24, sampleFmt: 's32' },
  { format: { container: 'flac', bits: 16 }, channels: 6, rate: 44100, codec: 'flac', bits: 16, sampleFmt: 's16' },
  { format: { container: 'flac', bits: 24 }, channels: 2, rate: 44100, codec: 'flac', bits: 24, sampleFmt: 's32' },
  { format: { container: 'ogg', quality: 0.5 }, channels: 2, rate: 48000, codec: 'vorbis', bits: null, sampleFmt: 'fltp' },
  { format: { container: 'ogg', quality: 0.2 }, channels: 1, rate: 44100, codec: 'vorbis', bits: null, sampleFmt: 'fltp' },
];

const label = (c: Case) => `${fileExtension(c.format)} ${JSON.stringify(c.format)} ${c.channels} ch ${c.rate} Hz`;

describe.skipIf(!HAVE_FFMPEG)('exported files read back with ffprobe/ffmpeg and Cuebank', () => {
  for (const c of CASES) {
    it(label(c), async () => {
      const audio: DecodedAudio = tones(c.rate, c.channels, 0.7);
      const frames = audio.channels[0].length;
      const meta = fullMetadata();
      const file = tempFile(`${c.format.container}-${c.channels}-${c.rate}-${c.bits}.${fileExtension(c.format)}`);
      fs.writeFileSync(file, await encodeAudio(audio, c.format, meta));

      const probe = ffprobe(file);
      const s = probe.streams[0] as Record<string, string | number | Record<string, string>>;
      expect(probe.streams.length).toBe(1);
      expect(s.codec_name).toBe(c.codec);
      expect(Number(s.sample_rate)).toBe(c.rate);
      expect(s.channels).toBe(c.channels);
      expect(s.sample_fmt).toBe(c.sampleFmt);
      if (c.codec === 'flac') expect(Number(s.bits_per_raw_sample)).toBe(c.bits);
      else if (c.bits) expect(Number(s.bits_per_sample)).toBe(c.bits);
      // WAV states its mask (FL FR FC LFE BL BR); for FLAC ffmpeg applies the spec's 6-channel order, which it calls 5.1(side).
      if (c.channels === 6) expect(s.channel_layout).toBe(c.codec === 'flac' ? '5.1(side)' : '5.1');
      expect(Number(s.duration ?? probe.format.duration)).toBeCloseTo(frames / c.rate, 3);
      expect(ffmpegErrors(file)).toBe('');

      if (c.format.container !== 'wav') {
        const tags = (c.format.container === 'ogg' ? (s.tags as Record<string, string>) : probe.format.tags) ?? {};
        expect(tag(tags, 'TITLE')).toBe(meta.title);
        expect(tag(tags, 'ARTIST')).toBe(meta.designer);
        expect(tag(tags, 'ALBUM')).toBe(meta.library);
        expect(tag(tags, 'GENRE')).toBe('DOORS');
        // ffmpeg maps both DESCRIPTION and COMMENT to its 'comment' key; the later one (notes) shows.
        expect(tag(tags, 'COMMENT')).toBe(meta.notes);
        expect(tag(tags, 'KEYWORDS')).toBe('door, slam, oak, wood');
        expect(tag(tags, 'UCS_CATID')).toBe('DOORWood');
        expect(tag(tags, 'LOUDNESS_INTEGRATED')).toBe('-18.23 LUFS');
        expect(tag(tags, 'ENCODER')).toBe('Cuebank');
      } else {
        expect(tag(probe.format.tags, 'TITLE')).toBe(meta.title);
        expect(tag(probe.format.tags, 'CODING_HISTORY')).toBe(`A=PCM,F=${c.rate},W=${c.bits},M=${c.channels === 2 ? 'stereo' : c.channels === 1 ? 'mono' : 'multichannel'},T=Cuebank\r\n`);
      }

      // Lossless formats decode in ffmpeg to exactly the dithered integers.
      if (c.codec === 'flac' || c.codec.startsWith('pcm_s')) {
        const bits = c.bits as 16 | 24;
        const expected = rawLE(quantise(audio.channels, bits, DEFAULT_DITHER_SEED), bits);
        const decoded = ffmpegRaw(file, bits === 16 ? 's16le' : 's24le');
        expect(decoded.equals(expected)).toBe(true);
        if (c.codec === 'flac') {
          // STREAMINFO's MD5 covers the interleaved little-endian samples ffmpeg decodes.
          const streaminfo = fs.readFileSync(file).subarray(8 + 18, 8 + 34).toString('hex');
          expect(streaminfo).toBe(createHash('md5').update(decoded).digest('hex'));
        }
      }

      const m = await readMeta(file);
      expect(m.format).toMatchObject({ sampleRate: c.rate, channels: c.channels, frames, bitsPerSample: c.bits === 32 ? 32 : c.bits });
      if (c.format.container === 'wav') {
        expect(m.bext).toMatchObject({ version: 2, description: meta.description, originationDate: '2025-03-04', originationTime: '05:06:07', loudnessValue: -18.23, loudnessRange: 4.56, maxTruePeakLevel: -1.04, maxMomentaryLoudness: -12.5, maxShortTermLoudness: -15.25 });
        expect(m.ixml!.USER).toMatchObject({ CATEGORY: 'DOORS', SUBCATEGORY: 'WOOD', CATID: 'DOORWood', CATEGORYFULL: 'DOORS-WOOD', FXNAME: 'Heavy Oak Slam', DESIGNER: 'Zoë Ruiz', KEYWORDS: 'door, slam, oak, wood' });
        expect(m.ixml!.ASWG).toMatchObject({ catId: 'DOORWood', creatorId: 'ZR', sourceId: 'EMB', isLoop: 'false', isGenerated: 'true', loudness: '-18.23', maxPeak: '-1.04' });
      } else {
        expect(m.info).toMatchObject({ TITLE: meta.title, FXNAME: 'Heavy Oak Slam', CREATORID: 'ZR', SOURCEID: 'EMB', ISGENERATED: 'true', ISLOOP: 'false', TRUE_PEAK: '-1.04 dBTP' });
      }
    });
  }

  it.skipIf(!HAVE_PYTHON)('writes an iXML chunk that a strict XML parser accepts', async () => {
    const meta = fullMetadata({ notes: 'a < b && c > "d" \u0001 ]]>', title: "O'Brien <Zoë> & co" });
    const bytes = Buffer.from(await encodeAudio(tones(48000, 1, 0.05), { container: 'wav', sample: 'pcm16' }, meta));
    let o = 12;
    let xml = '';
    while (o + 8 <= bytes.length) {
      const size = bytes.readUInt32LE(o + 4);
      if (bytes.toString('latin1', o, o + 4) === 'iXML') xml = bytes.toString('utf8', o + 8, o + 8 + size);
      o += 8 + size + (size & 1);
    }
    const r = spawnSync('python3', ['-c', 'import sys, xml.dom.minidom as m; d = m.parseString(sys.stdin.buffer.read()); print(d.getElementsByTagName("NOTES")[0].firstChild.data)'], { input: xml });
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString('utf8').trimEnd()).toBe('a < b && c > "d"  ]]>');
  });
});
