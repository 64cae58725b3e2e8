/**
 * The tags table (migration 007): one current tag per file, every change also appended to
 * tag_history, and the tag's words (caption, keywords, CatID, category names) kept in the
 * files_fts `tags` column in the same transaction, so an accepted tag is searchable at once.
 * A rejected tag has no words in the index.
 */
import path from 'node:path';
import type {
  CatScore,
  TagEvidence,
  TagFilter,
  TagHistoryEntry,
  TagRoute,
  TagRow,
  TagSource,
} from '../../../preload/contract/tagging';
import type { Db } from '../db/open';
import { CuebankError } from '../errors';
import type { UcsCatalogue } from '../ucs/catalogue';

/** What a tag job or an edit writes. */
export interface TagWrite {
  caption: string | null;
  catId: string | null;
  alternatives: CatScore[];
  confidence: number | null;
  keywords: string[];
  source: TagSource;
  route: TagRoute | null;
  evidence: TagEvidence[];
  pack: string | null;
  fingerprint: string | null;
}

interface RawRow {
  file_id: number;
  path: string;
  name: string;
  duration: number | null;
  file_fingerprint: string;
  caption: string | null;
  cat_id: string | null;
  alternatives: string | null;
  confidence: number | null;
  keywords: string | null;
  source: TagSource | null;
  route: TagRoute | null;
  evidence: string | null;
  pack: string | null;
  fingerprint: string | null;
  updated_at: number | null;
  kb_caption: string | null;
}

/** SQL condition per review filter (t: tags, left-joined). */
const FILTER_SQL: Record<TagFilter, string> = {
  untagged: `(t.file_id IS NULL OR t.source = 'rejected')`,
  suggested: `t.source = 'suggested'`,
  accepted: `t.source IN ('accepted', 'edited', 'file')`,
};

const SELECT = `SELECT f.id AS file_id, f.path, f.name, f.duration, f.fingerprint AS file_fingerprint,
    t.caption, t.cat_id, t.alternatives, t.confidence, t.keywords, t.source, t.route, t.evidence, t.pack,
    t.fingerprint, t.updated_at, k.caption AS kb_caption
  FROM files f LEFT JOIN tags t ON t.file_id = f.id LEFT JOIN kb_pairs k ON k.file_id = f.id`;

const parse = <T>(json: string | null, fallback: T): T => {
  if (!json) return fallback;
  try {
    return JSON.parse(json) as T;
  } catch {
    return fallback;
  }
};

/** `f.path` under a folder (prefix range on the path index, as search does). */
function underFolder(folder: string | undefined): { sql: string; params: string[] } {
  if (!folder) return { sql: '', params: [] };
  const dir = path.resolve(folder);
  return { sql: ` AND (f.path >= ? AND f.path < ?)`, params: [dir + path.sep, dir + String.fromCharCode(path.sep.charCodeAt(0) + 1)] };
}

export class TagStore {
  constructor(
    private readonly db: Db,
    private readonly ucs: UcsCatalogue,
  ) {}

  private toRow(r: RawRow): TagRow {
    const cat = r.cat_id ? this.ucs.lookup(r.cat_id) : undefined;
    const hasTag = r.source !== null;
    return {
      fileId: r.file_id,
      path: r.path,
      name: r.name,
      duration: r.duration,
      // kb_pairs holds the file's own description (or an accepted caption, which is the tag itself).
      description: r.kb_caption && r.kb_caption !== r.caption ? r.kb_caption : null,
      caption: r.caption,
      catId: r.cat_id,
      category: cat?.category ?? null,
      subCategory: cat?.subCategory ?? null,
      confidence: r.confidence,
      alternatives: parse<CatScore[]>(r.alternatives, []),
      keywords: parse<string[]>(r.keywords, []),
      source: r.source,
      route: r.route,
      evidence: parse<TagEvidence[]>(r.evidence, []),
      pack: r.pack,
      stale: hasTag && r.source !== 'file' && r.fingerprint !== null && r.fingerprint !== r.file_fingerprint,
      updatedAt: r.updated_at,
    };
  }

  list(q: { filter: TagFilter; folder?: string; catIds?: string[]; limit: number; offset: number }): {
    rows: TagRow[];
    total: number;
    counts: Record<TagFilter, number>;
  } {
    const where = underFolder(q.folder);
    const cats = q.catIds?.length ? ` AND t.cat_id IN (SELECT value FROM json_each(?))` : '';
    const catParams = q.catIds?.length ? [JSON.stringify(q.catIds.map((c) => this.ucs.lookup(c)?.catId ?? c))] : [];
    const base = `WHERE f.status = 'ok' AND ${FILTER_SQL[q.filter]}${where.sql}${cats}`;
    const rows = this.db
      .prepare(`${SELECT} ${base} ORDER BY t.confidence DESC NULLS LAST, f.path LIMIT ? OFFSET ?`)
      .all(...where.params, ...catParams, q.limit, q.offset) as RawRow[];
    const total = (
      this.db
        .prepare(`SELECT COUNT(*) AS n FROM files f LEFT JOIN tags t ON t.file_id = f.id ${base}`)
        .get(...where.params, ...catParams) as { n: number }
    ).n;
    const counts = { untagged: 0, suggested: 0, accepted: 0 };
    for (const filter of Object.keys(counts) as TagFilter[]) {
      counts[filter] = (
        this.db
          .prepare(`SELECT COUNT(*) AS n FROM files f LEFT JOIN tags t ON t.file_id = f.id WHERE f.status = 'ok' AND ${FILTER_SQL[filter]}${where.sql}`)
          .get(...where.params) as { n: number }
      ).n;
    }
    return { rows: rows.map((r) => this.toRow(r)), total, counts };
  }

