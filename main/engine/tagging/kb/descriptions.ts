/**
 * Which of a file's own texts describes its sound, for the knowledge base. One caption per file,
 * the first descriptive one in this order: iXML USER DESCRIPTION, the bext description, a comment
 * (Vorbis/ID3/RIFF), iXML FXNAME or ASWG fxName, a UCS file name's FXName, a title.
 *
 * Real files carry much text that is not a description (corpus/README: field recorders keep
 * `sSCENE=… sTAKE=…` in the bext description, encoders write "Processed by SoX", tools leave
 * "Comments"); such text is skipped here rather than left to refinement, since a model cannot
 * judge production data.
 */
import path from 'node:path';
import type { FileMeta } from '../../audio/types';
import { splitWords } from '../../library/keywords';
import type { PairSource } from './types';
import { ucsFxName } from './ucs-name';

export interface FileDescription {
  caption: string;
  source: PairSource;
}

const PLACEHOLDER = /^(comments?|descriptions?|notes?|untitled|none|n\/?a|no (comment|description)|test|title|track ?\d*)$/i;
const BOILERPLATE = /^(processed|encoded|created|generated|recorded|edited|made|converted|exported|rendered) (by|with|in|using)\b/i;
const PRODUCTION_LINE = /^\s*[A-Za-z]{0,2}[A-Z0-9_]+\s*=/;
const MAX_CHARS = 1000;

/** The text as one trimmed line, or null when it is not a description of a sound. */
export function descriptiveText(text: unknown, fileBase: string): string | null {
  if (typeof text !== 'string') return null;
  const lines = text.split(/[\r\n]+/).map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return null;
  if (lines.filter((l) => PRODUCTION_LINE.test(l)).length * 2 >= lines.length) return null;
  const one = lines.join(' ').replace(/\s+/g, ' ').trim();
  if (one.length < 3 || PLACEHOLDER.test(one) || BOILERPLATE.test(one)) return null;
  if (!/\p{L}{3,}/u.test(one)) return null;
  // A title that only repeats the file name says nothing the name does not.
  const norm = (s: string) => splitWords(s).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  if (norm(one) === norm(fileBase)) return null;
  return one.length > MAX_CHARS ? one.slice(0, MAX_CHARS) : one;
}

const field = (obj: unknown, key: string): unknown => {
  if (!obj || typeof obj !== 'object') return undefined;
  const v = (obj as Record<string, unknown>)[key];
  return Array.isArray(v) ? v[0] : v;
};

export function fileDescription(filePath: string, meta: FileMeta | null, isCatId: (id: string) => boolean): FileDescription | null {
  const base = path.basename(filePath, path.extname(filePath));
  const info = meta?.info ?? {};
  const user = field(meta?.ixml, 'USER');
  const aswg = field(meta?.ixml, 'ASWG');
  const candidates: [PairSource, unknown][] = [
    ['ixml-description', field(user, 'DESCRIPTION')],
    ['bext', meta?.bext?.description],
    ['comment', info.DESCRIPTION],
    ['comment', info.COMMENT],
    ['comment', info.ICMT],
    ['fxname', field(user, 'FXNAME')],
    ['fxname', field(aswg, 'fxName')],
    ['ucs-name', ucsFxName(base, isCatId)],
    ['title', field(user, 'TRACKTITLE')],
    ['title', info.TITLE],
    ['title', info.INAM],
  ];
  for (const [source, text] of candidates) {
    const caption = descriptiveText(text, source === 'ucs-name' ? '' : base);
    if (caption) return { caption, source };
  }
  return null;
}
