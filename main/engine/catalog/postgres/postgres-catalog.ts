/**
 * The team catalog: the library catalog on a studio's PostgreSQL (schema in migrations/, roles in
 * roles.ts). Writes rely on the schema's unique constraints and ON CONFLICT, so indexers working
 * at once never make two rows of one file; work is claimed with session advisory locks, which the
 * server drops with the connection of an indexer that dies. Vectors are written in one multi-row
 * INSERT per batch: every vector of the batch travels as one bytea parameter that the server cuts
 * with substring() (COPY FROM STDIN needs pg-copy-streams, which is not a dependency; measured in
 * BENCHMARKS.md, "Team library"). Vector search runs client-side over synced codes (code-index.ts).
 */
import path from 'node:path';
import type pg from 'pg';
import { CuebankError } from '../../errors';
import { splitWords } from '../../library/keywords';
import { signCode } from '../../library/vector-kernels';
import type { UcsCatalogue } from '../../ucs/catalogue';
import { loadUcsCatalogue } from '../../ucs/catalogue';
import {
  checkRelPath,
  type CatalogCounts,
  type CatalogFile,
  type CatalogFileInput,
  type CatalogFilters,
  type CatalogRoot,
  type CatalogTag,
  type CatalogWindow,
  type Claim,
  type KeywordHit,
  type LibraryCatalog,
  type VectorFileHit,
} from '../types';
import { fileFromColumns, type FileColumns } from '../file-row';
import { teamError } from './connect';
import type { TeamChange, TeamChangeFeed } from './change-feed';
import { TeamCodeIndex } from './code-index';
import { requireCurrentSchema } from './schema';

/** Keyword matches considered per query (as the local search's KEYWORD_LIMIT). */
const KEYWORD_SCAN = 2_000;

const FILE_COLUMNS = `id::float8 AS id, root_id, rel_path, name, size::float8 AS size, mtime_ms, fingerprint, status, error, codec,
  sample_rate, channels, bits_per_sample, frames::float8 AS frames, duration, meta_json, embed_space`;

interface PgFileRow extends FileColumns {
  root_id: number;
  rel_path: string;
}

function toFile(r: PgFileRow): CatalogFile {
  return fileFromColumns(r, r.root_id, r.rel_path);
}

/** Query words as a tsquery: any word may match, the last as a prefix (as keywords.ts ftsQuery). */
function tsQuery(text: string): string | null {
  const words = splitWords(text)
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu);
  if (!words?.length) return null;
  const unique = [...new Set(words)];
  return unique.map((w, i) => `'${w}'${i === unique.length - 1 ? ':*' : ''}`).join(' | ');
}

function filterSql(f: CatalogFilters, params: unknown[]): string {
  const parts: string[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (f.catIds?.length) parts.push(`f.id IN (SELECT file_id FROM tags WHERE source <> 'rejected' AND cat_id = ANY(${p(f.catIds)}::text[]))`);
  if (f.minDuration !== undefined) parts.push(`f.duration >= ${p(f.minDuration)}`);
  if (f.maxDuration !== undefined) parts.push(`f.duration <= ${p(f.maxDuration)}`);
  if (f.sampleRates?.length) parts.push(`f.sample_rate = ANY(${p(f.sampleRates)}::int[])`);
  if (f.channels?.length) parts.push(`f.channels = ANY(${p(f.channels)}::int[])`);
  return parts.map((x) => ` AND ${x}`).join('');
}

/** Two 32-bit keys of a file's advisory lock: the root and a hash of the relative path. */
function lockKey(relPath: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < relPath.length; i++) h = Math.imul(h ^ relPath.charCodeAt(i), 0x01000193);
  return h | 0;
}

export class PostgresCatalog implements LibraryCatalog {
  readonly kind = 'team' as const;
  private readonly codeIndexes = new Map<string, TeamCodeIndex>();
  private ucs: UcsCatalogue | null = null;
  /** Ids of the last upsertMany's files that existed before it (read right after, in the same transaction). */
  private lastExisting = new Set<number>();
  private feed: TeamChangeFeed | null = null;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {}

