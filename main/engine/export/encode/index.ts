import { CuebankError } from '../../errors';
import type { DecodedAudio } from '../../audio/types';
import type { ExportMetadata } from '../metadata';
import { bextChunk } from './bext';
import { DEFAULT_DITHER_SEED, quantise } from './dither';
import { encodeFlac } from './flac';
import { infoList } from './info-list';
import { ixmlDocument } from './ixml';
import { encodeOggVorbis } from './vorbis';
import { vorbisCommentTags } from './vorbis-comment';
import { encodeWavFile } from './wav';

export type ExportFormat =
  | { container: 'wav'; sample: 'pcm16' | 'pcm24' | 'float32' }
  | { container: 'flac'; bits: 16 | 24 }
  | { container: 'ogg'; quality: number }; // Vorbis VBR quality 0..1 (0.5 ≈ 160 kb/s stereo)

/** FLAC's frame header and STREAMINFO limits. */
const FLAC_MAX_CHANNELS = 8;
const FLAC_MAX_RATE = 655350;

function invalid(message: string): CuebankError {
  return new CuebankError('invalid_input', message);
}

function check(audio: DecodedAudio, format: ExportFormat): void {
  const n = audio.channels.length;
  if (n < 1) throw invalid('Cannot export audio with no channels');
  if (audio.channels.some((c) => c.length !== audio.channels[0].length)) throw invalid('Cannot export audio whose channels differ in length');
  if (!Number.isInteger(audio.sampleRate) || audio.sampleRate < 1) throw invalid(`Cannot export at a sample rate of ${audio.sampleRate} Hz`);
  if (format.container === 'flac') {
    if (n > FLAC_MAX_CHANNELS) throw new CuebankError('unsupported', `FLAC holds at most 8 channels (this audio has ${n}): export WAV`);
    if (audio.sampleRate > FLAC_MAX_RATE) throw new CuebankError('unsupported', `FLAC holds sample rates up to 655350 Hz (this audio is ${audio.sampleRate} Hz)`);
    if (format.bits !== 16 && format.bits !== 24) throw invalid(`FLAC export is 16 or 24 bits, not ${String(format.bits)}`);
  }
  if (format.container === 'ogg' && !(format.quality >= 0 && format.quality <= 1)) {
    throw invalid(`Ogg Vorbis quality must be between 0 and 1, not ${format.quality}`);
  }
  if (n > 0xffff) throw invalid(`Cannot export ${n} channels`);
}

/** A stream serial number that is the same for the same export (reproducible files). */
function serialFor(meta: ExportMetadata): number {
  let h = 0x811c9dc5;
  for (const ch of `${meta.title}\0${meta.origination.getTime()}`) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193);
  return h >>> 0;
}

/** Encodes whole in memory (sound effects are short); integer formats get TPDF dither. */
export async function encodeAudio(audio: DecodedAudio, format: ExportFormat, metadata: ExportMetadata): Promise<Uint8Array> {
  check(audio, format);
  const channels = audio.channels.length;
  switch (format.container) {
    case 'wav': {
      const bits = format.sample === 'pcm16' ? 16 : format.sample === 'pcm24' ? 24 : 32;
      const desc = { sampleRate: audio.sampleRate, channels, bits };
      return encodeWavFile(audio, format.sample, [
        { id: 'bext', body: bextChunk(metadata, desc) },
        { id: 'LIST', body: infoList(metadata) },
        { id: 'iXML', body: Buffer.from(ixmlDocument(metadata), 'utf8') },
      ]);
    }
    case 'flac':
      return encodeFlac({
        channels: quantise(audio.channels, format.bits, DEFAULT_DITHER_SEED),
        sampleRate: audio.sampleRate,
        bits: format.bits,
        tags: vorbisCommentTags(metadata),
      });
    case 'ogg':
      return encodeOggVorbis(audio, format.quality, vorbisCommentTags(metadata), serialFor(metadata));
  }
}

export function fileExtension(format: ExportFormat): 'wav' | 'flac' | 'ogg' {
  return format.container;
}
