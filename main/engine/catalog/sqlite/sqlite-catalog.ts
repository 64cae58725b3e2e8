/**
 * The local catalog: the workspace database's library tables behind the catalog interface. It
 * delegates to the library's own code (db/queries, library/spaces + vector-store, keywords,
 * tagging/store) rather than restating it, so the local app and this interface cannot drift.
 * Roots are the library's folders; a root's name is kept in the settings table
 * (`catalog.root.<id>.name`) because the folders table has no name column.
 */
import path from 'node:path';
import type { Db } from '../../db/open';
import { FileQueries, type FileRecord } from '../../db/queries/files';
import { FolderQueries } from '../../db/queries/folders';
import { CuebankError } from '../../errors';
import { fileFromColumns, type FileColumns } from '../file-row';
import { ftsQuery } from '../../library/keywords';
import { VectorSpaces } from '../../library/spaces';
import { TagStore } from '../../tagging/store';
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

/** With this few windows passing a filter, they are all scored exactly. */
const EXACT_WINDOWS = 50_000;
/** Approximate candidates per requested file before filtering (widened ×4 until enough pass). */
const CANDIDATE_FACTOR = 8;

interface Filter {
  sql: string;
  params: unknown[];
}

function filterSql(f: CatalogFilters): Filter {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.catIds?.length) {
    parts.push(`f.id IN (SELECT file_id FROM tags WHERE source != 'rejected' AND cat_id IN (SELECT value FROM json_each(?)))`);
    params.push(JSON.stringify(f.catIds));
  }
  if (f.minDuration !== undefined) (parts.push('f.duration >= ?'), params.push(f.minDuration));
  if (f.maxDuration !== undefined) (parts.push('f.duration <= ?'), params.push(f.maxDuration));
  if (f.sampleRates?.length) (parts.push(`f.sample_rate IN (SELECT value FROM json_each(?))`), params.push(JSON.stringify(f.sampleRates)));
  if (f.channels?.length) (parts.push(`f.channels IN (SELECT value FROM json_each(?))`), params.push(JSON.stringify(f.channels)));
  return { sql: parts.map((p) => ` AND ${p}`).join(''), params };
}

interface FileRowFull extends FileColumns {
  folder_id: number;
  path: string;
}

export class SqliteCatalog implements LibraryCatalog {
  readonly kind = 'local' as const;
  private readonly files: FileQueries;
  private readonly folders: FolderQueries;
  private readonly vectorSpaces: VectorSpaces;
  private tags: TagStore | null = null;

  constructor(private readonly db: Db) {
    this.files = new FileQueries(db);
    this.folders = new FolderQueries(db);
    this.vectorSpaces = new VectorSpaces(db);
  }

