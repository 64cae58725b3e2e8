import type { ExportMetadata } from '../metadata';
import { SOFTWARE, dateText, timeText } from './fields';
import { utf8Fit } from './text-field';

/** EBU Tech 3285 v2: "not calculated" for each loudness field. */
export const LOUDNESS_UNKNOWN = 0x7fff;

export interface BextAudio {
  sampleRate: number;
  channels: number;
  /** Stored bits per sample: 16, 24 or 32 (float). */
  bits: number;
}

/** EBU R 98 mode of a coding-history line. */
function mode(channels: number): string {
  return channels === 1 ? 'mono' : channels === 2 ? 'stereo' : 'multichannel';
}

/** Earlier history lines (e.g. the source's), each ending CR LF, then the line for this export. */
export function codingHistory(meta: ExportMetadata, audio: BextAudio): string {
  const prior = (meta.codingHistory ?? '').replace(/\r?\n/g, '\r\n');
  const lead = prior && !prior.endsWith('\r\n') ? `${prior}\r\n` : prior;
  return `${lead}A=PCM,F=${audio.sampleRate},W=${audio.bits},M=${mode(audio.channels)},T=${SOFTWARE}\r\n`;
}

/** round(value × 100) as int16; 0x7FFF when unknown; clamped just below that when out of range. */
function loudnessWord(v: number | null | undefined): number {
  if (v === null || v === undefined || !Number.isFinite(v)) return LOUDNESS_UNKNOWN;
  return Math.max(-0x8000, Math.min(LOUDNESS_UNKNOWN - 1, Math.round(v * 100)));
}

/**
 * A version 2 'bext' chunk body: fixed 602 bytes then the CodingHistory text. Dates are written
 * yyyy-mm-dd and times hh:mm:ss (UTC): Tech 3285 allows '-', '_', ':', ' ' or '.' as separators,
 * and '-' is what Pro Tools, WaveLab and BWF MetaEdit write. TimeReference is 0 and the UMID empty:
 * an exported sound effect has no timeline position or material id.
 */
export function bextChunk(meta: ExportMetadata, audio: BextAudio): Buffer {
  const history = Buffer.from(codingHistory(meta, audio), 'latin1');
  const b = Buffer.alloc(602 + history.length);
  utf8Fit(meta.description ?? meta.title, 256).copy(b, 0);
  utf8Fit(meta.originator ?? SOFTWARE, 32).copy(b, 256);
  utf8Fit(meta.originatorReference ?? '', 32).copy(b, 288);
  b.write(dateText(meta.origination), 320, 10, 'latin1');
  b.write(timeText(meta.origination), 330, 8, 'latin1');
  // 338..345 TimeReference (0), 346 Version, 348..411 UMID (zero).
  b.writeUInt16LE(2, 346);
  const l = meta.loudness;
  b.writeInt16LE(loudnessWord(l?.integrated), 412);
  b.writeInt16LE(loudnessWord(l?.range), 414);
  b.writeInt16LE(loudnessWord(l?.truePeak), 416);
  b.writeInt16LE(loudnessWord(l?.momentaryMax), 418);
  b.writeInt16LE(loudnessWord(l?.shortTermMax), 420);
  // 422..601 reserved (zero).
  history.copy(b, 602);
  return b;
}
