/**
 * Intact source files the malformed corpus is derived from: ../shared/corpus's real recordings
 * (field-recorder and DAW BWF, Ogg Vorbis) plus files the project writes itself in every format
 * Cuebank reads. Deterministic: the same bytes on every run on a machine (Opus comes from ffmpeg's
 * libopus, only where ffmpeg is installed; every other file is written here).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMp3Encoder } from 'wasm-media-encoders';
import { writeExtended } from '../../main/engine/audio/aiff';
import { decodeFile } from '../../main/engine/audio/read';
import type { DecodedAudio } from '../../main/engine/audio/types';
import { quantise } from '../../main/engine/export/encode/dither';
import { encodeFlac } from '../../main/engine/export/encode/flac';
import { encodeOggVorbis } from '../../main/engine/export/encode/vorbis';
import { encodeWavFile } from '../../main/engine/export/encode/wav';
import { Prng } from '../fixtures/prng';

export type SourceFormat = 'wav' | 'wav-float' | 'rf64' | 'aiff' | 'aifc' | 'flac' | 'ogg' | 'opus' | 'mp3';

export interface SourceFile {
  /** File name with its usual extension. */
  name: string;
  format: SourceFormat;
  bytes: Buffer;
  /** Where it came from: 'corpus' (a real recording) or 'written' (by the project's writers). */
  origin: 'corpus' | 'written';
}

const RATE = 48000;

/** The repository root (this file is test/fuzz/sources.ts); works under tsx and vitest alike. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** ../shared/corpus beside the checkout, as test/helpers/corpus.ts finds it. */
const corpusDir = path.resolve(repoRoot, '..', 'shared', 'corpus');

