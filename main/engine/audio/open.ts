import { readAiff } from './aiff';
import type { CodecStream, DecodeTotals } from './compressed';
import { readFlac } from './flac';
import type { PcmData } from './meta';
import { readMp3 } from './mp3';
import { readOgg } from './ogg';
import { nameMismatch, sniff } from './sniff';
import type { HeaderSource } from './source';
import type { FileMeta } from './types';
import { readWav } from './wav';

/** A file's headers read and understood: where its audio is and how to decode it. */
export type Opened =
  | { kind: 'pcm'; meta: FileMeta; pcm: PcmData }
  | {
      kind: 'codec';
      meta: FileMeta;
      stream: CodecStream;
      /** Exact length from the headers (FLAC STREAMINFO); null when only decoding tells (MP3, Ogg). */
      knownFrames: number | null;
    };

const OGG_LABEL = { vorbis: 'Ogg Vorbis', opus: 'Ogg Opus', flac: 'Ogg FLAC' } as const;

/** Detects the format from the bytes and reads its headers; never decodes audio. */
export async function openAudio(src: HeaderSource): Promise<Opened> {
  let s = sniff(src.head, src.size, src.path);
  while (s.pending) s = sniff(await src.read(s.offset, 64 * 1024), src.size, src.path, s.offset);
  let opened: Opened;
  switch (s.container) {
    case 'wav':
    case 'rf64':
    case 'bw64': {
      const r = await readWav(src, s.container);
      opened = { kind: 'pcm', ...r };
      break;
    }
    case 'aiff':
    case 'aifc': {
      const r = await readAiff(src, s.container);
      opened = { kind: 'pcm', ...r };
      break;
    }
    case 'flac': {
      const { meta, stream } = await readFlac(src, s.offset);
      const codec: CodecStream = {
        kind: 'flac',
        label: 'FLAC',
        start: s.offset,
        end: src.size,
        channels: stream.channels,
        bits: stream.bitsPerSample,
      };
      opened = { kind: 'codec', meta, stream: codec, knownFrames: stream.totalFrames || null };
      break;
    }
    case 'mp3': {
      const { meta, layout } = await readMp3(src, s.offset);
      const codec: CodecStream = { kind: 'mp3', label: 'MP3', start: layout.start, end: layout.end, channels: layout.header.channels };
      opened = { kind: 'codec', meta, stream: codec, knownFrames: null };
      break;
    }
    case 'ogg': {
      const { meta, layout } = await readOgg(src);
      const codec: CodecStream = {
        kind: layout.codec,
        label: OGG_LABEL[layout.codec],
        start: layout.decodeFrom?.start ?? 0,
        end: src.size,
        channels: layout.channels,
        bits: layout.bitsPerSample ?? undefined,
        prefix: layout.decodeFrom?.prefix,
      };
      opened = { kind: 'codec', meta, stream: codec, knownFrames: null };
      break;
    }
  }
  const mismatch = nameMismatch(src.path, opened.meta.format.container, opened.meta.format.codec);
  if (mismatch) opened.meta.warnings.unshift(mismatch);
  return opened;
}

/** Puts what decoding learned (exact length, decoded rate, problems) into the file's meta. */
export function applyTotals(opened: Opened & { kind: 'codec' }, totals: DecodeTotals, channels: number): void {
  const f = opened.meta.format;
  if (opened.knownFrames !== null && totals.frames !== opened.knownFrames) {
    opened.meta.warnings.push(
      `${opened.stream.label} stream ${totals.frames < opened.knownFrames ? 'ends early' : 'runs long'}: decoded ${totals.frames} of the ${opened.knownFrames} frames its header declares`,
    );
  }
  f.frames = totals.frames;
  if (totals.sampleRate && totals.sampleRate !== f.sampleRate && opened.stream.kind !== 'mp3') {
    opened.meta.warnings.push(`${opened.stream.label} header says ${f.sampleRate} Hz but the audio decodes at ${totals.sampleRate} Hz`);
  }
  if (totals.sampleRate) f.sampleRate = totals.sampleRate;
  if (channels) f.channels = channels;
  f.duration = f.sampleRate ? f.frames / f.sampleRate : 0;
  opened.meta.warnings.push(...totals.warnings);
}
