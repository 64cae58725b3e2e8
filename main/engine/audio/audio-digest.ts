import { createHash } from 'node:crypto';
import { hashRange } from './byte-pieces';
import { corrupt } from './fail';
import { flacBlocks } from './flac-write';
import { mp3AudioStart } from './id3-write';
import { oggPages, readOggHeaders } from './ogg-write';
import { walkRiff } from './riff';
import type { HeaderSource } from './source';

export type TaggableContainer = 'wav' | 'rf64' | 'bw64' | 'flac' | 'ogg' | 'mp3';

/**
 * A SHA-256 of a file's audio payload, found from the file's own structure so a tag rewrite can be
 * checked against the original: WAV/RF64 the data chunk's body; FLAC every byte after the metadata
 * blocks; MP3 every byte after the ID3v2 tags; Ogg each audio page's flags, granule position,
 * serial number, segment table and body (not its sequence number or CRC, which a rewrite may
 * renumber). `offset` is where the container starts (after an ID3v2 tag on FLAC).
 */
export async function audioDigest(src: HeaderSource, container: TaggableContainer, offset: number): Promise<string> {
  const hash = createHash('sha256');
  switch (container) {
    case 'wav':
    case 'rf64':
    case 'bw64': {
      const { chunks } = await walkRiff(src, container === 'wav' ? 'WAV' : container.toUpperCase());
      const data = chunks.find((c) => c.id === 'data');
      if (!data) throw corrupt('The file has no data chunk');
      await hashRange(src, data.offset, data.size, hash);
      break;
    }
    case 'flac': {
      const { framesAt } = await flacBlocks(src, offset);
      await hashRange(src, framesAt, src.size - framesAt, hash);
      break;
    }
    case 'mp3': {
      const start = await mp3AudioStart(src);
      await hashRange(src, start, src.size - start, hash);
      break;
    }
    case 'ogg': {
      const { audioAt } = await readOggHeaders(src);
      const it = oggPages(src, audioAt);
      for (;;) {
        const next = await it.next();
        if (next.done) {
          await hashRange(src, next.value, src.size - next.value, hash);
          break;
        }
        const p = next.value.bytes;
        hash.update(p.subarray(5, 18));
        hash.update(p.subarray(26));
      }
      break;
    }
  }
  return hash.digest('hex');
}
