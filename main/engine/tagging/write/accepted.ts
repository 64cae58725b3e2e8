import path from 'node:path';
import type { Db } from '../../db/open';
import { loadUcsCatalogue } from '../../ucs/catalogue';
import type { TagValues } from './types';

/** A library file with an accepted (or edited) tag to write. */
export interface AcceptedTag {
  fileId: number;
  path: string;
  realPath: string;
  folderPath: string;
  values: TagValues;
}

interface Row {
  id: number;
  path: string;
  real_path: string;
  folder: string;
  caption: string | null;
  cat_id: string | null;
  keywords: string;
  source: string | null;
}

/** UCS FXName is a short title (the UCS file-name rules suggest about 25 characters): the caption's first words. */
export function fxNameFrom(caption: string | null): string | null {
  const text = (caption ?? '').trim().replace(/[.!?]+$/, '');
  if (!text) return null;
  if (text.length <= 25) return text;
  const cut = text.slice(0, 26).lastIndexOf(' ');
  return (cut > 0 ? text.slice(0, cut) : text.slice(0, 25)).replace(/[,;:]+$/, '');
}

function parseKeywords(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The library files named (each path a file or a folder, matched by its path as indexed or its
 * resolved path) with what to write for each: rows of the `tags` table with source accepted or
 * edited. Named paths with no library file, and files with no accepted tag, come back as skipped.
 */
export async function acceptedTags(db: Db, paths: string[]): Promise<{ tags: AcceptedTag[]; skipped: { path: string; reason: string }[] }> {
  const ucs = await loadUcsCatalogue();
  const select = `SELECT f.id, f.path, f.real_path, d.path AS folder, t.caption, t.cat_id, t.keywords, t.source
      FROM files f JOIN folders d ON d.id = f.folder_id LEFT JOIN tags t ON t.file_id = f.id`;
  const exact = db.prepare(`${select} WHERE f.path = ? OR f.real_path = ?`);
  const under = db.prepare(`${select} WHERE substr(f.path, 1, ?) = ? OR substr(f.real_path, 1, ?) = ? ORDER BY f.path`);
  const seen = new Set<number>();
  const tags: AcceptedTag[] = [];
  const skipped: { path: string; reason: string }[] = [];
  for (const given of paths) {
    const abs = path.resolve(given);
    const prefix = abs.endsWith(path.sep) ? abs : abs + path.sep;
    let rows = exact.all(abs, abs) as Row[];
    if (!rows.length) rows = under.all(prefix.length, prefix, prefix.length, prefix) as Row[];
    if (!rows.length) {
      skipped.push({ path: given, reason: 'Not in the library: index it first (cuebank index)' });
      continue;
    }
    for (const r of rows) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      if (r.source !== 'accepted' && r.source !== 'edited') {
        skipped.push({ path: r.path, reason: r.source ? `Its tag is ${r.source}, not accepted` : 'No accepted tag' });
        continue;
      }
      const cat = r.cat_id ? ucs.lookup(r.cat_id) : undefined;
      tags.push({
        fileId: r.id,
        path: r.path,
        realPath: r.real_path,
        folderPath: r.folder,
        values: {
          caption: r.caption,
          catId: cat?.catId ?? r.cat_id,
          category: cat?.category ?? null,
          subCategory: cat?.subCategory ?? null,
          fxName: fxNameFrom(r.caption),
          keywords: parseKeywords(r.keywords),
        },
      });
    }
  }
  return { tags, skipped };
}