  get(fileId: number): TagRow {
    const r = this.db.prepare(`${SELECT} WHERE f.id = ?`).get(fileId) as RawRow | undefined;
    if (!r) throw new CuebankError('not_found', `No library file with id ${fileId}`);
    return this.toRow(r);
  }

  history(fileId: number): TagHistoryEntry[] {
    const rows = this.db
      .prepare(`SELECT caption, cat_id, keywords, source, at FROM tag_history WHERE file_id = ? ORDER BY id`)
      .all(fileId) as { caption: string | null; cat_id: string | null; keywords: string | null; source: TagSource; at: number }[];
    return rows.map((h) => ({ caption: h.caption, catId: h.cat_id, keywords: parse<string[]>(h.keywords, []), source: h.source, at: h.at }));
  }

  /** Library file ids of the given paths and ids; an unknown one is a not_found error naming it. */
  resolve(sel: { paths?: string[]; fileIds?: number[] }): number[] {
    const ids = new Set<number>();
    const byPath = this.db.prepare(`SELECT id FROM files WHERE path = ? OR real_path = ?`);
    for (const p of sel.paths ?? []) {
      const abs = path.resolve(p);
      const row = byPath.get(abs, abs) as { id: number } | undefined;
      if (!row) throw new CuebankError('not_found', `Not a library file (index its folder first): ${p}`);
      ids.add(row.id);
    }
    const exists = this.db.prepare(`SELECT 1 FROM files WHERE id = ?`);
    for (const id of sel.fileIds ?? []) {
      if (!exists.get(id)) throw new CuebankError('not_found', `No library file with id ${id}`);
      ids.add(id);
    }
    return [...ids];
  }

  /** Writes a file's tag, its history entry and its index words, in one transaction. */
  write(fileId: number, w: TagWrite, at = Date.now()): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO tags (file_id, caption, cat_id, alternatives, confidence, keywords, source, route, evidence, pack, fingerprint, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(file_id) DO UPDATE SET caption = excluded.caption, cat_id = excluded.cat_id,
             alternatives = excluded.alternatives, confidence = excluded.confidence, keywords = excluded.keywords,
             source = excluded.source, route = excluded.route, evidence = excluded.evidence, pack = excluded.pack,
             fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
        )
        .run(
          fileId,
          w.caption,
          w.catId,
          JSON.stringify(w.alternatives),
          w.confidence,
          JSON.stringify(w.keywords),
          w.source,
          w.route,
          JSON.stringify(w.evidence),
          w.pack,
          w.fingerprint,
          at,
        );
      this.db
        .prepare(`INSERT INTO tag_history (file_id, caption, cat_id, keywords, source, at) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(fileId, w.caption, w.catId, JSON.stringify(w.keywords), w.source, at);
      this.syncWords(fileId, w.source === 'rejected' ? null : w);
    })();
  }

  /** Changes only the source of the files' tags that currently have one of `from`; returns the changed ids. */
  changeSource(fileIds: number[], from: TagSource[], to: TagSource): number[] {
    const changed: number[] = [];
    this.db.transaction(() => {
      for (const id of fileIds) {
        const row = this.current(id);
        if (!row || !from.includes(row.source)) continue;
        this.write(id, { ...row, source: to });
        changed.push(id);
      }
    })();
    return changed;
  }

  /** Suggested files under `folder` whose confidence is at least `min`. */
  suggestedAbove(min: number, folder?: string): number[] {
    const where = underFolder(folder);
    return (
      this.db
        .prepare(`SELECT t.file_id AS id FROM tags t JOIN files f ON f.id = t.file_id WHERE t.source = 'suggested' AND t.confidence >= ?${where.sql}`)
        .all(min, ...where.params) as { id: number }[]
    ).map((r) => r.id);
  }

  /** The stored tag of a file as a TagWrite, or null. */
  current(fileId: number): TagWrite | null {
    const r = this.db.prepare(`SELECT * FROM tags WHERE file_id = ?`).get(fileId) as
      | { caption: string | null; cat_id: string | null; alternatives: string; confidence: number | null; keywords: string; source: TagSource; route: TagRoute | null; evidence: string; pack: string | null; fingerprint: string | null }
      | undefined;
    if (!r) return null;
    return {
      caption: r.caption,
      catId: r.cat_id,
      alternatives: parse<CatScore[]>(r.alternatives, []),
      confidence: r.confidence,
      keywords: parse<string[]>(r.keywords, []),
      source: r.source,
      route: r.route,
      evidence: parse<TagEvidence[]>(r.evidence, []),
      pack: r.pack,
      fingerprint: r.fingerprint,
    };
  }

  /** The words keyword search sees for a tag: caption, keywords, CatID, category and subcategory names. */
  private syncWords(fileId: number, w: TagWrite | null): void {
    const cat = w?.catId ? this.ucs.lookup(w.catId) : undefined;
    const words = w ? [w.caption ?? '', w.keywords.join(' '), w.catId ?? '', cat?.category ?? '', cat?.subCategory ?? ''].filter(Boolean).join(' \n ') : null;
    this.db.prepare(`UPDATE files_fts SET tags = ? WHERE rowid = ?`).run(words || null, fileId);
  }
}
