import path from 'node:path';
import type { FileMeta } from '../audio';
import { CuebankError } from '../errors';
import type { ReadError } from './read-protocol';

/**
 * Reasons a file failed, in words a sound designer understands. Readers raise CuebankErrors whose
 * messages already are such sentences; anything else escaping a reader (TypeError, RangeError, a
 * WASM trap, a bug in a decoder library such as codec-parser's "logError is not defined") says
 * nothing to a user, so it becomes a sentence about the file and its own message goes to the log.
 */

const CONTAINER_LABEL: Record<string, string> = {
  wav: 'WAV',
  rf64: 'RF64',
  bw64: 'BW64',
  aiff: 'AIFF',
  aifc: 'AIFF-C',
  flac: 'FLAC',
  mp3: 'MP3',
  ogg: 'Ogg',
};
const CODEC_LABEL: Record<string, string> = { vorbis: 'Ogg Vorbis', opus: 'Ogg Opus', flac: 'FLAC' };
const EXT_LABEL: Record<string, string> = {
  wav: 'WAV',
  bwf: 'BWF',
  rf64: 'RF64',
  aif: 'AIFF',
  aiff: 'AIFF',
  aifc: 'AIFF-C',
  flac: 'FLAC',
  mp3: 'MP3',
  ogg: 'Ogg',
  oga: 'Ogg',
  opus: 'Opus',
};

/** The format's name as users know it: from what the headers said, else from the file's extension. */
export function formatLabel(file: string, meta: FileMeta | null): string | null {
  const f = meta?.format;
  if (f) {
    if (f.container === 'ogg') return CODEC_LABEL[f.codec] ?? 'Ogg';
    return CONTAINER_LABEL[f.container] ?? null;
  }
  return EXT_LABEL[path.extname(file).slice(1).toLowerCase()] ?? null;
}

export function damagedSentence(label: string | null): string {
  return `Cuebank could not read this file: its ${label ? `${label} ` : ''}data is damaged.`;
}

/** What the file system's error codes mean for the file. */
const SYSTEM_SENTENCE: Record<string, string> = {
  EACCES: 'Cuebank has no permission to read this file.',
  EPERM: 'Cuebank has no permission to read this file.',
  ENOENT: 'The file was moved or deleted while it was being indexed.',
  EISDIR: 'This is a folder, not a file.',
  EIO: 'The disk reported an error while this file was read.',
  EMFILE: 'Too many files were open at once; index the folder again to read this one.',
};

/** A read failure as stored and shown, plus the internal message for the log (null when there is none). */
export function describeReadError(file: string, meta: FileMeta | null, err: ReadError): { reason: string; internal: string | null } {
  // A CuebankError coded 'internal' carries no sentence for users either.
  if (err.expected && err.code !== 'internal') return { reason: err.message, internal: null };
  const internal = `${err.name}: ${err.message}`;
  const system = err.systemCode ? SYSTEM_SENTENCE[err.systemCode] : undefined;
  return { reason: system ?? damagedSentence(formatLabel(file, meta)), internal };
}

/** Anything thrown, as the ReadError the worker would send for it. */
export function asReadError(err: unknown): ReadError {
  if (err instanceof CuebankError) return { expected: true, code: err.code, name: err.name, message: err.message };
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as Error & { code?: unknown }).code;
  const systemCode = typeof code === 'string' ? code : undefined;
  return { expected: false, code: 'internal', name: e.name || 'Error', message: e.message, systemCode };
}

/** The same for anything thrown on the job's own thread while handling one file. */
export function describeThrown(file: string, meta: FileMeta | null, err: unknown): { reason: string; internal: string | null } {
  return describeReadError(file, meta, asReadError(err));
}

export function tooSlowSentence(seconds: number): string {
  return `Reading this file took longer than ${seconds} s; it was skipped.`;
}

export function tooBigSentence(megabytes: number): string {
  return `Reading this file needed more than ${megabytes} MB of memory; it was skipped.`;
}

export const NOT_FINITE_SENTENCE =
  'Cuebank could not analyse this file: its audio gave values that are not numbers (the file is probably damaged), so it was not added to search.';
