/**
 * The pairs the library offers: every indexed file whose own metadata describes it, and every
 * accepted or edited caption (tags rows, migration 007), which wins over the file's own text
 * because the artist chose it.
 */
import type { FileMeta } from '../../audio/types';
import type { Db } from '../../db/open';
import { fileDescription } from './descriptions';
import type { PairRow, } from './store';
import type { PairSource } from './types';

function hasTable(db: Db, name: string): boolean {
  return !!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name);
}

/**
 * Accepted captions by file. The tags table belongs to the tagging migration (007); until it
 * exists there are none.
 */
export function acceptedCaptions(db: Db): Map<number, { caption: string; source: PairSource }> {
  const out = new Map<number, { caption: string; source: PairSource }>();
  if (!hasTable(db, 'tags')) return out;
  const rows = db
    .prepare(`SELECT file_id, caption, source FROM tags WHERE source IN ('accepted', 'edited') AND caption IS NOT NULL AND TRIM(caption) <> ''`)
    .all() as { file_id: number; caption: string; source: 'accepted' | 'edited' }[];
  for (const r of rows) out.set(r.file_id, { caption: r.caption.replace(/\s+/g, ' ').trim(), source: r.source });
  return out;
}

export function collectPairs(db: Db, isCatId: (id: string) => boolean, signal?: AbortSignal): Map<number, PairRow> {
  const accepted = acceptedCaptions(db);
  const out = new Map<number, PairRow>();
  const rows = db.prepare(`SELECT id, path, fingerprint, meta_json FROM files WHERE status = 'ok' ORDER BY id`).iterate() as Iterable<{
    id: number;
    path: string;
    fingerprint: string;
    meta_json: string | null;
  }>;
  let n = 0;
  for (const r of rows) {
    if (++n % 4096 === 0) signal?.throwIfAborted();
    const chosen = accepted.get(r.id);
    if (chosen) {
      out.set(r.id, { file_id: r.id, caption: chosen.caption, source: chosen.source, fingerprint: r.fingerprint });
      continue;
    }
    let meta: FileMeta | null = null;
    try {
      meta = r.meta_json ? (JSON.parse(r.meta_json) as FileMeta) : null;
    } catch {
      meta = null; // unreadable stored metadata: the file name may still describe it
    }
    const d = fileDescription(r.path, meta, isCatId);
    if (d) out.set(r.id, { file_id: r.id, caption: d.caption, source: d.source, fingerprint: r.fingerprint });
  }
  return out;
}
