/**
 * What the malformed corpus checks of every answer: values a real file could have, measures that
 * are finite numbers or null, and failure reasons that are sentences about the file rather than
 * internal messages.
 */
import type { LoudnessReport } from '../../main/engine/audio/loudness';
import type { FileMeta } from '../../main/engine/audio/types';

/** Problems with what `meta` says of a file; empty when every value is one a real file could have. */
export function metaProblems(meta: FileMeta, fileBytes: number): string[] {
  const p: string[] = [];
  const f = meta.format;
  if (!Number.isInteger(f.sampleRate) || f.sampleRate < 1000 || f.sampleRate > 1_536_000) p.push(`sample rate ${f.sampleRate}`);
  if (!Number.isInteger(f.channels) || f.channels < 1 || f.channels > 512) p.push(`${f.channels} channels`);
  if (f.bitsPerSample !== null && !(Number.isInteger(f.bitsPerSample) && f.bitsPerSample >= 4 && f.bitsPerSample <= 64)) p.push(`${f.bitsPerSample} bits`);
  if (!Number.isInteger(f.frames) || f.frames < 0) p.push(`${f.frames} frames`);
  if (!Number.isFinite(f.duration) || f.duration < 0) p.push(`duration ${f.duration}`);
  // Uncompressed audio cannot hold more frames than bytes; lossy codecs at most ~ 1 frame per bit
  // in practice (Opus at 6 kb/s is 64 samples per byte at 48 kHz); 4096 per byte is beyond any codec.
  if (f.frames > fileBytes * 4096) p.push(`${f.frames} frames in a ${fileBytes}-byte file`);
  if (f.duration > 0 && f.sampleRate > 0 && Math.abs(f.duration - f.frames / f.sampleRate) > 1e-6 * Math.max(1, f.duration)) p.push('duration disagrees with frames');
  for (const w of meta.warnings) if (!isSentence(w)) p.push(`warning is not a sentence: ${w}`);
  if (meta.bext) {
    for (const k of ['loudnessValue', 'loudnessRange', 'maxTruePeakLevel', 'maxMomentaryLoudness', 'maxShortTermLoudness'] as const) {
      const v = meta.bext[k];
      if (v !== null && !Number.isFinite(v)) p.push(`bext ${k} ${v}`);
    }
  }
  if (!jsonSafe(meta)) p.push('meta does not survive JSON (too deep or not finite)');
  return p;
}

/** JSON.stringify without throwing, and no non-finite numbers inside (JSON would print them as null). */
function jsonSafe(v: unknown): boolean {
  try {
    let finite = true;
    JSON.stringify(v, (_k, x) => {
      if (typeof x === 'number' && !Number.isFinite(x)) finite = false;
      return x;
    });
    return finite;
  } catch {
    return false;
  }
}

/** Problems with a loudness report: every measure a finite number in a physically possible range, or null. */
export function loudnessProblems(r: LoudnessReport): string[] {
  const p: string[] = [];
  for (const [k, v] of Object.entries(r) as [keyof LoudnessReport, number | null][]) {
    if (v === null) continue;
    if (!Number.isFinite(v)) p.push(`${k} is ${v}`);
    // Float files may exceed full scale, but not by 100 dB: samples beyond that are not audio.
    else if (k !== 'range' && v > 100) p.push(`${k} is ${v}`);
    else if (k === 'range' && (v < 0 || v > 200)) p.push(`range is ${v}`);
  }
  return p;
}

const INTERNAL = [
  /is not defined/,
  /Cannot read propert/,
  /\bundefined\b/,
  /\bnull\b/,
  /\bNaN\b/,
  /\bInfinity\b/,
  /\bat \S+ \(.*:\d+:\d+\)/, // a stack frame
  /\.(ts|js|mjs|cjs):\d+/,
  /\b[A-Z][A-Z0-9]*_[A-Z0-9_]{2,}\b/, // ALLCAPS_CODES such as OV_EBADHEADER
  /\b[a-z]+_[a-zA-Z]+[A-Z]{2}_[A-Z]+/, // vorbis_synthesisOV_EBADHEADER
  /RangeError|TypeError|ReferenceError|RuntimeError|SyntaxError/,
  /out of bounds|unreachable|Maximum call stack/,
  /\[object Object\]/,
];

/**
 * A reason or warning a sound designer can read: starts with a capital (or a number or quote),
 * has a few words, and none of the marks of an internal message.
 */
export function isSentence(s: string): boolean {
  if (typeof s !== 'string' || s.trim().length < 12) return false;
  if (!/^[A-Z0-9"'‘“(]/.test(s)) return false;
  if (s.trim().split(/\s+/).length < 3) return false;
  return !INTERNAL.some((re) => re.test(s));
}
