import { corrupt } from './fail';
import type { HeaderSource } from './source';
import { fourcc, isChunkId } from './text';
import { WindowReader } from './window-reader';

export interface RiffChunk {
  id: string;
  /** File offset of the chunk's body. */
  offset: number;
  /** Size the header declares (from ds64 for RF64/BW64 chunks marked 0xFFFFFFFF). */
  size: number;
  /** Bytes of the body actually in the file: less than size when the file is cut short. */
  available: number;
}

export interface RiffWalk {
  chunks: RiffChunk[];
  warnings: string[];
}

const U32_MAX = 0xffffffff;

export interface WalkOptions {
  /**
   * List at most this many chunks (fmt, data and ds64 are always listed): the walk goes on to
   * find the audio, but the metadata of a flood of chunks is not read. Default: all, as a tag
   * writer that copies every chunk needs.
   */
  maxListed?: number;
  /**
   * A data chunk whose size says 0 (what a recorder leaves when recording stops abruptly) or
   * 0xFFFFFFFF in plain WAV (a writer that never came back to fill it in) runs to the end of
   * the file, or to the chunks that end it (see trailingChunks). ffmpeg reads such files the same way.
   */
  dataToEnd?: boolean;
}

/** Chunks that follow the audio in files written by recorders, DAWs and libraries. */
const TRAILING_IDS = ['LIST', 'iXML', 'bext', 'id3 ', 'ID3 ', 'cue ', 'smpl', 'inst', '_PMX', 'JUNK', 'junk', 'PAD ', 'fact', 'axml', 'chna', 'umid', 'DISP', 'acid', 'cart', 'PEAK', 'levl', 'regn', 'minf', 'elm1', 'SyLp', 'afsp', 'ResU'];
/** Trailing chunks are looked for in this many bytes at the end of the file. */
const TRAILING_WINDOW = 1024 * 1024;

/**
 * Lists the chunks of a RIFF, RF64 or BW64 file without reading their bodies (except ds64).
 * Walks to the end of the file rather than trusting the RIFF size, which writers often get wrong;
 * stops quietly at bytes that are not a chunk header. Odd-sized chunks are followed by a pad byte,
 * but some writers omit it, so both places are tried. Chunk headers are read through a moving
 * window, so the walk costs about one file read per 64 KB however many chunks there are.
 */
export async function walkRiff(src: HeaderSource, label: string, opts: WalkOptions = {}): Promise<RiffWalk> {
  const warnings: string[] = [];
  const chunks: RiffChunk[] = [];
  if (src.size < 12) throw corrupt(`Truncated ${label} header: the file has only ${src.size} bytes`);
  const rf64 = label !== 'WAV';
  const maxListed = opts.maxListed ?? Infinity;
  const reader = new WindowReader(src);
  let ds64: { dataSize: number; table: Map<string, number> } | null = null;
  let o = 12;
  let prevOdd = false;
  let seen = 0;
  let hasData = false;
  while (o + 8 <= src.size) {
    let h = reader.peek(o, 8) ?? (await reader.read(o, 8));
    if (!isChunkId(h, 0) && prevOdd) {
      const alt = reader.peek(o - 1, 8) ?? (await reader.read(o - 1, 8));
      if (isChunkId(alt, 0)) {
        o -= 1;
        h = alt;
      }
    }
    if (!isChunkId(h, 0)) {
      if (!hasData) {
        throw corrupt(`Unreadable ${label} file: no chunk header at byte ${o} (found bytes that are not a chunk id)`);
      }
      warnings.push(`Ignored ${src.size - o} unreadable bytes after the last chunk (from byte ${o})`);
      break;
    }
    const id = fourcc(h, 0);
    let size = h.readUInt32LE(4);
    if (rf64 && size === U32_MAX) {
      const fromTable = id === 'data' ? ds64?.dataSize : ds64?.table.get(id);
      if (fromTable === undefined) throw corrupt(`${label} file has a ${id} chunk larger than 4 GiB but no ds64 size for it`);
      size = fromTable;
    }
    const body = o + 8;
    if (id === 'data' && opts.dataToEnd && !hasData && (size === 0 || (size === U32_MAX && !rf64))) {
      const end = await trailingChunks(src, body);
      warnings.push(
        size === 0
          ? `The data chunk's size says 0 bytes (what a recorder leaves when recording stops abruptly); read the ${end - body} bytes of audio up to ${end === src.size ? 'the end of the file' : 'the chunks after it'}`
          : `The data chunk's size was never filled in (it says 0xFFFFFFFF); read the ${end - body} bytes of audio up to ${end === src.size ? 'the end of the file' : 'the chunks after it'}`,
      );
      size = end - body;
    }
    const available = Math.min(size, src.size - body);
    seen++;
    if (seen <= maxListed || id === 'data' || id === 'fmt ' || id === 'ds64') chunks.push({ id, offset: body, size, available });
    if (id === 'data') hasData = true;
    if (rf64 && seen === 1) {
      if (id !== 'ds64') throw corrupt(`${label} file does not start with a ds64 chunk (found '${id}')`);
      ds64 = parseDs64(await src.read(body, available), label);
    }
    if (available < size) break;
    o = body + size + (size & 1);
    prevOdd = (size & 1) === 1;
  }
  if (seen > maxListed) warnings.push(`The file holds ${seen} chunks; the metadata of those after the first ${maxListed} was not read`);
  return { chunks, warnings };
}

/**
 * Where audio of unknown length that starts at `from` ends: the first place in the last MiB of
 * the file from which known chunks (LIST, iXML, bext, ...) follow each other exactly to the end
 * of the file, or the end of the file when there is none.
 */
async function trailingChunks(src: HeaderSource, from: number): Promise<number> {
  const start = Math.max(from, src.size - TRAILING_WINDOW);
  const tail = await src.read(start, src.size - start);
  const candidates: number[] = [];
  for (const id of TRAILING_IDS) {
    for (let at = tail.indexOf(id, 0, 'latin1'); at >= 0; at = tail.indexOf(id, at + 1, 'latin1')) candidates.push(at);
  }
  candidates.sort((a, b) => a - b);
  for (const at of candidates) if (chainsToEnd(tail, at)) return start + at;
  return src.size;
}

/** Whether chunks with known ids follow each other from `at` to the end of `b` (pad bytes allowed). */
function chainsToEnd(b: Buffer, at: number): boolean {
  let o = at;
  for (let n = 0; n < 64 && o + 8 <= b.length; n++) {
    if (!TRAILING_IDS.includes(b.toString('latin1', o, o + 4))) return false;
    const next = o + 8 + b.readUInt32LE(o + 4);
    if (next === b.length || (next + 1 === b.length && (next - o) & 1)) return true;
    o = next + ((next - o) & 1);
  }
  return o === b.length;
}

function parseDs64(b: Buffer, label: string) {
  if (b.length < 28) throw corrupt(`Truncated ${label} header: the ds64 chunk has ${b.length} of at least 28 bytes`);
  const u64 = (o: number) => b.readUInt32LE(o) + b.readUInt32LE(o + 4) * 2 ** 32;
  const dataSize = u64(8);
  const count = b.readUInt32LE(24);
  const table = new Map<string, number>();
  for (let i = 0, o = 28; i < count && o + 12 <= b.length; i++, o += 12) table.set(fourcc(b, o), u64(o + 4));
  return { dataSize, table };
}
