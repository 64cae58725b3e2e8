import path from 'node:path';
import { corrupt, unsupported } from './fail';
import { findMpegStart, findMpegSync, id3v2Size, isAdts } from './mpeg-header';

/** Containers Cuebank decodes, told apart by their first bytes. */
export type Container = 'wav' | 'rf64' | 'bw64' | 'aiff' | 'aifc' | 'flac' | 'mp3' | 'ogg';

export interface Sniffed {
  container: Container;
  /** Where the container starts: after any ID3v2 tags for MP3 and FLAC, else 0. */
  offset: number;
  /** ID3v2 tags run past the bytes given: sniff again with the bytes at `offset`. */
  pending?: boolean;
}

const ascii = (b: Uint8Array, o: number, n = 4) => String.fromCharCode(...b.subarray(o, o + n));

/** Formats users may have in a sound library that Cuebank does not decode, named so the error helps. */
const KNOWN_OTHER: { test: (b: Uint8Array) => boolean; name: string }[] = [
  { test: (b) => ascii(b, 4) === 'ftyp', name: 'MP4/M4A (AAC or ALAC)' },
  { test: (b) => ascii(b, 0) === 'caff', name: 'Core Audio Format (CAF)' },
  { test: (b) => ascii(b, 0) === 'wvpk', name: 'WavPack' },
  { test: (b) => ascii(b, 0) === 'MAC ', name: "Monkey's Audio (APE)" },
  { test: (b) => ascii(b, 0) === 'MThd', name: 'MIDI' },
  { test: (b) => ascii(b, 0) === 'riff' && b[4] === 0x2e && b[5] === 0x91, name: 'Sony Wave64' },
  { test: (b) => ascii(b, 0) === '.snd', name: 'Sun/NeXT AU' },
  { test: (b) => ascii(b, 0, 5) === '#!AMR', name: 'AMR' },
  { test: (b) => ascii(b, 0) === 'RIFX', name: 'big-endian WAV (RIFX)' },
  { test: (b) => ascii(b, 0) === 'FORM' && ascii(b, 8) === '8SVX', name: 'IFF 8SVX' },
  { test: (b) => b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3, name: 'Matroska/WebM' },
  { test: (b) => ascii(b, 0) === 'RIFF' && ascii(b, 8) === 'AVI ', name: 'AVI video' },
  { test: (b) => isAdts(b, 0), name: 'AAC (ADTS)' },
];

const NOT_AUDIO: { test: (b: Uint8Array) => boolean; name: string }[] = [
  { test: (b) => ascii(b, 0) === '%PDF', name: 'a PDF document' },
  { test: (b) => b[0] === 0x89 && ascii(b, 1, 3) === 'PNG', name: 'a PNG image' },
  { test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff, name: 'a JPEG image' },
  { test: (b) => ascii(b, 0) === 'PK\x03\x04', name: 'a ZIP archive' },
];

/**
 * Decides the format from the bytes, never the name: a misnamed file decodes by its content.
 * `head` holds the file's bytes from offset `base` (the start, or just after large ID3v2 tags);
 * `size` is the whole file's length.
 */
