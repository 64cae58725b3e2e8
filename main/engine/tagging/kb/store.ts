/** Typed statements over the knowledge-base tables (migration 008). Callers own the transactions. */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/open';
import { KEPT_SQL, keptParams, type PairMeasure, type RefineThresholds } from './refine';
import type { PairSource } from './types';

export interface PairRow {
  file_id: number;
  caption: string;
  source: PairSource;
  fingerprint: string;
}


/** Verdicts that still apply: made for the pair's current caption and audio. */
const CURRENT = `r.file_id = p.file_id AND r.space = ? AND r.caption = p.caption AND r.fingerprint = p.fingerprint`;

export class KbStore {
  /** Statements prepared once: refresh runs some of them once per pair. */
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  private prepare(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  pairs(): PairRow[] {
    return this.prepare(`SELECT file_id, caption, source, fingerprint FROM kb_pairs ORDER BY file_id`).all() as PairRow[];
  }

  pair(fileId: number): PairRow | undefined {
    return this.prepare(`SELECT file_id, caption, source, fingerprint FROM kb_pairs WHERE file_id = ?`).get(fileId) as PairRow | undefined;
  }

  upsertPair(p: PairRow): void {
    this
      .prepare(
        `INSERT INTO kb_pairs (file_id, caption, source, fingerprint, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(file_id) DO UPDATE SET caption = excluded.caption, source = excluded.source,
           fingerprint = excluded.fingerprint, updated_at = excluded.updated_at
         WHERE kb_pairs.caption IS NOT excluded.caption OR kb_pairs.source IS NOT excluded.source
           OR kb_pairs.fingerprint IS NOT excluded.fingerprint`,
      )
      .run(p.file_id, p.caption, p.source, p.fingerprint, Date.now());
  }

  deletePairs(fileIds: readonly number[]): void {
    const del = this.prepare(`DELETE FROM kb_pairs WHERE file_id = ?`);
    for (const id of fileIds) del.run(id);
  }

  /** Caption vectors whose pair is gone or whose caption changed: (space, file id) to remove. */
  staleCaptionVectors(): { file_id: number; space: string }[] {
    return this
      .prepare(
        `SELECT v.file_id, v.space FROM kb_caption_vectors v LEFT JOIN kb_pairs p ON p.file_id = v.file_id
          WHERE p.file_id IS NULL OR p.caption IS NOT v.caption`,
      )
      .all() as { file_id: number; space: string }[];
  }

  forgetCaptionVector(fileId: number, space: string): void {
    this.prepare(`DELETE FROM kb_caption_vectors WHERE file_id = ? AND space = ?`).run(fileId, space);
  }

  /** Pairs whose caption has no vector in the space yet. */
  unembedded(space: string): PairRow[] {
    return this
      .prepare(
        `SELECT p.file_id, p.caption, p.source, p.fingerprint FROM kb_pairs p
          WHERE NOT EXISTS (SELECT 1 FROM kb_caption_vectors v WHERE v.file_id = p.file_id AND v.space = ? AND v.caption = p.caption)
          ORDER BY p.file_id`,
      )
      .all(space) as PairRow[];
  }

  markEmbedded(fileId: number, space: string, caption: string): void {
    this
      .prepare(`INSERT INTO kb_caption_vectors (file_id, space, caption) VALUES (?, ?, ?) ON CONFLICT(file_id, space) DO UPDATE SET caption = excluded.caption`)
      .run(fileId, space, caption);
  }

  setMeasure(space: string, pair: PairRow, m: PairMeasure): void {
    this
      .prepare(
        `INSERT INTO kb_refinement (file_id, space, agreement, empty_similarity, fingerprint, caption) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(file_id, space) DO UPDATE SET agreement = excluded.agreement, empty_similarity = excluded.empty_similarity,
           fingerprint = excluded.fingerprint, caption = excluded.caption`,
      )
      .run(pair.file_id, space, m.agreement, m.emptySimilarity, pair.fingerprint, pair.caption);
  }

  /** Pairs with no measure for their current caption and audio in the space. */
  unmeasured(space: string): PairRow[] {
    return this
      .prepare(
        `SELECT p.file_id, p.caption, p.source, p.fingerprint FROM kb_pairs p
          WHERE NOT EXISTS (SELECT 1 FROM kb_refinement r WHERE ${CURRENT}) ORDER BY p.file_id`,
      )
      .all(space) as PairRow[];
  }

  /** The refined pairs (current measure passes the thresholds) with their file paths. */
  keptPairs(space: string, s: RefineThresholds): { file_id: number; path: string; caption: string }[] {
    return this
      .prepare(
        `SELECT p.file_id, f.path, p.caption FROM kb_pairs p JOIN kb_refinement r ON ${CURRENT} JOIN files f ON f.id = p.file_id
          WHERE ${KEPT_SQL} AND f.status = 'ok' ORDER BY p.file_id`,
      )
      .all(space, ...keptParams(s)) as { file_id: number; path: string; caption: string }[];
  }

  measure(space: string, fileId: number): PairMeasure | undefined {
    const r = this
      .prepare(`SELECT r.agreement, r.empty_similarity FROM kb_pairs p JOIN kb_refinement r ON ${CURRENT} WHERE p.file_id = ?`)
      .get(space, fileId) as { agreement: number | null; empty_similarity: number } | undefined;
    return r && { agreement: r.agreement, emptySimilarity: r.empty_similarity };
  }

  counts(space: string, s: RefineThresholds): { pairs: number; refined: number; excluded: number; bySource: Record<string, number> } {
    const c = this
      .prepare(
        `SELECT COUNT(*) AS pairs, COALESCE(SUM(r.file_id IS NOT NULL AND ${KEPT_SQL}), 0) AS refined,
                COALESCE(SUM(r.file_id IS NOT NULL AND NOT ${KEPT_SQL}), 0) AS excluded
           FROM kb_pairs p LEFT JOIN kb_refinement r ON ${CURRENT}`,
      )
      .get(...keptParams(s), ...keptParams(s), space) as { pairs: number; refined: number; excluded: number };
    const bySource: Record<string, number> = {};
    for (const r of this.prepare(`SELECT source, COUNT(*) AS n FROM kb_pairs GROUP BY source ORDER BY source`).all() as { source: string; n: number }[]) {
      bySource[r.source] = r.n;
    }
    return { ...c, bySource };
  }
}