/** The corpus's recordings (BWF and Ogg), sorted; none where the corpus is absent. */
export function corpusFiles(): string[] {
  if (!fs.existsSync(corpusDir)) return [];
  return fs
    .readdirSync(corpusDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(wav|ogg)$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** About 1.5 s of stereo audio: a corpus recording's start where there is one, else tones and noise. */
async function baseAudio(): Promise<DecodedAudio> {
  const frames = Math.round(RATE * 1.5);
  const real = corpusFiles().find((f) => /nuendo_stereo\.wav$/.test(f));
  if (real) {
    const { audio } = await decodeFile(real);
    if (audio.sampleRate === RATE && audio.channels.length === 2 && audio.channels[0].length >= frames) {
      return { sampleRate: RATE, channels: audio.channels.map((c) => c.slice(0, frames)) };
    }
  }
  const rng = new Prng(7);
  const ch = [new Float32Array(frames), new Float32Array(frames)];
  for (let i = 0; i < frames; i++) {
    const t = i / RATE;
    ch[0][i] = 0.4 * Math.sin(2 * Math.PI * 220 * t) + 0.05 * rng.signed();
    ch[1][i] = 0.3 * Math.sin(2 * Math.PI * 660 * t) + 0.05 * rng.signed();
  }
  return { sampleRate: RATE, channels: ch };
}

/** A minimal bext and iXML, so metadata readers have something to chew on in written files. */
function bwfChunks(): { id: string; body: Uint8Array }[] {
  const bext = Buffer.alloc(602);
  bext.write('Door slam, heavy wood', 0, 'latin1');
  bext.write('Cuebank fuzz', 256, 'latin1');
  bext.writeUInt16LE(1, 346);
  const ixml = '<?xml version="1.0"?><BWFXML><PROJECT>Fuzz</PROJECT><SCENE>12</SCENE><TAKE>3</TAKE></BWFXML>';
  return [
    { id: 'bext', body: bext },
    { id: 'iXML', body: Buffer.from(ixml) },
  ];
}

/** The same PCM in an RF64 container: ds64 holds the sizes, the RIFF and data sizes say 0xFFFFFFFF. */
export function toRf64(wav: Buffer): Buffer {
  const body = wav.subarray(12);
  const ds64 = Buffer.alloc(8 + 28);
  ds64.write('ds64', 0, 'latin1');
  ds64.writeUInt32LE(28, 4);
  const out = Buffer.concat([Buffer.from('RF64'), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from('WAVE'), ds64]);
  const chunks: Buffer[] = [];
  let dataSize = 0;
  for (let o = 0; o + 8 <= body.length; ) {
    const id = body.toString('latin1', o, o + 4);
    const size = body.readUInt32LE(o + 4);
    const c = Buffer.from(body.subarray(o, o + 8 + size + (size & 1)));
    if (id === 'data') {
      dataSize = size;
      c.writeUInt32LE(0xffffffff, 4);
    }
    chunks.push(c);
    o += 8 + size + (size & 1);
  }
  const all = Buffer.concat([out, ...chunks]);
  const u64 = (v: number, at: number) => {
    all.writeUInt32LE(v % 2 ** 32, at);
    all.writeUInt32LE(Math.floor(v / 2 ** 32), at + 4);
  };
  u64(all.length - 8, 20);
  u64(dataSize, 28);
  u64(dataSize / 4, 36);
  return all;
}

/** AIFF (big-endian 16-bit) or AIFF-C 'sowt' (little-endian) with a NAME chunk. */
export function aiffFile(audio: DecodedAudio, type: 'AIFF' | 'AIFC', rate: Uint8Array = writeExtended(audio.sampleRate)): Buffer {
  const [ints] = [quantise(audio.channels, 16, 1)];
  const frames = ints[0].length;
  const n = ints.length;
  const data = Buffer.alloc(frames * n * 2);
  for (let i = 0, o = 0; i < frames; i++) for (let c = 0; c < n; c++, o += 2) type === 'AIFF' ? data.writeInt16BE(ints[c][i], o) : data.writeInt16LE(ints[c][i], o);
  const chunk = (id: string, body: Buffer) => {
    const h = Buffer.alloc(8);
    h.write(id, 0, 'latin1');
    h.writeUInt32BE(body.length, 4);
    return Buffer.concat([h, body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  };
  const commBody = Buffer.alloc(type === 'AIFC' ? 24 : 18);
  commBody.writeInt16BE(n, 0);
  commBody.writeUInt32BE(frames, 2);
  commBody.writeInt16BE(16, 6);
  Buffer.from(rate).copy(commBody, 8);
  if (type === 'AIFC') {
    commBody.write('sowt', 18, 'latin1');
    commBody.writeUInt8(0, 22); // empty pstring, padded
  }
  const chunks = [
    ...(type === 'AIFC' ? [chunk('FVER', Buffer.from([0xa2, 0x80, 0x51, 0x40]))] : []),
    chunk('COMM', commBody),
    chunk('NAME', Buffer.from('Fuzz source')),
    chunk('SSND', Buffer.concat([Buffer.alloc(8), data])),
  ];
  const body = Buffer.concat([Buffer.from(type), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('FORM', 0, 'latin1');
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** Stereo MP3 (LAME through wasm-media-encoders) behind an ID3v2.3 title tag. */
export async function mp3File(audio: DecodedAudio): Promise<Buffer> {
  const enc = await createMp3Encoder();
  enc.configure({ sampleRate: audio.sampleRate as 48000, channels: 2, vbrQuality: 4 });
  const parts = [Buffer.from(enc.encode(audio.channels)), Buffer.from(enc.finalize())];
  // An ID3v2.3 tag with a title, as most libraries' MP3s carry.
  const title = Buffer.concat([Buffer.from([0]), Buffer.from('Fuzz source')]);
  const frame = Buffer.concat([Buffer.from('TIT2'), u32be(title.length), Buffer.alloc(2), title]);
  return Buffer.concat([id3Header(frame.length), frame, ...parts]);
}

export function u32be(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

/** An ID3v2.3 header declaring `size` bytes of frames (syncsafe). */
export function id3Header(size: number): Buffer {
  const b = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]);
  b[6] = (size >> 21) & 0x7f;
  b[7] = (size >> 14) & 0x7f;
  b[8] = (size >> 7) & 0x7f;
  b[9] = size & 0x7f;
  return b;
}

/** Ogg Opus through ffmpeg's libopus, with `tagBytes` of extra comment text (0 for none); null without ffmpeg. */
export function opusFile(audio: DecodedAudio, tagBytes = 0): Buffer | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-opus-'));
  try {
    const wav = path.join(dir, 'in.wav');
    fs.writeFileSync(wav, encodeWavFile(audio, 'pcm16', [], 1));
    const out = path.join(dir, 'out.opus');
    const meta = tagBytes ? ['-metadata', `comment=${'cover art stand-in '.repeat(Math.ceil(tagBytes / 19)).slice(0, tagBytes)}`] : [];
    const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, '-c:a', 'libopus', '-b:a', '64k', '-fflags', '+bitexact', ...meta, out]);
    if (r.status !== 0) return null;
    return fs.readFileSync(out);
  } catch {
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every intact source: the corpus's recordings, then one written file per format. */
export async function intactSources(): Promise<{ sources: SourceFile[]; audio: DecodedAudio }> {
  const sources: SourceFile[] = [];
  for (const file of corpusFiles()) {
    const format: SourceFormat = /\.ogg$/i.test(file) ? 'ogg' : 'wav';
    sources.push({ name: path.basename(file), format, bytes: fs.readFileSync(file), origin: 'corpus' });
  }
  const audio = await baseAudio();
  const wav16 = Buffer.from(encodeWavFile(audio, 'pcm16', bwfChunks(), 1));
  const written: [string, SourceFormat, Buffer | null][] = [
    ['written-pcm16.wav', 'wav', wav16],
    ['written-float32.wav', 'wav-float', Buffer.from(encodeWavFile(audio, 'float32', bwfChunks(), 1))],
    ['written-rf64.wav', 'rf64', toRf64(wav16)],
    ['written.aiff', 'aiff', aiffFile(audio, 'AIFF')],
    ['written-sowt.aifc', 'aifc', aiffFile(audio, 'AIFC')],
    ['written.flac', 'flac', Buffer.from(encodeFlac({ channels: quantise(audio.channels, 16, 1), sampleRate: audio.sampleRate, bits: 16, tags: [['TITLE', 'Fuzz source']] }))],
    ['written.ogg', 'ogg', Buffer.from(await encodeOggVorbis(audio, 0.4, [['TITLE', 'Fuzz source']], 1234))],
    ['written.mp3', 'mp3', await mp3File(audio)],
    ['written.opus', 'opus', opusFile(audio)],
  ];
  for (const [name, format, bytes] of written) if (bytes) sources.push({ name, format, bytes, origin: 'written' });
  return { sources, audio };
}
