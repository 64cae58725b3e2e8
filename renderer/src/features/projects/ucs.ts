import type { ProjectItem, UcsCategoryValue } from '../../../../preload/contract';

/** CatIDs match case-insensitively, as the engine does ("doorwood" is DOORWood). */
export function findCategory(categories: readonly UcsCategoryValue[], catId: string): UcsCategoryValue | null {
  const q = catId.trim().toLowerCase();
  if (!q) return null;
  return categories.find((c) => c.catId.toLowerCase() === q) ?? null;
}

/**
 * Categories for the picker's query: every word must match the CatID, the category, the
 * subcategory, the short name or a synonym (prefix match); ranked CatID first, then names, then
 * synonyms, then the explanation. An empty query lists nothing (752 entries help no one).
 */
export function searchCategories(categories: readonly UcsCategoryValue[], query: string, limit = 40): UcsCategoryValue[] {
  const words = query.trim().toLowerCase().split(/[\s_/,-]+/).filter(Boolean);
  if (!words.length) return [];
  const whole = query.trim().toLowerCase();
  const scored: { c: UcsCategoryValue; score: number }[] = [];
  for (const c of categories) {
    const id = c.catId.toLowerCase();
    const names = [...c.category.toLowerCase().split(/[\s&/-]+/), ...c.subCategory.toLowerCase().split(/[\s&/-]+/), c.catShort.toLowerCase()];
    const synonyms = c.synonyms.map((s) => s.toLowerCase());
    const explanation = c.explanation.toLowerCase();
    let score = 0;
    let all = true;
    for (const w of words) {
      if (id === w) score += 0;
      else if (id.startsWith(w)) score += 1;
      else if (names.some((n) => n.startsWith(w))) score += 2;
      else if (synonyms.some((s) => s.startsWith(w))) score += 3;
      else if (w.length > 2 && explanation.includes(w)) score += 5;
      else {
        all = false;
        break;
      }
    }
    if (!all) continue;
    if (id === whole) score = -1;
    scored.push({ c, score });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.c.category.localeCompare(b.c.category) || a.c.subCategory.localeCompare(b.c.subCategory))
    .slice(0, limit)
    .map((s) => s.c);
}

export type CheckLevel = 'error' | 'warn' | 'info';

export interface FieldCheck {
  field: 'catId' | 'fxName' | 'creatorId' | 'sourceId';
  level: CheckLevel;
  message: string;
}

/**
 * What the item's UCS fields lack, field by field. An unknown CatID is an error (the engine refuses
 * it); a missing FXName, CreatorID or SourceID is a warning (the export falls back to the item's
 * name, the project's defaults, or NONE).
 */
export function checkUcs(
  item: Pick<ProjectItem, 'name' | 'fxName' | 'creatorId' | 'sourceId'>,
  catIdText: string,
  categories: readonly UcsCategoryValue[],
  defaults: { creatorId: string | null; sourceId: string | null },
): FieldCheck[] {
  const out: FieldCheck[] = [];
  const catId = catIdText.trim();
  if (!catId) out.push({ field: 'catId', level: 'info', message: 'No CatID: the file is named after the item, not by UCS.' });
  else if (categories.length && !findCategory(categories, catId)) out.push({ field: 'catId', level: 'error', message: `Unknown CatID “${catId}”: not in the UCS list.` });
  if (!catId) return out;
  if (!item.fxName?.trim()) out.push({ field: 'fxName', level: 'warn', message: `FXName missing: the item's name “${item.name}” is used.` });
  if (!item.creatorId?.trim()) {
    out.push({
      field: 'creatorId',
      level: 'warn',
      message: defaults.creatorId ? `CreatorID missing: the project's “${defaults.creatorId}” is used.` : 'CreatorID missing: the name says NONE.',
    });
  }
  if (!item.sourceId?.trim()) {
    out.push({
      field: 'sourceId',
      level: 'warn',
      message: defaults.sourceId ? `SourceID missing: the project's “${defaults.sourceId}” is used.` : 'SourceID missing: the name says NONE.',
    });
  }
  return out;
}