  /** Opens a catalog over a pool; refuses a database that is not a team library of this schema. */
  static async open(pool: pg.Pool, url: string): Promise<PostgresCatalog> {
    const catalog = new PostgresCatalog(pool, url);
    await catalog.run((c) => requireCurrentSchema(c));
    return catalog;
  }

  async addRoot(name: string, _localPath: string): Promise<CatalogRoot> {
    if (!name.trim() || /[=/\\]/.test(name)) throw new CuebankError('invalid_input', `A root name is a plain word (no = / \\): "${name}"`);
    return this.run(async (c) => {
      await c.query(`INSERT INTO roots (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);
      const r = await c.query(`SELECT r.id, r.name, (SELECT COUNT(*) FROM files f WHERE f.root_id = r.id)::int AS files FROM roots r WHERE r.name = $1`, [name]);
      return r.rows[0] as CatalogRoot;
    });
  }

  async roots(): Promise<CatalogRoot[]> {
    return this.run(async (c) => {
      const r = await c.query(
        `SELECT r.id, r.name, COUNT(f.id)::int AS files FROM roots r LEFT JOIN files f ON f.root_id = r.id GROUP BY r.id ORDER BY r.name`,
      );
      return r.rows as CatalogRoot[];
    });
  }

  async upsertFiles(rootId: number, files: CatalogFileInput[]): Promise<number[]> {
    return this.tx((c) => this.upsertMany(c, rootId, files));
  }

  async file(id: number): Promise<CatalogFile | null> {
    return this.run(async (c) => {
      const r = await c.query(`SELECT ${FILE_COLUMNS} FROM files WHERE id = $1`, [id]);
      return r.rows[0] ? toFile(r.rows[0] as PgFileRow) : null;
    });
  }

  async filesOfRoot(rootId: number): Promise<CatalogFile[]> {
    return this.run(async (c) => {
      const r = await c.query(`SELECT ${FILE_COLUMNS} FROM files WHERE root_id = $1 ORDER BY rel_path`, [rootId]);
      return (r.rows as PgFileRow[]).map(toFile);
    });
  }

  async fileByPath(rootId: number, relPath: string): Promise<CatalogFile | null> {
    return this.run(async (c) => {
      const r = await c.query(`SELECT ${FILE_COLUMNS} FROM files WHERE root_id = $1 AND rel_path = $2`, [rootId, checkRelPath(relPath)]);
      return r.rows[0] ? toFile(r.rows[0] as PgFileRow) : null;
    });
  }

  async removeFiles(ids: number[]): Promise<void> {
    if (!ids.length) return;
    await this.run((c) => c.query(`DELETE FROM files WHERE id = ANY($1::bigint[])`, [ids]));
  }

  /**
   * Session advisory locks on (root, path hash), taken without waiting on a connection held for
   * the claim: paths another indexer holds are left out. The server releases them if this process dies.
   */
  async claim(rootId: number, relPaths: string[]): Promise<Claim> {
    const client = await this.connect();
    try {
      const keys = relPaths.map(lockKey);
      const r = await client.query({
        text: `SELECT pg_try_advisory_lock($1::int, k) FROM unnest($2::int[]) WITH ORDINALITY AS t(k, i) ORDER BY i`,
        values: [rootId, keys],
        rowMode: 'array',
      });
      const got = (r.rows as [boolean][]).map(([b]) => b);
      const granted = relPaths.filter((_, i) => got[i]);
      const held = keys.filter((_, i) => got[i]);
      let released = false;
      return {
        granted,
        release: async () => {
          if (released) return;
          released = true;
          try {
            await client.query(`SELECT pg_advisory_unlock($1::int, k) FROM unnest($2::int[]) AS t(k)`, [rootId, held]);
            client.release();
          } catch (err) {
            // A connection that could not unlock is closed, which drops its locks on the server.
            client.release(err instanceof Error ? err : true);
            throw teamError(err, this.url);
          }
        },
      };
    } catch (err) {
      client.release();
      throw teamError(err, this.url);
    }
  }

  async putWindows(fileId: number, space: string, dim: number, windows: CatalogWindow[]): Promise<number[]> {
    return this.tx(async (c) => {
      await this.ensureSpace(c, space, dim);
      await c.query(`DELETE FROM windows WHERE file_id = $1 AND space = $2`, [fileId, space]);
      const ids = await this.insertWindows(c, space, dim, windows.map((w) => ({ fileId, ...w })));
      await c.query(`UPDATE files SET embed_space = $2 WHERE id = $1`, [fileId, space]);
      return ids;
    });
  }

  async writeBatch(rootId: number, space: string | null, dim: number, items: { file: CatalogFileInput; windows: CatalogWindow[] }[]): Promise<number[]> {
    if (!items.length) return [];
    return this.tx(async (c) => {
      if (space) await this.ensureSpace(c, space, dim);
      // Readable files are marked embedded in this space by the same statement; their windows follow in this transaction.
      const ids = await this.upsertMany(c, rootId, items.map((i) => i.file), space);
      if (!space) return ids;
      // Only files that were there before can have windows to replace.
      const replaced = ids.filter((id, i) => items[i].file.status === 'ok' && this.lastExisting.has(id));
      if (replaced.length) await c.query(`DELETE FROM windows WHERE file_id = ANY($1::bigint[]) AND space = $2`, [replaced, space]);
      const rows = items.flatMap((it, i) => (it.file.status === 'ok' ? it.windows.map((w) => ({ fileId: ids[i], ...w })) : []));
      await this.insertWindows(c, space, dim, rows);
      return ids;
    });
  }

  async spaces(): Promise<{ name: string; dim: number; windows: number }[]> {
    return this.run(async (c) => {
      const r = await c.query(
        `SELECT s.name, s.dim, (SELECT COUNT(*) FROM windows w WHERE w.space = s.name)::float8 AS windows FROM vector_spaces s ORDER BY windows DESC, s.name`,
      );
      return r.rows as { name: string; dim: number; windows: number }[];
    });
  }

  async keywordSearch(text: string, filters: CatalogFilters, limit: number): Promise<KeywordHit[]> {
    const q = tsQuery(text);
    if (!q) return [];
    const params: unknown[] = [q];
    const where = filterSql(filters, params);
    params.push(Math.min(limit, KEYWORD_SCAN));
    return this.run(async (c) => {
      // Weights D, C, B, A as the local bm25 column weights (metadata 1, folders 1, description/tags 2, name 4).
      const r = await c.query(
        `SELECT f.id::float8 AS id,
                ts_rank('{0.25, 0.25, 0.5, 1.0}', f.words || COALESCE(t.words, ''::tsvector), to_tsquery('simple', $1)) AS rank
           FROM files f LEFT JOIN tags t ON t.file_id = f.id AND t.source <> 'rejected'
          WHERE (f.words @@ to_tsquery('simple', $1) OR t.words @@ to_tsquery('simple', $1)) AND f.status = 'ok'${where}
          ORDER BY rank DESC, f.id LIMIT $${params.length}`,
        params,
      );
      const rows = r.rows as { id: number; rank: number }[];
      const best = rows.length ? rows[0].rank : 0;
      return rows.map((x) => ({ fileId: x.id, score: best > 0 ? x.rank / best : 1 }));
    });
  }

  async vectorSearch(space: string, query: Float32Array, k: number, filters: CatalogFilters): Promise<VectorFileHit[]> {
    if (k <= 0) return [];
    return this.run(async (c) => {
      // A space keeps its dimension for life: asked once per space.
      let dim = this.codeIndexes.get(space)?.dim;
      if (dim === undefined) {
        const dimRow = await c.query(`SELECT dim FROM vector_spaces WHERE name = $1`, [space]);
        if (!dimRow.rowCount) return [];
        dim = dimRow.rows[0].dim as number;
      }
      if (query.length !== dim) throw new CuebankError('invalid_input', `The query vector has ${query.length} values; space "${space}" holds ${dim}.`);
      const index = await this.codeIndex(c, space, dim);
      const q = unit(query);
      if (!q) return [];
      let catFiles: Set<number> | null = null;
      if (filters.catIds?.length) {
        const r = await c.query({ text: `SELECT file_id::float8 FROM tags WHERE source <> 'rejected' AND cat_id = ANY($1::text[])`, values: [filters.catIds], rowMode: 'array' });
        catFiles = new Set((r.rows as [number][]).map(([id]) => id));
      }
      // Files have several windows: widen until k distinct files are among the exact candidates.
      for (let want = k; ; want *= 4) {
        const cand = index.candidates(q, want, filters, catFiles);
        const hits = await this.exact(c, q, cand.ids);
        const byFile = new Map<number, VectorFileHit>();
        for (const h of hits) {
          const prev = byFile.get(h.fileId);
          if (!prev || h.score > prev.score || (h.score === prev.score && h.windowId < prev.windowId)) byFile.set(h.fileId, h);
        }
        const ranked = [...byFile.values()].sort((a, b) => b.score - a.score || a.fileId - b.fileId);
        if (ranked.length >= k || cand.ids.length >= cand.passing) return ranked.slice(0, k);
      }
    });
  }

  async setTag(fileId: number, tag: CatalogTag): Promise<void> {
    const ucs = (this.ucs ??= await loadUcsCatalogue());
    const cat = tag.catId ? ucs.lookup(tag.catId) : undefined;
    const words = tag.source === 'rejected' ? '' : [tag.caption ?? '', tag.keywords.join(' '), tag.catId ?? '', cat?.category ?? '', cat?.subCategory ?? ''].join(' ');
    await this.tx(async (c) => {
      const exists = await c.query(`SELECT 1 FROM files WHERE id = $1`, [fileId]);
      if (!exists.rowCount) throw new CuebankError('not_found', `No team library file with id ${fileId}`);
      await c.query(
        `INSERT INTO tags (file_id, caption, cat_id, keywords, confidence, source, words, updated_by, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, to_tsvector('simple', $7), current_user, now())
         ON CONFLICT (file_id) DO UPDATE SET caption = excluded.caption, cat_id = excluded.cat_id, keywords = excluded.keywords,
           confidence = excluded.confidence, source = excluded.source, words = excluded.words, updated_by = current_user, updated_at = now()`,
        [fileId, tag.caption, tag.catId, JSON.stringify(tag.keywords), tag.confidence, tag.source, words],
      );
      await c.query(`INSERT INTO tag_history (file_id, caption, cat_id, keywords, source) VALUES ($1, $2, $3, $4::jsonb, $5)`, [
        fileId,
        tag.caption,
        tag.catId,
        JSON.stringify(tag.keywords),
        tag.source,
      ]);
    });
  }

  async tag(fileId: number): Promise<CatalogTag | null> {
    return this.run(async (c) => {
      const r = await c.query(`SELECT caption, cat_id, keywords, confidence, source FROM tags WHERE file_id = $1`, [fileId]);
      const t = r.rows[0] as { caption: string | null; cat_id: string | null; keywords: string[]; confidence: number | null; source: CatalogTag['source'] } | undefined;
      return t ? { caption: t.caption, catId: t.cat_id, keywords: t.keywords, confidence: t.confidence, source: t.source } : null;
    });
  }

  /** Tag changes after `seq` (tag_history ids): the files whose tag changed and the sequence to resume from. */
  async tagChangesSince(seq: number): Promise<{ fileIds: number[]; seq: number }> {
    return this.run(async (c) => {
      const r = await c.query(
        `SELECT COALESCE(array_agg(DISTINCT file_id::float8), '{}') AS ids, COALESCE(MAX(id), $1)::float8 AS seq FROM tag_history WHERE id > $1`,
        [seq],
      );
      return { fileIds: (r.rows[0].ids as number[]).sort((a, b) => a - b), seq: r.rows[0].seq as number };
    });
  }

  async counts(): Promise<CatalogCounts> {
    return this.run(async (c) => {
      const r = await c.query(`SELECT (SELECT COUNT(*) FROM files)::float8 AS files, (SELECT COUNT(*) FROM windows)::float8 AS windows`);
      return r.rows[0] as CatalogCounts;
    });
  }

  /** The pool belongs to whoever opened it: it is ended by them. */
  async close(): Promise<void> {
    this.codeIndexes.clear();
  }

  // ---- internals ----

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw teamError(err, this.url);
    }
  }

  private async run<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await fn(client);
    } catch (err) {
      throw teamError(err, this.url);
    } finally {
      client.release();
    }
  }

  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.run(async (c) => {
      await c.query('BEGIN');
      try {
        const out = await fn(c);
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  private async codeIndex(c: pg.PoolClient, space: string, dim: number): Promise<TeamCodeIndex> {
    let index = this.codeIndexes.get(space);
    if (!index || index.dim !== dim) {
      index = new TeamCodeIndex(space, dim);
      this.codeIndexes.set(space, index);
    }
    if (!this.feed?.online || index.stale) {
      // Marked fresh before reading: a change announced during the sync marks it stale again.
      index.stale = false;
      try {
        await index.sync(c);
      } catch (err) {
        index.stale = true;
        throw err;
      }
    }
    return index;
  }

  /**
   * Lets a change feed (change-feed.ts) decide when the codes need a sync: only after a window
   * change is announced or the feed reconnects, instead of before every search.
   */
  followChanges(feed: TeamChangeFeed): () => void {
    this.feed = feed;
    const stale = () => {
      for (const index of this.codeIndexes.values()) index.stale = true;
    };
    const onChange = (c: TeamChange) => c.kind === 'windows' && stale();
    feed.on('change', onChange);
    feed.on('online', stale);
    feed.on('offline', stale);
    return () => {
      feed.off('change', onChange);
      feed.off('online', stale);
      feed.off('offline', stale);
      if (this.feed === feed) this.feed = null;
    };
  }

  /** Exact cosine of the query to each window, vectors fetched by id. */
  private async exact(c: pg.PoolClient, q: Float32Array, ids: number[]): Promise<VectorFileHit[]> {
    if (!ids.length) return [];
    const r = await c.query({
      text: `SELECT id::float8, file_id::float8, start, "end", vector FROM windows WHERE id = ANY($1::bigint[])`,
      values: [ids],
      rowMode: 'array',
    });
    return (r.rows as [number, number, number, number, Buffer][]).map(([id, fileId, start, end, blob]) => ({
      fileId,
      windowId: id,
      score: cosine(q, floats(blob)),
      start,
      end,
    }));
  }

  private async ensureSpace(c: pg.PoolClient, space: string, dim: number): Promise<void> {
    if (!Number.isInteger(dim) || dim < 1 || dim > 1900) {
      throw new CuebankError('invalid_input', `The team library holds vectors of 1 to 1,900 dimensions (a row must fit a PostgreSQL page), not ${dim}.`);
    }
    await c.query(`INSERT INTO vector_spaces (name, dim) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [space, dim]);
    const r = await c.query(`SELECT dim FROM vector_spaces WHERE name = $1`, [space]);
    if (r.rows[0].dim !== dim) {
      throw new CuebankError('invalid_input', `The team library's space "${space}" holds ${r.rows[0].dim}-dimensional vectors, not ${dim}: another CLAP pack than the team library's.`);
    }
  }

  /** The batch's files in one statement (unnest arrays); windows of files whose audio changed are dropped. */
  private async upsertMany(c: pg.PoolClient, rootId: number, files: CatalogFileInput[], embedSpace: string | null = null): Promise<number[]> {
    if (!files.length) return [];
    const rels = files.map((f) => checkRelPath(f.relPath));
    // One row per path (the last wins): ON CONFLICT cannot touch a row twice in one statement.
    const last = new Map(rels.map((r, i) => [r, i]));
    const order = [...last.values()];
    const col = <T>(fn: (f: CatalogFileInput, i: number) => T) => order.map((i) => fn(files[i], i));
    const words = (f: CatalogFileInput) => (f.status === 'ok' ? f.words : null);
    const r = await c.query({
      text: `WITH input AS (
               SELECT * FROM unnest($2::text[], $3::float8[], $4::float8[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::int[],
                                    $11::int[], $12::float8[], $13::float8[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[])
                 AS t(rel_path, size, mtime_ms, fingerprint, status, error, codec, sample_rate, channels, bits_per_sample, frames, duration,
                      meta_json, w_name, w_description, w_folder, w_metadata, name, ext)),
             prev AS (SELECT f.rel_path, f.fingerprint FROM files f WHERE f.root_id = $1 AND f.rel_path = ANY($2::text[])),
             ins AS (
               INSERT INTO files AS cur (root_id, rel_path, name, ext, size, mtime_ms, fingerprint, status, error, codec, sample_rate, channels,
                                         bits_per_sample, frames, duration, meta_json, words, embed_space)
               SELECT $1, i.rel_path, i.name, i.ext, i.size, i.mtime_ms,
                      i.fingerprint, i.status, i.error, i.codec, i.sample_rate, i.channels, i.bits_per_sample, i.frames, i.duration, i.meta_json,
                      CASE WHEN i.w_name IS NULL THEN NULL ELSE
                        setweight(to_tsvector('simple', i.w_name), 'A') || setweight(to_tsvector('simple', i.w_description), 'B') ||
                        setweight(to_tsvector('simple', i.w_folder), 'C') || setweight(to_tsvector('simple', i.w_metadata), 'D') END,
                      CASE WHEN i.status = 'ok' THEN $21::text END
                 FROM input i
               ON CONFLICT (root_id, rel_path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
                 fingerprint = excluded.fingerprint, status = excluded.status, error = excluded.error, codec = excluded.codec,
                 sample_rate = excluded.sample_rate, channels = excluded.channels, bits_per_sample = excluded.bits_per_sample,
                 frames = excluded.frames, duration = excluded.duration, meta_json = excluded.meta_json, words = excluded.words,
                 indexed_by = current_user, indexed_at = now(),
                 embed_space = COALESCE(excluded.embed_space, CASE WHEN cur.fingerprint = excluded.fingerprint AND excluded.status = 'ok' THEN cur.embed_space END)
               RETURNING cur.id, cur.rel_path, cur.fingerprint, cur.status)
           SELECT ins.id::float8 AS id, ins.rel_path, prev.fingerprint IS NOT NULL AS existed,
                  (prev.fingerprint IS NOT NULL AND (prev.fingerprint <> ins.fingerprint OR ins.status <> 'ok')) AS stale
             FROM ins LEFT JOIN prev ON prev.rel_path = ins.rel_path`,
      values: [
        rootId,
        col((_, i) => rels[i]),
        col((f) => f.size),
        col((f) => f.mtimeMs),
        col((f) => f.fingerprint),
        col((f) => f.status),
        col((f) => f.error),
        col((f) => f.codec),
        col((f) => f.sampleRate),
        col((f) => f.channels),
        col((f) => f.bitsPerSample),
        col((f) => f.frames),
        col((f) => f.duration),
        col((f) => f.metaJson),
        col((f) => words(f)?.name ?? null),
        col((f) => words(f)?.description ?? ''),
        col((f) => words(f)?.folder ?? ''),
        col((f) => words(f)?.metadata ?? ''),
        col((_, i) => path.posix.basename(rels[i])),
        col((_, i) => path.posix.extname(rels[i]).slice(1).toLowerCase()),
        embedSpace,
      ],
    });
    const rows = r.rows as { id: number; rel_path: string; existed: boolean; stale: boolean }[];
    this.lastExisting = new Set(rows.filter((x) => x.existed).map((x) => x.id));
    const stale = rows.filter((x) => x.stale).map((x) => x.id);
    // The windows describe audio that is gone (or a file that no longer reads).
    if (stale.length) await c.query(`DELETE FROM windows WHERE file_id = ANY($1::bigint[])`, [stale]);
    const byPath = new Map(rows.map((x) => [x.rel_path, x.id]));
    return rels.map((rel) => byPath.get(rel)!);
  }

  /** All windows of a batch in one statement: vectors and codes as two concatenated bytea parameters cut by the server. */
  private async insertWindows(c: pg.PoolClient, space: string, dim: number, rows: (CatalogWindow & { fileId: number })[]): Promise<number[]> {
    if (!rows.length) return [];
    const codeBytes = Math.ceil(dim / 64) * 8;
    const vectors = Buffer.alloc(rows.length * dim * 4);
    const codes = Buffer.alloc(rows.length * codeBytes);
    const scratch = new Uint8Array(codeBytes);
    rows.forEach((w, i) => {
      if (!(w.vector instanceof Float32Array) || w.vector.length !== dim) {
        throw new CuebankError('invalid_input', `A vector of space "${space}" must have ${dim} values, not ${w.vector?.length}.`);
      }
      Buffer.from(w.vector.buffer, w.vector.byteOffset, w.vector.byteLength).copy(vectors, i * dim * 4);
      codes.set(signCode(w.vector, scratch), i * codeBytes);
    });
    const r = await c.query({
      text: `WITH t AS (SELECT * FROM unnest($2::bigint[], $3::real[], $4::real[]) WITH ORDINALITY AS t(file_id, start, stop, i)),
             ins AS (
               INSERT INTO windows (file_id, space, start, "end", vector)
               SELECT t.file_id, $1, t.start, t.stop, substring($6::bytea FROM (t.i::int - 1) * $8::int + 1 FOR $8::int) FROM t
               ON CONFLICT (file_id, space, start) DO UPDATE SET "end" = excluded."end", vector = excluded.vector
               RETURNING id, file_id, start),
             codes AS (
               INSERT INTO window_codes (window_id, space, file_id, code, duration, sample_rate, channels)
               SELECT ins.id, $1, ins.file_id, substring($5::bytea FROM (t.i::int - 1) * $7::int + 1 FOR $7::int), f.duration, f.sample_rate, f.channels
                 FROM ins JOIN t ON t.file_id = ins.file_id AND t.start = ins.start JOIN files f ON f.id = ins.file_id
               ON CONFLICT (window_id) DO UPDATE SET code = excluded.code, duration = excluded.duration,
                 sample_rate = excluded.sample_rate, channels = excluded.channels, tx = pg_current_xact_id()
               RETURNING window_id)
             SELECT ins.id::float8 FROM ins JOIN t ON t.file_id = ins.file_id AND t.start = ins.start ORDER BY t.i`,
      values: [space, rows.map((w) => w.fileId), rows.map((w) => w.start), rows.map((w) => w.end), codes, vectors, codeBytes, dim * 4],
      rowMode: 'array',
    });
    return (r.rows as [number][]).map(([id]) => id);
  }
}

function unit(v: Float32Array): Float32Array | null {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const norm = Math.sqrt(s);
  if (!(norm > 0) || !Number.isFinite(norm)) return null;
  return v.map((x) => x / norm);
}

function floats(blob: Buffer): Float32Array {
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength >> 2);
  return new Float32Array(new Uint8Array(blob).buffer);
}

function cosine(q: Float32Array, v: Float32Array): number {
  let dot = 0;
  let nn = 0;
  for (let i = 0; i < q.length; i++) {
    dot += q[i] * v[i];
    nn += v[i] * v[i];
  }
  return nn > 0 ? dot / Math.sqrt(nn) : 0;
}