export function sniff(head: Uint8Array, size: number, fileName: string, base = 0): Sniffed {
  const b = head;
  const id = ascii(b, 0);
  if (b.length >= 12 && ascii(b, 8) === 'WAVE') {
    if (id === 'RIFF') return { container: 'wav', offset: base };
    if (id === 'RF64') return { container: 'rf64', offset: base };
    if (id === 'BW64') return { container: 'bw64', offset: base };
  }
  if (b.length < 12 && ['RIFF', 'RF64', 'BW64', 'FORM'].includes(id)) {
    throw corrupt(`Truncated ${id === 'FORM' ? 'AIFF' : 'WAV'} header: the file has only ${b.length} bytes`);
  }
  if (b.length >= 12 && id === 'FORM') {
    const form = ascii(b, 8);
    if (form === 'AIFF') return { container: 'aiff', offset: base };
    if (form === 'AIFC') return { container: 'aifc', offset: base };
  }
  if (id === 'OggS') return { container: 'ogg', offset: base };
  if (id === 'fLaC') return { container: 'flac', offset: base };

  let o = 0;
  for (let tag = id3v2Size(b, o); tag; tag = id3v2Size(b, o)) o += tag;
  if (o > 0 && o >= b.length && base + o < size) return { container: 'mp3', offset: base + o, pending: true };
  if (o > 0 && ascii(b, o) === 'fLaC') return { container: 'flac', offset: base + o };
  if (findMpegStart(b, o, size - base)) return { container: 'mp3', offset: base + o };
  // After an ID3 tag, MPEG frames further on: the tag's size is wrong or padding follows it.
  if (o > 0 && o < b.length && findMpegSync(b, o, size - base)) return { container: 'mp3', offset: base + o };

  const named = fileName ? ` (named ${path.extname(fileName) || path.basename(fileName)})` : '';
  const probe = o > 0 ? b.subarray(o) : b;
  for (const f of KNOWN_OTHER) if (probe.length >= 12 && f.test(probe)) throw unsupported(`${f.name} files are not supported${named}`);
  if (o > 0 && isAdts(b, o)) throw unsupported(`AAC (ADTS) files are not supported${named}`);
  if (id === 'RIFF') throw unsupported(`Not an audio file: a RIFF file of type '${ascii(b, 8).trim()}'${named}`);
  for (const f of NOT_AUDIO) if (b.length >= 4 && f.test(b)) throw unsupported(`Not an audio file: contents look like ${f.name}${named}`);
  if (looksLikeText(b)) throw unsupported(`Not an audio file: contents look like text${named}`);
  throw unsupported(`Not an audio file: the contents match no supported audio format${named}`);
}

/** No NUL bytes, valid UTF-8, and mostly printable: a text file whatever its name. */
export function looksLikeText(b: Uint8Array): boolean {
  let sample = b.subarray(0, 4096);
  if (!sample.length) return false;
  if (sample.includes(0)) return false;
  // Drop a UTF-8 sequence cut off by the sample's end so the fatal decoder does not reject it.
  let cut = sample.length;
  for (let i = 1; i <= 3 && cut - i >= 0; i++) {
    const c = sample[cut - i];
    if ((c & 0xc0) === 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      if (need > i) cut -= i;
      break;
    }
    if ((c & 0x80) === 0) break;
  }
  sample = sample.subarray(0, cut);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample);
  } catch {
    return false;
  }
  let printable = 0;
  for (const c of sample) if (c >= 0x20 || c === 9 || c === 10 || c === 13) printable++;
  return printable >= sample.length * 0.95;
}

const DISPLAY: Record<string, string> = {
  wav: 'WAV',
  rf64: 'RF64',
  bw64: 'BW64',
  aiff: 'AIFF',
  aifc: 'AIFF-C',
  flac: 'FLAC',
  mp3: 'MP3',
  'ogg/vorbis': 'Ogg Vorbis',
  'ogg/opus': 'Ogg Opus',
};

/** Which containers (and for Ogg, codecs) each extension promises. */
const EXPECTED: Record<string, string[]> = {
  '.wav': ['wav', 'rf64', 'bw64'],
  '.wave': ['wav', 'rf64', 'bw64'],
  '.bwf': ['wav', 'rf64', 'bw64'],
  '.rf64': ['wav', 'rf64', 'bw64'],
  '.bw64': ['wav', 'rf64', 'bw64'],
  '.aif': ['aiff', 'aifc'],
  '.aiff': ['aiff', 'aifc'],
  '.aifc': ['aiff', 'aifc'],
  '.flac': ['flac'],
  '.mp3': ['mp3'],
  '.ogg': ['ogg/vorbis', 'ogg/opus'],
  '.oga': ['ogg/vorbis', 'ogg/opus'],
  '.opus': ['ogg/opus'],
};

/** A warning when the extension promises another format than the bytes hold; null when they agree. */
export function nameMismatch(fileName: string, container: string, codec: string): string | null {
  const ext = path.extname(fileName).toLowerCase();
  const expected = EXPECTED[ext];
  if (!expected) return null;
  const actual = container === 'ogg' ? `ogg/${codec}` : container;
  if (expected.includes(actual)) return null;
  const name = DISPLAY[actual] ?? actual;
  return `File is named ${path.extname(fileName)} but contains ${name} audio; decoded as ${name}`;
}
