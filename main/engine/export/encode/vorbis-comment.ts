import type { ExportMetadata } from '../metadata';
import { SOFTWARE, categoryFull, dateText, decibelText, keywordText, sourceLabel } from './fields';

/**
 * Vorbis comment fields for FLAC and Ogg Vorbis: the common player tags (TITLE, ARTIST, ALBUM,
 * GENRE, COMMENT, DATE) plus the UCS/ASWG fields game-audio tools look for. Empty values are left out.
 */
export function vorbisCommentTags(meta: ExportMetadata): [string, string][] {
  const ucs = meta.ucs;
  const l = meta.loudness;
  const tags: [string, string][] = [
    ['TITLE', meta.title],
    ['DESCRIPTION', meta.description ?? ''],
    ['ARTIST', meta.designer ?? ''],
    ['ALBUM', meta.library ?? meta.project ?? ''],
    ['GENRE', ucs?.category ?? ''],
    ['COMMENT', meta.notes ?? ''],
    ['KEYWORDS', keywordText(meta)],
    ['DATE', dateText(meta.origination)],
    ['ORGANIZATION', meta.originator ?? ''],
    ['PROJECT', meta.project ?? ''],
    ['UCS_CATID', ucs?.catId ?? ''],
    ['UCS_CATEGORY', ucs?.category ?? ''],
    ['UCS_SUBCATEGORY', ucs?.subCategory ?? ''],
    ['UCS_CATEGORYFULL', ucs ? categoryFull(ucs) : ''],
    ['UCS_USERCATEGORY', ucs?.userCategory ?? ''],
    ['UCS_VENDORCATEGORY', ucs?.vendorCategory ?? ''],
    ['UCS_USERDATA', ucs?.userData ?? ''],
    ['FXNAME', ucs?.fxName ?? ''],
    ['CREATORID', ucs?.creatorId ?? ''],
    ['SOURCEID', ucs?.sourceId ?? ''],
    ['SOURCE', sourceLabel(meta.source)],
    ['ISGENERATED', String(meta.isGenerated)],
    ['ISLOOP', String(meta.isLoop)],
    ['LOUDNESS_INTEGRATED', l?.integrated != null ? `${decibelText(l.integrated)} LUFS` : ''],
    ['LOUDNESS_RANGE', l?.range != null ? `${decibelText(l.range)} LU` : ''],
    ['TRUE_PEAK', l?.truePeak != null ? `${decibelText(l.truePeak)} dBTP` : ''],
    ['SAMPLE_PEAK', l?.samplePeak != null ? `${decibelText(l.samplePeak)} dBFS` : ''],
    ['ENCODER', SOFTWARE],
  ];
  return tags.filter(([, v]) => v.trim() !== '');
}

/**
 * The comment structure shared by FLAC's VORBIS_COMMENT block and the Vorbis comment packet:
 * little-endian lengths, the vendor string, then KEY=value entries in UTF-8. Keys must be ASCII
 * 0x20–0x7D without '='; ours are constants, so a bad one is a programming error.
 */
export function vorbisCommentBody(vendor: string, tags: [string, string][]): Uint8Array {
  const parts: Buffer[] = [];
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };
  const vendorBytes = Buffer.from(vendor, 'utf8');
  parts.push(u32(vendorBytes.length), vendorBytes, u32(tags.length));
  for (const [key, value] of tags) {
    if (!/^[\x20-\x3c\x3e-\x7d]+$/.test(key)) throw new Error(`Invalid Vorbis comment key: ${key}`);
    const entry = Buffer.from(`${key}=${value}`, 'utf8');
    parts.push(u32(entry.length), entry);
  }
  return new Uint8Array(Buffer.concat(parts));
}
