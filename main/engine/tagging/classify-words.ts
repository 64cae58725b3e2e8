/**
 * Evidence from a file's own words: its name, the folders below its library folder, and metadata
 * text (iXML, INFO/Vorbis fields, bext originator), matched against each CatID's UCS Category,
 * SubCategory and synonyms. A word that names many CatIDs ("long", "metal") says little about any
 * one of them, so each match counts 1/√(CatIDs the word names), like an inverse document frequency.
 */
import path from 'node:path';
import type { FileMeta } from '../audio/types';
import { splitWords } from '../library/keywords';
import type { UcsCatalogue } from '../ucs/catalogue';

/** Words of recorders, editors and libraries that say nothing about the sound. */
const STOP = new Set([
  'the', 'and', 'with', 'for', 'from', 'sfx', 'fx', 'sound', 'sounds', 'audio', 'take', 'takes', 'track', 'file',
  'wav', 'mix', 'stereo', 'mono', 'final', 'new', 'copy', 'edit', 'version', 'untitled', 'misc', 'miscellaneous',
  'general', 'various', 'scene', 'tape', 'note', 'bwf', 'ixml', 'user',
]);

/** Lower-case words of at least 3 letters, plural 's' dropped so "Rumbles" meets "rumble". */
export function evidenceWords(text: string): string[] {
  const out: string[] = [];
  for (const w of splitWords(text).toLowerCase().match(/\p{L}+/gu) ?? []) {
    if (w.length < 3 || STOP.has(w)) continue;
    out.push(stem(w));
  }
  return out;
}

function stem(w: string): string {
  if (w.length > 4 && w.endsWith('es') && /(sh|ch|ss|x)es$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/** Index from evidence word to the CatIDs (positions in the list) it names. */
export class UcsWordIndex {
  private readonly byWord = new Map<string, number[]>();

  constructor(readonly ucs: UcsCatalogue) {
    ucs.categories.forEach((c, i) => {
      const words = new Set(evidenceWords([c.category, c.subCategory, ...c.synonyms].join(' ')));
      for (const w of words) {
        let list = this.byWord.get(w);
        if (!list) this.byWord.set(w, (list = []));
        list.push(i);
      }
    });
  }

  /**
   * Per CatID position: the word score (Σ 1/√(CatIDs each matching word names)) and the words that
   * matched. Only positions with a match are present.
   */
  score(words: Iterable<string>): Map<number, { score: number; words: string[] }> {
    const out = new Map<number, { score: number; words: string[] }>();
    for (const w of new Set(words)) {
      const cats = this.byWord.get(w);
      if (!cats) continue;
      const weight = 1 / Math.sqrt(cats.length);
      for (const i of cats) {
        const e = out.get(i) ?? { score: 0, words: [] };
        e.score += weight;
        e.words.push(w);
        out.set(i, e);
      }
    }
    return out;
  }
}

function flatten(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) flatten(v, out);
}

/** The file's words: name, folders below the library folder, metadata text. */
export function fileWords(filePath: string, libraryFolder: string | null, meta: FileMeta | null): string[] {
  const base = path.basename(filePath, path.extname(filePath));
  const rel = libraryFolder ? path.relative(libraryFolder, path.dirname(filePath)) : '';
  const folders = rel.split(path.sep).filter((s) => s && s !== '..');
  const texts = [base, ...folders];
  if (meta) {
    flatten(meta.ixml, texts);
    for (const v of Object.values(meta.info)) texts.push(v);
  }
  return evidenceWords(texts.join(' '));
}
