/**
 * A CatID a file already carries: in its UCS file name (`CatID(-UserCategory)_FXName_CreatorID_SourceID…`),
 * in iXML USER CATID, or in ASWG catId. Only CatIDs the UCS list knows count, so "Take_0412_A_B"
 * is not read as one.
 */
import path from 'node:path';
import type { FileMeta } from '../audio/types';
import type { UcsCatalogue } from './catalogue';

export type CarriedFrom = 'ucs-name' | 'ixml' | 'aswg';

const field = (obj: unknown, key: string): unknown => {
  if (!obj || typeof obj !== 'object') return undefined;
  const v = (obj as Record<string, unknown>)[key];
  return Array.isArray(v) ? v[0] : v;
};

/** The CatID of a UCS file name (base name, no extension), canonical casing, or null. */
export function ucsNameCatId(baseName: string, ucs: UcsCatalogue): string | null {
  const blocks = baseName.split('_');
  if (blocks.length < 4) return null;
  return ucs.lookup(blocks[0].split('-')[0])?.catId ?? null;
}

export function carriedCatId(filePath: string, meta: FileMeta | null, ucs: UcsCatalogue): { catId: string; from: CarriedFrom } | null {
  const user = field(meta?.ixml, 'USER');
  const aswg = field(meta?.ixml, 'ASWG');
  for (const [from, value] of [
    ['ixml', field(user, 'CATID')],
    ['aswg', field(aswg, 'catId')],
  ] as const) {
    if (typeof value === 'string' && value.trim()) {
      const found = ucs.lookup(value);
      if (found) return { catId: found.catId, from };
    }
  }
  const fromName = ucsNameCatId(path.basename(filePath, path.extname(filePath)), ucs);
  return fromName ? { catId: fromName, from: 'ucs-name' } : null;
}
