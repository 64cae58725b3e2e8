import type { UcsCategory } from './catalogue';

/** Subcategories that only say "the rest of the category". */
const GENERIC_SUB = new Set(['GENERAL', 'MISC']);

/**
 * A CatID as a short phrase in plain words, the category caption when nothing better is known:
 * "weather thunder", "designed rumble"; a GENERAL or MISC subcategory is just its category ("beeps").
 */
export function ucsLabelPhrase(c: UcsCategory): string {
  const sub = GENERIC_SUB.has(c.subCategory.toUpperCase()) ? '' : c.subCategory;
  return `${c.category} ${sub}`.toLowerCase().replace(/\s+/g, ' ').trim();
}
