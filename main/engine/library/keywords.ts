import path from 'node:path';
import type { FileMeta } from '../audio/types';
import type { FtsDocument } from '../db/queries/files';

/** Splits names like "DoorSlam_Heavy-02" into "Door Slam Heavy 02" so each part is a search word. */
export function splitWords(text: string): string {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2')
    .replace(/[_\-.+]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function flattenStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') {
    if (value.trim()) out.push(value.trim());
  } else if (Array.isArray(value)) {
    for (const v of value) flattenStrings(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) flattenStrings(v, out);
  }
}

const DESCRIPTION_KEYS = ['ICMT', 'INAM', 'ISBJ', 'IKEY', 'TITLE', 'COMMENT', 'DESCRIPTION', 'ANNO', 'NAME'];

/** The text of a file that keyword search sees: name, folders, descriptions, other metadata. */
export function ftsDocument(filePath: string, libraryFolder: string, meta: FileMeta | null): FtsDocument {
  const base = path.basename(filePath, path.extname(filePath));
  const rel = path.relative(libraryFolder, path.dirname(filePath));
  const folders = [path.basename(libraryFolder), ...rel.split(path.sep).filter((s) => s && s !== '..')];
  const description: string[] = [];
  const metadata: string[] = [];
  if (meta) {
    if (meta.bext?.description) description.push(meta.bext.description);
    for (const [key, value] of Object.entries(meta.info)) {
      (DESCRIPTION_KEYS.includes(key) ? description : metadata).push(value);
    }
    if (meta.bext) metadata.push(meta.bext.originator, meta.bext.originatorReference);
    flattenStrings(meta.ixml, metadata);
    for (const cue of meta.cues) if (cue.label) metadata.push(cue.label);
  }
  return {
    name: `${base} ${splitWords(base)}`,
    folder: folders.map((f) => `${f} ${splitWords(f)}`).join(' '),
    description: description.filter(Boolean).join(' \n '),
    metadata: metadata.filter(Boolean).join(' \n '),
  };
}

/** Query words as an FTS5 expression: any word may match, the last one as a prefix (typing). */
export function ftsQuery(text: string): string | null {
  const words = splitWords(text)
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu);
  if (!words?.length) return null;
  const unique = [...new Set(words)];
  return unique.map((w, i) => `"${w}"${i === unique.length - 1 ? '*' : ''}`).join(' OR ');
}
