import { corrupt, unsupported } from './fail';
import { parseId3v2 } from './id3';
import { emptyMeta, formatInfo, mergeInfo, type PcmData } from './meta';
import { pcmCodecName, type PcmLayout } from './pcm';
import type { HeaderSource } from './source';
import { checkChannels, checkSampleRate, MAX_LISTED_CHUNKS, MAX_METADATA_BYTES } from './limits';
import { decodeText, fourcc, isChunkId } from './text';
import type { CuePoint, FileMeta, SamplerInfo } from './types';
import { WindowReader } from './window-reader';

interface IffChunk {
  id: string;
  offset: number;
  size: number;
  available: number;
}

/** AIFF-C compression types Cuebank reads: all uncompressed PCM or float in some byte order. */
const COMPRESSION: Record<string, { float: boolean; bigEndian: boolean; bits?: number; unsigned?: boolean }> = {
  NONE: { float: false, bigEndian: true },
  twos: { float: false, bigEndian: true },
  sowt: { float: false, bigEndian: false },
  in24: { float: false, bigEndian: true, bits: 24 },
  in32: { float: false, bigEndian: true, bits: 32 },
  '42ni': { float: false, bigEndian: false, bits: 24 },
  '23ni': { float: false, bigEndian: false, bits: 32 },
  'raw ': { float: false, bigEndian: true, bits: 8, unsigned: true },
  fl32: { float: true, bigEndian: true, bits: 32 },
  FL32: { float: true, bigEndian: true, bits: 32 },
  fl64: { float: true, bigEndian: true, bits: 64 },
  FL64: { float: true, bigEndian: true, bits: 64 },
};

const TEXT_CHUNKS = new Set(['NAME', 'AUTH', 'ANNO', '(c) ']);

/** IEEE 754 80-bit extended (AIFF's sample rate field), big-endian. */
export function readExtended(b: Uint8Array, o: number): number {
  const expo = ((b[o] & 0x7f) << 8) | b[o + 1];
  let mant = 0;
  for (let i = 0; i < 8; i++) mant = mant * 256 + b[o + 2 + i];
  if (expo === 0 && mant === 0) return 0;
  if (expo === 0x7fff) return NaN;
  const v = mant * 2 ** (expo - 16383 - 63);
  return b[o] & 0x80 ? -v : v;
}

/** Inverse of readExtended, for writing AIFF headers (and building test files). */
export function writeExtended(value: number): Uint8Array {
  const out = new Uint8Array(10);
  if (value === 0) return out;
  const sign = value < 0 ? 0x80 : 0;
  const v = Math.abs(value);
  let expo = Math.floor(Math.log2(v));
  if (2 ** expo > v) expo--;
  const mant = v / 2 ** expo; // in [1, 2)
  const e = expo + 16383;
  out[0] = sign | ((e >> 8) & 0x7f);
  out[1] = e & 0xff;
  const m = mant * 2 ** 31;
  const hi = Math.floor(m);
  const lo = Math.floor((m - hi) * 2 ** 32);
  new DataView(out.buffer).setUint32(2, hi >>> 0);
  new DataView(out.buffer).setUint32(6, lo >>> 0);
  return out;
}

/** The chunks of a FORM, headers read through a moving window; metadata chunks past MAX_LISTED_CHUNKS are not listed. */
async function walkIff(src: HeaderSource, label: string, warnings: string[]): Promise<IffChunk[]> {
  const chunks: IffChunk[] = [];
  const reader = new WindowReader(src);
  let o = 12;
  let seen = 0;
  while (o + 8 <= src.size) {
    const h = reader.peek(o, 8) ?? (await reader.read(o, 8));
    if (!isChunkId(h, 0)) break;
    const size = h.readUInt32BE(4);
    const available = Math.min(size, src.size - o - 8);
    const id = fourcc(h, 0);
    seen++;
    if (seen <= MAX_LISTED_CHUNKS || id === 'COMM' || id === 'SSND') chunks.push({ id, offset: o + 8, size, available });
    if (available < size) break;
    o += 8 + size + (size & 1);
  }
  if (!chunks.length && src.size < 20) throw corrupt(`Truncated ${label} header: the file has only ${src.size} bytes`);
  if (seen > MAX_LISTED_CHUNKS) warnings.push(`The file holds ${seen} chunks; the metadata of those after the first ${MAX_LISTED_CHUNKS} was not read`);
  return chunks;
}

/**
 * AIFF stores the rate as an 80-bit float, and old Macs wrote non-integer rates (22254.5454 Hz);
 * Cuebank works in whole samples per second, so the rate is rounded to the nearest integer with a
 * warning (ffmpeg truncates; rounding keeps 47999.99999 at 48000). Rates no file has are refused.
 */
function aiffRate(rate: number, label: string, warnings: string[]): number {
  const rounded = Math.round(rate);
  checkSampleRate(Number.isFinite(rate) ? rounded : rate, label);
  if (rounded !== rate) warnings.push(`The ${label} header gives the sample rate as ${Number(rate.toPrecision(10))} Hz; read it as ${rounded} Hz`);
  return rounded;
}

