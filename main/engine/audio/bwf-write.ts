import { LOUDNESS_UNKNOWN } from '../export/encode/bext';
import { utf8Fit } from '../export/encode/text-field';
import type { Piece } from './byte-pieces';
import { corrupt, unsupported } from './fail';
import { mergeIxml, newIxml, type IxmlEdit } from './ixml-merge';
import { walkRiff, type RiffChunk } from './riff';
import type { HeaderSource } from './source';

/** What a tag write changes in a WAV/RF64/BW64 file; everything else is copied byte for byte. */
export interface WavTagEdit {
  /** The new bext description (cut to its 256 bytes), or null to leave bext untouched. */
  bextDescription: string | null;
  ixml: IxmlEdit;
}

const BEXT_DESCRIPTION_BYTES = 256;
const BEXT_FIXED_BYTES = 602;
const U32_MAX = 0xffffffff;
const MAX_IXML_BYTES = 16 * 1024 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bext description field: UTF-8 cut at a character boundary, NUL-filled to 256 bytes. */
export function bextDescriptionBytes(text: string): Buffer {
  const b = Buffer.alloc(BEXT_DESCRIPTION_BYTES);
  utf8Fit(text, BEXT_DESCRIPTION_BYTES).copy(b);
  return b;
}

/** The text a bext description holds once written (what a reader sees after the cut). */
export function bextDescriptionText(text: string): string {
  return utf8Fit(text, BEXT_DESCRIPTION_BYTES).toString('utf8');
}

/** A version 2 bext with only a description: other fields empty, loudness "not measured". */
function newBext(description: string): Buffer {
  const b = Buffer.alloc(BEXT_FIXED_BYTES);
  bextDescriptionBytes(description).copy(b, 0);
  b.writeUInt16LE(2, 346);
  for (let o = 412; o <= 420; o += 2) b.writeInt16LE(LOUDNESS_UNKNOWN, o);
  return b;
}

function chunkHeader(id: string, size: number): Buffer {
  const h = Buffer.alloc(8);
  h.write(id, 0, 4, 'latin1');
  h.writeUInt32LE(size, 4);
  return h;
}

const PAD = Buffer.alloc(1);

/**
 * Plans the rewrite of a RIFF/RF64/BW64 WAVE file with a new bext description and merged iXML:
 * every other chunk (and the audio) is copied unchanged and in place in the order; a missing bext
 * goes just before the data chunk, a missing iXML after the last chunk. Sizes are recomputed: the
 * RIFF size, or for RF64/BW64 the ds64 RIFF size (the data size does not change). Chunks are
 * word-aligned with a zero pad byte after odd sizes, as the RIFF rules ask.
 */
export async function planWavRewrite(src: HeaderSource, container: 'wav' | 'rf64' | 'bw64', edit: WavTagEdit): Promise<Piece[]> {
  const label = container === 'wav' ? 'WAV' : container.toUpperCase();
  const { chunks } = await walkRiff(src, label);
  const last = chunks[chunks.length - 1];
  if (!last || last.available < last.size) throw corrupt(`The ${label} file is cut short (its ${last?.id.trim() ?? 'first'} chunk ends past the end of the file); tags are not written into a damaged file`);
  const dataIndex = chunks.findIndex((c) => c.id === 'data');
  if (dataIndex < 0) throw corrupt(`The ${label} file has no data chunk`);
  const hasIxml = chunks.some((c) => c.id === 'iXML');
  const hasBext = chunks.some((c) => c.id === 'bext');
  const wantsIxml = edit.ixml.USER.length + edit.ixml.ASWG.length > 0;

  /** Each chunk of the new file; `copied` keeps the original header (an RF64 data chunk keeps its 0xFFFFFFFF marker). */
  const body: { id: string; piece: Piece; size: number; copied?: RiffChunk }[] = [];
  let ds64: Buffer | null = null;
  for (const [i, c] of chunks.entries()) {
    if (i === dataIndex && !hasBext && edit.bextDescription !== null) {
      const b = newBext(edit.bextDescription);
      body.push({ id: 'bext', piece: b, size: b.length });
    }
    if (c.id === 'ds64') {
      ds64 = Buffer.from(await src.read(c.offset, c.size));
      body.push({ id: c.id, piece: ds64, size: c.size });
    } else if (c.id === 'bext' && edit.bextDescription !== null) {
      const b = Buffer.from(await src.read(c.offset, c.size));
      const full = b.length >= BEXT_FIXED_BYTES ? b : Buffer.concat([b, Buffer.alloc(BEXT_FIXED_BYTES - b.length)]);
      bextDescriptionBytes(edit.bextDescription).copy(full, 0);
      body.push({ id: c.id, piece: full, size: full.length });
    } else if (c.id === 'iXML' && wantsIxml) {
      const b = Buffer.from(await ixmlText(src, c, edit.ixml), 'utf8');
      body.push({ id: c.id, piece: b, size: b.length });
    } else {
      body.push({ id: c.id, piece: { from: c.offset, length: c.size }, size: c.size, copied: c });
    }
  }
  if (!hasIxml && wantsIxml) {
    const b = Buffer.from(newIxml(edit.ixml), 'utf8');
    body.push({ id: 'iXML', piece: b, size: b.length });
  }

  const pieces: Piece[] = [];
  let total = 12;
  for (const c of body) {
    if (!c.copied && c.size > U32_MAX) throw unsupported(`A ${c.id} chunk of ${c.size} bytes does not fit a RIFF chunk`);
    pieces.push(c.copied ? { from: c.copied.offset - 8, length: 8 } : chunkHeader(c.id, c.size));
    pieces.push(c.piece);
    if (c.size & 1) pieces.push(PAD);
    total += 8 + c.size + (c.size & 1);
  }
  // Bytes after the last chunk that are no chunk (some tools leave such tails) stay, outside the RIFF size.
  const lastEnd = Math.min(src.size, last.offset + last.size + (last.size & 1));
  if (src.size > lastEnd) pieces.push({ from: lastEnd, length: src.size - lastEnd });
  const head = Buffer.from(await src.read(0, 12));
  if (container === 'wav') {
    if (total - 8 > U32_MAX) throw unsupported('With the new tags the WAV file would pass 4 GiB, which RIFF cannot describe; convert it to RF64 first');
    head.writeUInt32LE(total - 8, 4);
  } else {
    if (!ds64 || ds64.length < 8) throw corrupt(`${label} file has no usable ds64 chunk`);
    const riffSize = total - 8;
    ds64.writeUInt32LE(riffSize % 2 ** 32, 0);
    ds64.writeUInt32LE(Math.floor(riffSize / 2 ** 32), 4);
  }
  return [head, ...pieces];
}

/** The chunk's iXML with the edit merged; a chunk that is not UTF-8 text is refused rather than re-encoded. */
async function ixmlText(src: HeaderSource, c: RiffChunk, edit: IxmlEdit): Promise<string> {
  if (c.size > MAX_IXML_BYTES) throw unsupported(`The iXML chunk is ${c.size} bytes, too large to edit`);
  const bytes = await src.read(c.offset, c.size);
  const nul = bytes.indexOf(0);
  let text: string;
  try {
    text = utf8.decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
  } catch {
    throw unsupported('The iXML chunk is not UTF-8 text; it is left as it is and no tags were written');
  }
  const bom = text.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
  return bom + mergeIxml(text.slice(bom.length), edit);
}