  async addRoot(name: string, localPath: string): Promise<CatalogRoot> {
    if (!name.trim()) throw new CuebankError('invalid_input', 'A root needs a name.');
    const taken = this.db.prepare(`SELECT key FROM settings WHERE key LIKE 'catalog.root.%.name' AND value = ?`).get(name) as { key: string } | undefined;
    const [folder] = this.folders.add([localPath]);
    if (taken && taken.key !== nameKey(folder.id)) throw new CuebankError('invalid_input', `Root name "${name}" belongs to another folder.`);
    this.db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING`).run(nameKey(folder.id), name);
    return (await this.roots()).find((r) => r.id === folder.id)!;
  }

  async roots(): Promise<CatalogRoot[]> {
    return this.folders.list().map((f) => ({ id: f.id, name: this.rootName(f.id, f.path), files: f.files }));
  }

  async upsertFiles(rootId: number, files: CatalogFileInput[]): Promise<number[]> {
    const root = this.root(rootId);
    return this.db.transaction(() => files.map((f) => this.upsertOne(root, f)))();
  }

  async file(id: number): Promise<CatalogFile | null> {
    const row = this.db.prepare(`SELECT * FROM files WHERE id = ?`).get(id) as FileRowFull | undefined;
    return row ? this.toFile(row) : null;
  }

  async filesOfRoot(rootId: number): Promise<CatalogFile[]> {
    const rows = this.db.prepare(`SELECT * FROM files WHERE folder_id = ? ORDER BY path`).all(rootId) as FileRowFull[];
    return rows.map((r) => this.toFile(r));
  }

  async fileByPath(rootId: number, relPath: string): Promise<CatalogFile | null> {
    const root = this.root(rootId);
    const abs = path.join(root.path, ...checkRelPath(relPath).split('/'));
    const row = this.db.prepare(`SELECT * FROM files WHERE path = ?`).get(abs) as FileRowFull | undefined;
    return row ? this.toFile(row) : null;
  }

  async removeFiles(ids: number[]): Promise<void> {
    this.db.transaction(() => {
      for (const id of ids) {
        this.vectorSpaces.removeWindows(this.files.windowsBySpace(id));
        this.files.delete(id);
      }
    })();
  }

  /** One process writes a workspace (SQLite's write lock serialises the rest): everything is granted. */
  async claim(_rootId: number, relPaths: string[]): Promise<Claim> {
    return { granted: [...relPaths], release: async () => undefined };
  }

  async putWindows(fileId: number, space: string, dim: number, windows: CatalogWindow[]): Promise<number[]> {
    return this.db.transaction(() => this.replaceWindows(fileId, space, dim, windows))();
  }

  async writeBatch(rootId: number, space: string | null, dim: number, items: { file: CatalogFileInput; windows: CatalogWindow[] }[]): Promise<number[]> {
    const root = this.root(rootId);
    return this.db.transaction(() =>
      items.map(({ file, windows }) => {
        const id = this.upsertOne(root, file);
        if (space && file.status === 'ok') this.replaceWindows(id, space, dim, windows);
        return id;
      }),
    )();
  }

  async spaces(): Promise<{ name: string; dim: number; windows: number }[]> {
    return this.db
      .prepare(
        `SELECT s.name, s.dim, (SELECT COUNT(*) FROM windows w WHERE w.space = s.name) AS windows FROM vector_spaces s
          WHERE s.name NOT LIKE '%:caption' ORDER BY windows DESC, s.name`,
      )
      .all() as { name: string; dim: number; windows: number }[];
  }

  async keywordSearch(text: string, filters: CatalogFilters, limit: number): Promise<KeywordHit[]> {
    const match = ftsQuery(text);
    if (!match) return [];
    const f = filterSql(filters);
    // Column weights as search.ts: name, folder, description, other metadata, tags.
    const rows = this.db
      .prepare(
        `SELECT f.id AS id, bm25(files_fts, 4.0, 1.0, 2.0, 1.0, 2.0) AS rank
           FROM files_fts JOIN files f ON f.id = files_fts.rowid
          WHERE files_fts MATCH ? AND f.status = 'ok'${f.sql} ORDER BY rank, f.id LIMIT ?`,
      )
      .all(match, ...f.params, limit) as { id: number; rank: number }[];
    const best = rows.length ? rows[0].rank : 0;
    return rows.map((r) => ({ fileId: r.id, score: best < 0 ? r.rank / best : 1 }));
  }

  async vectorSearch(space: string, query: Float32Array, k: number, filters: CatalogFilters): Promise<VectorFileHit[]> {
    const store = this.vectorSpaces.existing(space);
    if (!store || k <= 0) return [];
    const f = filterSql(filters);
    const windowsSql = `SELECT w.id, w.file_id, w.start, w.end FROM windows w JOIN files f ON f.id = w.file_id WHERE w.space = ? AND f.status = 'ok'${f.sql}`;
    type W = { id: number; file_id: number; start: number; end: number };
    const best = (windows: W[], scores: Map<number, number>): VectorFileHit[] => {
      const byFile = new Map<number, VectorFileHit>();
      for (const w of windows) {
        const score = scores.get(w.id);
        if (score === undefined) continue;
        const prev = byFile.get(w.file_id);
        if (!prev || score > prev.score) byFile.set(w.file_id, { fileId: w.file_id, windowId: w.id, score, start: w.start, end: w.end });
      }
      return [...byFile.values()].sort((a, b) => b.score - a.score || a.fileId - b.fileId).slice(0, k);
    };
    const total = store.count();
    const passing = f.sql
      ? (this.db.prepare(`SELECT COUNT(*) AS n FROM (${windowsSql})`).get(space, ...f.params) as { n: number }).n
      : total;
    if (passing <= EXACT_WINDOWS) {
      const windows = this.db.prepare(windowsSql).all(space, ...f.params) as W[];
      return best(windows, store.scoreIds([query], windows.map((w) => w.id))[0]);
    }
    // Approximate candidates, then only those passing the filter; widen until k files pass.
    for (let n = k * CANDIDATE_FACTOR; ; n *= 4) {
      const hits = store.search(query, Math.min(n, total));
      const windows = this.db
        .prepare(`${windowsSql} AND w.id IN (SELECT value FROM json_each(?))`)
        .all(space, ...f.params, JSON.stringify(hits.map((h) => h.id))) as W[];
      const found = best(windows, new Map(hits.map((h) => [h.id, h.score])));
      if (found.length >= k || n >= total) return found;
    }
  }

  async setTag(fileId: number, tag: CatalogTag): Promise<void> {
    if (!this.db.prepare(`SELECT 1 FROM files WHERE id = ?`).get(fileId)) throw new CuebankError('not_found', `No library file with id ${fileId}`);
    const store = await this.tagStore();
    store.write(fileId, { ...tag, alternatives: [], route: null, evidence: [], pack: null, fingerprint: null });
  }

  async tag(fileId: number): Promise<CatalogTag | null> {
    const t = (await this.tagStore()).current(fileId);
    return t ? { caption: t.caption, catId: t.catId, keywords: t.keywords, confidence: t.confidence, source: t.source } : null;
  }

  async counts(): Promise<CatalogCounts> {
    const files = (this.db.prepare(`SELECT COUNT(*) AS n FROM files`).get() as { n: number }).n;
    const windows = (this.db.prepare(`SELECT COUNT(*) AS n FROM windows`).get() as { n: number }).n;
    return { files, windows };
  }

  /** The database belongs to whoever opened it (the engine or a test): nothing to close here. */
  async close(): Promise<void> {}

  // ---- internals ----

  private rootName(id: number, folderPath: string): string {
    const row = this.db.prepare(`SELECT value FROM settings WHERE key = ?`).get(nameKey(id)) as { value: string } | undefined;
    return row?.value ?? folderPath;
  }

  private root(rootId: number): { id: number; path: string } {
    const row = this.db.prepare(`SELECT id, path FROM folders WHERE id = ?`).get(rootId) as { id: number; path: string } | undefined;
    if (!row) throw new CuebankError('not_found', `No library root with id ${rootId}`);
    return row;
  }

  private upsertOne(root: { id: number; path: string }, f: CatalogFileInput): number {
    const rel = checkRelPath(f.relPath);
    const abs = path.join(root.path, ...rel.split('/'));
    const record: FileRecord = {
      folderId: root.id,
      path: abs,
      realPath: abs,
      name: path.basename(abs),
      ext: path.extname(abs).slice(1).toLowerCase(),
      size: f.size,
      mtimeMs: f.mtimeMs,
      fingerprint: f.fingerprint,
      status: f.status,
      error: f.error,
      codec: f.codec,
      sampleRate: f.sampleRate,
      channels: f.channels,
      bitsPerSample: f.bitsPerSample,
      frames: f.frames,
      duration: f.duration,
      metaJson: f.metaJson,
      embedSpace: null,
    };
    const existing = this.db.prepare(`SELECT id, fingerprint, embed_space FROM files WHERE path = ?`).get(abs) as
      | { id: number; fingerprint: string; embed_space: string | null }
      | undefined;
    let id: number;
    if (existing) {
      id = existing.id;
      const same = existing.fingerprint === f.fingerprint && f.status === 'ok';
      this.files.update(id, { ...record, embedSpace: same ? existing.embed_space : null });
      if (!same) {
        this.vectorSpaces.removeWindows(this.files.windowsBySpace(id));
        this.files.deleteWindows(id);
      }
    } else {
      id = this.files.insert(record);
    }
    this.files.setFts(id, f.status === 'ok' ? f.words : null);
    return id;
  }

  private replaceWindows(fileId: number, space: string, dim: number, windows: CatalogWindow[]): number[] {
    const store = this.vectorSpaces.open(space, dim);
    const stale = this.files.windowsBySpace(fileId);
    for (const s of [...stale.keys()]) if (s !== space) stale.delete(s);
    this.vectorSpaces.removeWindows(stale);
    this.files.deleteWindows(fileId, space);
    const items = windows.map((w) => ({ id: this.files.insertWindow(fileId, space, w.start, w.end), vector: w.vector }));
    store.upsert(items);
    this.files.setEmbedSpace(fileId, space);
    return items.map((i) => i.id);
  }

  private toFile(r: FileRowFull): CatalogFile {
    const root = this.root(r.folder_id);
    return fileFromColumns(r, r.folder_id, path.relative(root.path, r.path).split(path.sep).join('/'));
  }

  private async tagStore(): Promise<TagStore> {
    this.tags ??= new TagStore(this.db, await loadUcsCatalogue());
    return this.tags;
  }
}

const nameKey = (folderId: number) => `catalog.root.${folderId}.name`;
