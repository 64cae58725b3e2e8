import { corrupt, unsupported } from './fail';
import { parseAdtl, parseBext, parseCue, parseInfoList, parseSmpl } from './bwf';
import { parseId3v2 } from './id3';
import { parseIxml } from './ixml';
import { emptyMeta, formatInfo, mergeInfo, type PcmData } from './meta';
import { pcmCodecName, type PcmLayout } from './pcm';
import { checkChannels, checkSampleRate, MAX_LIST_ENTRIES, MAX_LISTED_CHUNKS, MAX_METADATA_BYTES } from './limits';
import { walkRiff, type RiffChunk } from './riff';
import type { HeaderSource } from './source';
import { fourcc } from './text';
import { WindowReader } from './window-reader';
import type { FileMeta } from './types';

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Tail shared by the KSDATAFORMAT_SUBTYPE GUIDs, and the one of the AMBISONIC_B_FORMAT subtypes. */
const GUID_TAIL = '000000001000800000aa00389b71';
const AMBI_TAIL = '0721d3118644c8c1ca000000';

const NAMED_TAGS: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG audio',
  0x0055: 'MP3',
  0x00ff: 'AAC',
  0x0161: 'WMA',
};


/** Reads a RIFF/RF64/BW64 WAVE file's format and metadata from its headers, never its samples. */
export async function readWav(src: HeaderSource, container: 'wav' | 'rf64' | 'bw64'): Promise<{ meta: FileMeta; pcm: PcmData }> {
  const label = container === 'wav' ? 'WAV' : container.toUpperCase();
  const { chunks, warnings } = await walkRiff(src, label, { maxListed: MAX_LISTED_CHUNKS, dataToEnd: true });
  const fmt = chunks.find((c) => c.id === 'fmt ');
  const data = chunks.find((c) => c.id === 'data');
  if (!fmt) {
    if (!chunks.length) throw corrupt(`Truncated ${label} header: the file has only ${src.size} bytes`);
    const last = chunks[chunks.length - 1];
    if (last && last.available < last.size) throw truncatedHeader(label, last, src.size);
    throw corrupt(`${label} file has no fmt chunk (the audio format description)`);
  }
  if (fmt.available < fmt.size) throw truncatedHeader(label, fmt, src.size);
  if (fmt.size < 16) throw corrupt(`${label} fmt chunk is too small to describe the audio (${fmt.size} of 16 bytes)`);
  const layout = parseFmt(await src.read(fmt.offset, Math.min(fmt.size, 64)), label, warnings);
  if (!data) throw corrupt(`${label} file has no data chunk (no audio samples)`);

  let frames = Math.floor(data.available / layout.blockAlign);
  if (data.available < data.size) {
    warnings.push(
      `Data chunk is shorter than its header says (${data.available} of ${data.size} bytes): the file is cut short; decoded the ${frames} frames present`,
    );
  } else if (data.size % layout.blockAlign) {
    warnings.push(`Data chunk ends with a partial sample frame (${data.size % layout.blockAlign} bytes ignored)`);
  }
  if (frames < 0) frames = 0;

  const bits = layout.bits;
  const meta = emptyMeta(formatInfo(container, pcmCodecName(layout), layout.sampleRate, layout.channels, bits, frames));
  meta.warnings.push(...warnings);
  await readMetadataChunks(src, chunks, meta);
  return { meta, pcm: { layout, offset: data.offset, frames } };
}

function truncatedHeader(label: string, c: RiffChunk, fileSize: number) {
  return corrupt(`Truncated ${label} header: the ${c.id.trim()} chunk ends at byte ${c.offset + c.size} but the file has only ${fileSize} bytes`);
}

/**
 * The fmt chunk's audio layout. Values no real file has are refused in words (limits.ts); a
 * blockAlign that disagrees with the channels and bits is repaired as ffmpeg does (bits per
 * sample and channels decide), with a warning in `warnings`.
 */
