import { corrupt } from './fail';
import type { HeaderSource } from './source';
import { fourcc, isChunkId } from './text';

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

/**
 * Lists the chunks of a RIFF, RF64 or BW64 file without reading their bodies (except ds64).
 * Walks to the end of the file rather than trusting the RIFF size, which writers often get wrong;
 * stops quietly at bytes that are not a chunk header. Odd-sized chunks are followed by a pad byte,
 * but some writers omit it, so both places are tried.
 */
export async function walkRiff(src: HeaderSource, label: string): Promise<RiffWalk> {
  const warnings: string[] = [];
  const chunks: RiffChunk[] = [];
  if (src.size < 12) throw corrupt(`Truncated ${label} header: the file has only ${src.size} bytes`);
  const rf64 = label !== 'WAV';
  let ds64: { dataSize: number; table: Map<string, number> } | null = null;
  let o = 12;
  let prevOdd = false;
  while (o + 8 <= src.size) {
    let h = await src.read(o, 8);
    if (!isChunkId(h, 0) && prevOdd) {
      const alt = await src.read(o - 1, 8);
      if (isChunkId(alt, 0)) {
        o -= 1;
        h = alt;
      }
    }
    if (!isChunkId(h, 0)) {
      if (!chunks.some((c) => c.id === 'data')) {
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
    const available = Math.min(size, src.size - body);
    chunks.push({ id, offset: body, size, available });
    if (rf64 && chunks.length === 1) {
      if (id !== 'ds64') throw corrupt(`${label} file does not start with a ds64 chunk (found '${id}')`);
      ds64 = parseDs64(await src.read(body, available), label);
    }
    if (available < size) break;
    o = body + size + (size & 1);
    prevOdd = (size & 1) === 1;
  }
  return { chunks, warnings };
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
