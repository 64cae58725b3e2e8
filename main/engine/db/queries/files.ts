import type { Db } from '../open';

/** A row of the files table as the index job needs it. */
export interface FileRow {
  id: number;
  folder_id: number;
  path: string;
  real_path: string;
  size: number;
  mtime_ms: number;
  fingerprint: string;
  status: 'ok' | 'failed';
  embed_space: string | null;
}

export interface FileRecord {
  folderId: number;
  path: string;
  realPath: string;
  name: string;
  ext: string;
  size: number;
  mtimeMs: number;
  fingerprint: string;
  status: 'ok' | 'failed';
  error: string | null;
  codec: string | null;
  sampleRate: number | null;
  channels: number | null;
  bitsPerSample: number | null;
  frames: number | null;
  duration: number | null;
  metaJson: string | null;
  embedSpace: string | null;
}

export interface FtsDocument {
  name: string;
  folder: string;
  description: string;
  metadata: string;
}

const COLUMNS = `folder_id, path, real_path, name, ext, size, mtime_ms, fingerprint, status, error, codec,
  sample_rate, channels, bits_per_sample, frames, duration, meta_json, embed_space, indexed_at`;

function values(r: FileRecord): unknown[] {
  return [
    r.folderId, r.path, r.realPath, r.name, r.ext, r.size, r.mtimeMs, r.fingerprint, r.status, r.error, r.codec,
    r.sampleRate, r.channels, r.bitsPerSample, r.frames, r.duration, r.metaJson, r.embedSpace, Date.now(),
  ];
}

/** Typed statements over files, windows and files_fts. Callers own the transactions. */
export class FileQueries {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO files (${COLUMNS}) VALUES (${COLUMNS.split(',').map(() => '?').join(', ')})`),
      update: db.prepare(
        `UPDATE files SET (${COLUMNS}) = (${COLUMNS.split(',').map(() => '?').join(', ')}) WHERE id = ?`,
      ),
      move: db.prepare(`UPDATE files SET folder_id = ?, path = ?, real_path = ?, name = ?, ext = ?, mtime_ms = ? WHERE id = ?`),
      park: db.prepare(`UPDATE files SET path = 'moving:' || id, real_path = 'moving:' || id WHERE id = ?`),
      setEmbedSpace: db.prepare(`UPDATE files SET embed_space = ? WHERE id = ?`),
      delete: db.prepare(`DELETE FROM files WHERE id = ?`),
      ftsDelete: db.prepare(`DELETE FROM files_fts WHERE rowid = ?`),
      ftsInsert: db.prepare(`INSERT INTO files_fts (rowid, name, folder, description, metadata, tags) VALUES (?, ?, ?, ?, ?, ?)`),
      ftsTags: db.prepare(`SELECT tags FROM files_fts WHERE rowid = ?`),
      windowIds: db.prepare(`SELECT id, space FROM windows WHERE file_id = ?`),
      windowInsert: db.prepare(`INSERT INTO windows (file_id, space, start, end) VALUES (?, ?, ?, ?)`),
      windowDelete: db.prepare(`DELETE FROM windows WHERE file_id = ?`),
      windowDeleteSpace: db.prepare(`DELETE FROM windows WHERE file_id = ? AND space = ?`),
    };
  }

  inFolders(folderIds: number[]): FileRow[] {
    if (!folderIds.length) return [];
    return this.db
      .prepare(
        `SELECT id, folder_id, path, real_path, size, mtime_ms, fingerprint, status, embed_space
           FROM files WHERE folder_id IN (${folderIds.map(() => '?').join(',')})`,
      )
      .all(...folderIds) as FileRow[];
  }

  /** Readable files that have no vectors in the given space yet. */
  countUnembedded(space: string): number {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM files WHERE status = 'ok' AND (embed_space IS NULL OR embed_space != ?)`)
      .get(space) as { n: number };
    return row.n;
  }

  insert(r: FileRecord): number {
    return Number(this.stmts.insert.run(...values(r)).lastInsertRowid);
  }

  update(id: number, r: FileRecord): void {
    this.stmts.update.run(...values(r), id);
  }

  move(id: number, to: { folderId: number; path: string; realPath: string; name: string; ext: string; mtimeMs: number }): void {
    this.stmts.move.run(to.folderId, to.path, to.realPath, to.name, to.ext, to.mtimeMs, id);
  }

  /** Gives a row a temporary unique path while a batch of renames is applied. */
  park(id: number): void {
    this.stmts.park.run(id);
  }

  setEmbedSpace(id: number, space: string | null): void {
    this.stmts.setEmbedSpace.run(space, id);
  }

  delete(id: number): void {
    this.stmts.ftsDelete.run(id);
    this.stmts.delete.run(id);
  }

  /** Replaces the file's words; the tag words the tagging area wrote (the `tags` column) stay. */
  setFts(id: number, doc: FtsDocument | null): void {
    const tags = (this.stmts.ftsTags.get(id) as { tags: string | null } | undefined)?.tags ?? null;
    this.stmts.ftsDelete.run(id);
    if (doc) this.stmts.ftsInsert.run(id, doc.name, doc.folder, doc.description, doc.metadata, tags);
  }

  /** Window ids of a file grouped by vector space (to remove their vectors). */
  windowsBySpace(fileId: number): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const w of this.stmts.windowIds.all(fileId) as { id: number; space: string }[]) {
      const list = out.get(w.space) ?? [];
      list.push(w.id);
      out.set(w.space, list);
    }
    return out;
  }

  insertWindow(fileId: number, space: string, start: number, end: number): number {
    return Number(this.stmts.windowInsert.run(fileId, space, start, end).lastInsertRowid);
  }

  deleteWindows(fileId: number, space?: string): void {
    if (space) this.stmts.windowDeleteSpace.run(fileId, space);
    else this.stmts.windowDelete.run(fileId);
  }
}

/**
 * After Cuebank rewrote a file's tags (the audio unchanged): the row takes the file's new size,
 * modification time, fingerprint and metadata, so the next index run counts it unchanged and
 * embeds nothing; windows and vectors stay.
 */
export function recordRetaggedFile(db: Db, id: number, r: { size: number; mtimeMs: number; fingerprint: string; metaJson: string }): void {
  db.prepare(`UPDATE files SET size = ?, mtime_ms = ?, fingerprint = ?, meta_json = ?, indexed_at = ? WHERE id = ?`).run(
    r.size,
    r.mtimeMs,
    r.fingerprint,
    r.metaJson,
    Date.now(),
    id,
  );
}