export function parseFmt(b: Uint8Array, label = 'WAV', warnings: string[] = []): PcmLayout & { sampleRate: number } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let tag = dv.getUint16(0, true);
  const channels = dv.getUint16(2, true);
  const sampleRate = dv.getUint32(4, true);
  let blockAlign = dv.getUint16(12, true);
  const bitsPerSample = dv.getUint16(14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (b.length < 40) throw corrupt(`Truncated ${label} header: the extensible fmt chunk has ${b.length} of 40 bytes`);
    const guid = Buffer.from(b.subarray(24, 40)).toString('hex');
    if (guid.slice(4) === GUID_TAIL) tag = dv.getUint16(24, true);
    else if (guid.slice(8) === AMBI_TAIL) tag = dv.getUint32(24, true);
    else throw unsupported(`${label} file uses an unknown extensible sub-format (GUID ${guid})`);
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    const name = NAMED_TAGS[tag];
    const hex = `0x${tag.toString(16).padStart(4, '0')}`;
    throw unsupported(`${label} files with ${name ? `${name} encoding` : `format tag ${hex}`} are not supported${name ? ` (format tag ${hex})` : ''}`);
  }
  checkChannels(channels, label);
  checkSampleRate(sampleRate, label);
  const float = tag === WAVE_FORMAT_IEEE_FLOAT;
  if (bitsPerSample < 1 || bitsPerSample > 64) {
    throw corrupt(`The ${label} header says each sample has ${bitsPerSample} bits; no recorder writes that, so the header is damaged`);
  }
  // 20-bit audio sits in 3-byte containers: the container size decides how samples are read.
  const bits = Math.ceil(bitsPerSample / 8) * 8;
  const ok = float ? bits === 32 || bits === 64 : bits >= 8 && bits <= 32;
  if (!ok) throw unsupported(`${label} files with ${bitsPerSample}-bit ${float ? 'float' : 'integer'} samples are not supported`);
  const expected = channels * (bits / 8);
  if (blockAlign !== expected) {
    warnings.push(
      `The ${label} header's block size (${blockAlign} bytes) does not match ${channels} channel${channels > 1 ? 's' : ''} of ${bitsPerSample}-bit samples; read ${expected}-byte frames, as ffmpeg does`,
    );
    blockAlign = expected;
  }
  return { channels, sampleRate, bits, float, bigEndian: false, unsigned: bits === 8, blockAlign };
}

async function readMetadataChunks(src: HeaderSource, chunks: RiffChunk[], meta: FileMeta): Promise<void> {
  let cueBody: Uint8Array | null = null;
  const labels = new Map<number, string>();
  const id3Info: Record<string, string> = {};
  // Small chunks come from a window moving through the file: thousands of LIST chunks cost a few reads.
  const reader = new WindowReader(src);
  for (const c of chunks) {
    const wanted = c.id === 'bext' || c.id === 'iXML' || c.id === 'LIST' || c.id === 'cue ' || c.id === 'smpl' || c.id.toLowerCase() === 'id3 ';
    if (!wanted || c.available < 1) continue;
    const length = Math.min(c.available, MAX_METADATA_BYTES);
    if (length < c.available) {
      meta.warnings.push(`The ${c.id.trim()} chunk is ${c.available} bytes, more than metadata ever needs; read its first ${MAX_METADATA_BYTES} bytes`);
    }
    const body = reader.peek(c.offset, length) ?? (await reader.read(c.offset, length));
    if (c.available < c.size) meta.warnings.push(`The ${c.id.trim()} chunk is cut short (${c.available} of ${c.size} bytes)`);
    switch (c.id) {
      case 'bext':
        meta.bext = parseBext(body);
        break;
      case 'iXML':
        meta.ixml = parseIxml(body, meta.warnings);
        break;
      case 'LIST':
        if (body.length >= 4 && fourcc(body, 0) === 'INFO') parseInfoList(body, meta.info);
        else if (body.length >= 4 && fourcc(body, 0) === 'adtl' && labels.size < MAX_LIST_ENTRIES) for (const [k, v] of parseAdtl(body)) labels.set(k, v);
        break;
      case 'cue ':
        cueBody = body;
        break;
      case 'smpl':
        meta.sampler = parseSmpl(body);
        break;
      default:
        mergeInfo(id3Info, parseId3v2(body));
    }
  }
  if (cueBody) meta.cues = parseCue(cueBody, labels);
  mergeInfo(meta.info, id3Info);
}
