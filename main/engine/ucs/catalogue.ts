import { CuebankError } from '../errors';

/** One subcategory of the Universal Category System (UCS 8.2.1, resources/ucs/, CC0). */
export interface UcsCategory {
  catId: string;
  category: string;
  subCategory: string;
  catShort: string;
  explanation: string;
  synonyms: string[];
}

interface RawEntry {
  Category: string;
  SubCategory: string;
  CatID: string;
  CatShort: string;
  Explanations?: string;
  Synonyms?: string[];
}

/** The shipped UCS list with lookups; loaded once, on first use (the JSON is ~430 KB). */
export class UcsCatalogue {
  private readonly byLowerId = new Map<string, UcsCategory>();

  constructor(readonly version: string, readonly categories: readonly UcsCategory[]) {
    for (const c of categories) this.byLowerId.set(c.catId.toLowerCase(), c);
  }

  /** The category of a CatID; CatIDs match case-insensitively ("doorwood" finds DOORWood). */
  lookup(catId: string): UcsCategory | undefined {
    return this.byLowerId.get(catId.trim().toLowerCase());
  }

  /** The category of a CatID, or an invalid_input error naming the closest CatIDs. */
  require(catId: string): UcsCategory {
    const found = this.lookup(catId);
    if (found) return found;
    const close = this.closeMatches(catId, 5).map((c) => `${c.catId} (${c.category} / ${c.subCategory})`);
    throw new CuebankError(
      'invalid_input',
      `Unknown UCS CatID "${catId}"${close.length ? `; close matches: ${close.join(', ')}` : ''}`,
    );
  }

  /**
   * CatIDs nearest to a misspelt one: edit distance on the CatID, and on "CATEGORY SUBCATEGORY" and
   * synonyms for words typed instead of an ID ("door wood", "whoosh").
   */
  closeMatches(query: string, limit: number): UcsCategory[] {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const words = q.split(/[\s_\-/]+/).filter(Boolean);
    const scored = this.categories.map((c) => {
      const id = c.catId.toLowerCase();
      let score = editDistance(q, id) / Math.max(q.length, id.length);
      if (id.startsWith(q) || q.startsWith(id)) score = Math.min(score, 0.2);
      const names = [c.category.toLowerCase(), c.subCategory.toLowerCase(), ...c.synonyms.map((s) => s.toLowerCase())];
      const hits = words.filter((w) => names.some((n) => n === w || (w.length > 3 && n.startsWith(w)))).length;
      if (hits) score = Math.min(score, 0.5 - 0.4 * (hits / words.length));
      return { c, score };
    });
    return scored
      .filter((s) => s.score < 0.6)
      .sort((a, b) => a.score - b.score || a.c.catId.localeCompare(b.c.catId))
      .slice(0, limit)
      .map((s) => s.c);
  }
}

let loaded: Promise<UcsCatalogue> | null = null;

/** The UCS list shipped in resources/ucs/ (bundled into the engine, so dev and packaged builds read the same). */
export function loadUcsCatalogue(): Promise<UcsCatalogue> {
  loaded ??= import('../../../resources/ucs/ucs-8.2.1-en.json').then((m) => {
    const raw = (m.default ?? m) as unknown as RawEntry[] & { version?: string }[];
    return catalogueFrom(raw as RawEntry[]);
  });
  return loaded;
}

export function catalogueFrom(raw: RawEntry[]): UcsCatalogue {
  const version = (raw[0] as { version?: string } | undefined)?.version ?? 'unknown';
  return new UcsCatalogue(
    version,
    raw.map((e) => ({
      catId: e.CatID,
      category: e.Category,
      subCategory: e.SubCategory,
      catShort: e.CatShort,
      explanation: e.Explanations ?? '',
      synonyms: e.Synonyms ?? [],
    })),
  );
}

/** Damerau-Levenshtein (optimal string alignment) distance. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
