import type { ExportMetadata } from '../metadata';
import { SOFTWARE, dateText, keywordText } from './fields';

/**
 * A RIFF LIST/INFO chunk body: the fields Windows, DAWs and most librarians show. Each sub-chunk is
 * a NUL-terminated UTF-8 string padded to an even size.
 */
export function infoList(meta: ExportMetadata): Buffer {
  const fields: [string, string | undefined][] = [
    ['INAM', meta.title],
    ['ICMT', meta.description],
    ['IART', meta.designer],
    ['IPRD', meta.library ?? meta.project],
    ['IGNR', meta.ucs?.category],
    ['IKEY', keywordText(meta)],
    ['ICRD', dateText(meta.origination)],
    ['ISFT', SOFTWARE],
  ];
  const parts: Buffer[] = [Buffer.from('INFO', 'latin1')];
  for (const [id, value] of fields) {
    if (!value || !value.trim()) continue;
    const text = Buffer.from(`${value}\0`, 'utf8');
    const head = Buffer.alloc(8);
    head.write(id, 0, 4, 'latin1');
    head.writeUInt32LE(text.length, 4);
    parts.push(head, text, Buffer.alloc(text.length & 1));
  }
  return Buffer.concat(parts);
}