/** Reads an AIFF or AIFF-C file's format and metadata from its headers. */
export async function readAiff(src: HeaderSource, container: 'aiff' | 'aifc'): Promise<{ meta: FileMeta; pcm: PcmData }> {
  const label = container === 'aiff' ? 'AIFF' : 'AIFF-C';
  const warnings: string[] = [];
  const chunks = await walkIff(src, label, warnings);
  const comm = chunks.find((c) => c.id === 'COMM');
  const ssnd = chunks.find((c) => c.id === 'SSND');
  const need = container === 'aifc' ? 22 : 18;
  if (!comm) throw corrupt(`${label} file has no COMM chunk (the audio format description)`);
  if (comm.available < Math.min(comm.size, need)) {
    throw corrupt(`Truncated ${label} header: the COMM chunk ends at byte ${comm.offset + comm.size} but the file has only ${src.size} bytes`);
  }
  if (comm.size < need) throw corrupt(`${label} COMM chunk is too small (${comm.size} of ${need} bytes)`);
  const c = await src.read(comm.offset, comm.available);
  const channels = c.readInt16BE(0);
  const declaredFrames = c.readUInt32BE(2);
  const sampleSize = c.readInt16BE(6);
  const sampleRate = aiffRate(readExtended(c, 8), label, warnings);
  const type = container === 'aifc' ? fourcc(c, 18) : 'NONE';
  const codec = COMPRESSION[type];
  if (!codec) throw unsupported(`${label} files with '${type.trim()}' compression are not supported`);
  checkChannels(channels, label);
  const bits = codec.bits ?? Math.ceil(sampleSize / 8) * 8;
  if (!codec.float && (bits < 8 || bits > 32)) throw unsupported(`${label} files with ${sampleSize}-bit samples are not supported`);
  const layout: PcmLayout = {
    channels,
    bits,
    float: codec.float,
    bigEndian: codec.bigEndian,
    unsigned: !!codec.unsigned,
    blockAlign: channels * (bits / 8),
  };

  let frames = 0;
  let offset = 0;
  if (!ssnd) {
    if (declaredFrames > 0) throw corrupt(`${label} file has no SSND chunk (no audio samples)`);
  } else {
    const head = await src.read(ssnd.offset, 8);
    const dataOffset = head.length >= 4 ? head.readUInt32BE(0) : 0;
    offset = ssnd.offset + 8 + dataOffset;
    const present = Math.max(0, ssnd.offset + ssnd.available - offset);
    const presentFrames = Math.floor(present / layout.blockAlign);
    frames = Math.min(declaredFrames, presentFrames);
    if (presentFrames < declaredFrames) {
      warnings.push(
        `Sound data is shorter than the header says (${presentFrames} of ${declaredFrames} frames): the file is cut short; decoded the frames present`,
      );
    }
  }
  const meta = emptyMeta(formatInfo(container, pcmCodecName(layout), sampleRate, channels, bits, frames));
  meta.warnings.push(...warnings);
  await readAiffMetadata(src, chunks, meta);
  return { meta, pcm: { layout, offset, frames } };
}

async function readAiffMetadata(src: HeaderSource, chunks: IffChunk[], meta: FileMeta): Promise<void> {
  const markers = new Map<number, CuePoint>();
  let inst: Buffer | null = null;
  const reader = new WindowReader(src);
  for (const ch of chunks) {
    const text = TEXT_CHUNKS.has(ch.id);
    if (!text && ch.id !== 'MARK' && ch.id !== 'INST' && ch.id !== 'ID3 ') continue;
    const length = Math.min(ch.available, MAX_METADATA_BYTES);
    if (length < ch.available) meta.warnings.push(`The ${ch.id.trim()} chunk is ${ch.available} bytes, more than metadata ever needs; read its first ${length} bytes`);
    const body = reader.peek(ch.offset, length) ?? (await reader.read(ch.offset, length));
    if (text) {
      const key = ch.id.trim().toUpperCase();
      const value = decodeText(body).trim();
      if (value) meta.info[key] = meta.info[key] ? `${meta.info[key]}\n${value}` : value;
    } else if (ch.id === 'MARK') {
      for (const m of parseMarkers(body)) markers.set(m.id, m);
    } else if (ch.id === 'INST') inst = body;
    else mergeInfo(meta.info, parseId3v2(body));
  }
  meta.cues = [...markers.values()].sort((a, b) => a.position - b.position || a.id - b.id);
  if (inst) meta.sampler = parseInst(inst, markers);
}

function parseMarkers(b: Buffer): CuePoint[] {
  if (b.length < 2) return [];
  const count = b.readUInt16BE(0);
  const out: CuePoint[] = [];
  let o = 2;
  for (let i = 0; i < count && o + 7 <= b.length; i++) {
    const id = b.readInt16BE(o);
    const position = b.readUInt32BE(o + 2);
    const len = b[o + 6];
    const label = decodeText(b.subarray(o + 7, o + 7 + len)).trim();
    out.push({ id, position, label });
    o += 7 + len + ((len + 1) & 1); // pstring padded to an even total length
  }
  return out;
}

/** INST: base note plus sustain and release loops given as marker ids. */
function parseInst(b: Buffer, markers: Map<number, CuePoint>): SamplerInfo | null {
  if (b.length < 20) return null;
  const loops = [];
  for (const o of [8, 14]) {
    const mode = b.readInt16BE(o);
    const start = markers.get(b.readInt16BE(o + 2));
    const end = markers.get(b.readInt16BE(o + 4));
    // AIFF loop modes: 1 forward, 2 forward/backward; smpl types: 0 forward, 1 alternating.
    if (mode && start && end) loops.push({ start: start.position, end: end.position, type: mode === 2 ? 1 : 0, playCount: 0 });
  }
  return { midiUnityNote: b[0], loops };
}
