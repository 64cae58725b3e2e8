import { corrupt } from './fail';
import { parseId3v1, parseId3v2 } from './id3';
import { emptyMeta, formatInfo, mergeInfo } from './meta';
import { MAX_METADATA_BYTES } from './limits';
import { findMpegStart, findMpegSync, id3v2Size, type MpegHeader } from './mpeg-header';
import type { HeaderSource } from './source';
import type { FileMeta } from './types';

export interface Mp3Layout {
  header: MpegHeader;
  /** Byte range holding MPEG frames: after ID3v2 tags, before ID3v1/APE tags. */
  start: number;
  end: number;
}

/** How far past the ID3 tags the first MPEG frame is looked for. */
const SYNC_SEARCH_BYTES = 256 * 1024;

/** Reads an MP3's tags and first frame header. Its length is only known by decoding it. */
export async function readMp3(src: HeaderSource, offset: number): Promise<{ meta: FileMeta; layout: Mp3Layout }> {
  const info: Record<string, string> = {};
  for (let o = 0; o < offset; ) {
    const head = await src.read(o, 10);
    const size = id3v2Size(head, 0);
    if (!size) break;
    mergeInfo(info, parseId3v2(await src.read(o, Math.min(size, MAX_METADATA_BYTES))));
    o += size;
  }
  const warnings: string[] = [];
  const head = await src.read(offset, SYNC_SEARCH_BYTES);
  let first = findMpegStart(head, 0, src.size - offset);
  if (!first && offset > 0) {
    first = findMpegSync(head, 0, src.size - offset);
    if (first) warnings.push(`The MP3's audio begins ${first.offset} bytes after where its ID3 tag says (the tag's size is wrong, or padding follows it)`);
  }
  if (!first) throw corrupt(`The MP3 file has no audio frame after its ID3 tag (from byte ${offset}): it is damaged or not MP3`);
  const start = offset + first.offset;
  let end = src.size;
  const tail = await src.read(Math.max(start, end - 160), Math.min(160, end - start));
  const v1 = parseId3v1(tail);
  if (v1) {
    end -= 128;
    mergeInfo(info, v1);
  }
  // An APEv2 tag footer ('APETAGEX') may sit just before the end (or before ID3v1).
  const apeAt = tail.length - (src.size - end) - 32;
  if (apeAt >= 0 && tail.toString('latin1', apeAt, apeAt + 8) === 'APETAGEX') {
    const tagSize = tail.readUInt32LE(apeAt + 12);
    const hasHeader = (tail.readUInt32LE(apeAt + 20) & 0x80000000) !== 0;
    end = Math.max(start, end - tagSize - (hasHeader ? 32 : 0));
  }
  const h = first.header;
  const codec = h.layer === 3 ? 'mp3' : h.layer === 2 ? 'mp2' : 'mp1';
  const meta = emptyMeta(formatInfo('mp3', codec, h.sampleRate, h.channels, null, 0));
  meta.info = info;
  meta.warnings.push(...warnings);
  return { meta, layout: { header: h, start, end } };
}
