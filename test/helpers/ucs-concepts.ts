import fs from 'node:fs';
import { CONCEPTS, type ConceptId } from '../fixtures/semantics';

interface UcsEntry {
  CatID: string;
  Category: string;
  SubCategory: string;
}

// Read by URL, not through helpers/cli's repoRoot: the benchmarks (plain ESM under tsx) use this too.
const ucs = JSON.parse(fs.readFileSync(new URL('../../resources/ucs/ucs-8.2.1-en.json', import.meta.url), 'utf8')) as UcsEntry[];

/** Words of a UCS name, singular ("WHISTLES" -> whistle, "SWOOSHES" -> swoosh, "HISS" stays). */
const nameWords = (text: string) =>
  (text.toLowerCase().match(/[a-z]+/g) ?? []).map((w) =>
    w.endsWith('shes') || w.endsWith('sses') ? w.slice(0, -2) : w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w,
  );

/**
 * The UCS CatIDs that count as a fixture concept's, chosen from the UCS list by its own words: a
 * CatID whose Category or SubCategory names one of the concept's nouns (never from any output).
 */
export function countingCatIds(concept: ConceptId): Set<string> {
  const nouns = new Set(CONCEPTS.find((c) => c.id === concept)!.nouns);
  return new Set(ucs.filter((e) => [...nameWords(e.Category), ...nameWords(e.SubCategory)].some((w) => nouns.has(w))).map((e) => e.CatID));
}
