import { planWavRewrite } from '../../audio/bwf-write';
import type { Piece } from '../../audio/byte-pieces';
import { unsupported } from '../../audio/fail';
import { planFlacRewrite } from '../../audio/flac-write';
import { planMp3Rewrite } from '../../audio/id3-write';
import { planOggRewrite } from '../../audio/ogg-write';
import { openAudio } from '../../audio/open';
import { sniff } from '../../audio/sniff';
import type { HeaderSource } from '../../audio/source';
import type { FileMeta } from '../../audio/types';
import { id3Edit, vorbisEdit, wavEdit } from './fields';
import type { TagFormat } from './types';

export interface Inspected {
  format: TagFormat;
  /** Where the container starts (after an ID3v2 tag in front of FLAC), else 0. */
  offset: number;
  meta: FileMeta;
}

const REFUSED: Record<string, string> = {
  aiff: 'AIFF',
  aifc: 'AIFF-C',
};

/** The file's taggable format and its metadata, from its headers; other formats are refused in words. */
export async function inspect(src: HeaderSource): Promise<Inspected> {
  let s = sniff(src.head, src.size, src.path);
  while (s.pending) s = sniff(await src.read(s.offset, 64 * 1024), src.size, src.path, s.offset);
  if (REFUSED[s.container]) {
    throw unsupported(`${REFUSED[s.container]} files do not get tags written (supported: WAV/BWF/RF64, FLAC, Ogg Vorbis/Opus, MP3)`);
  }
  const { meta } = await openAudio(src);
  if (s.container === 'ogg' && meta.format.codec !== 'vorbis' && meta.format.codec !== 'opus') {
    throw unsupported(`Ogg ${meta.format.codec} files do not get tags written (supported in Ogg: Vorbis and Opus)`);
  }
  return { format: s.container as TagFormat, offset: s.offset, meta };
}

/** The new file's bytes as pieces of the original and new bytes. */
export async function rewritePieces(src: HeaderSource, f: Inspected, edits: Map<string, string>): Promise<Iterable<Piece> | AsyncIterable<Piece>> {
  switch (f.format) {
    case 'wav':
    case 'rf64':
    case 'bw64':
      return planWavRewrite(src, f.format, wavEdit(edits));
    case 'flac':
      return planFlacRewrite(src, f.offset, vorbisEdit(edits));
    case 'ogg':
      return planOggRewrite(src, vorbisEdit(edits));
    case 'mp3':
      return planMp3Rewrite(src, id3Edit(edits));
  }
}
