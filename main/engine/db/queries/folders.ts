import path from 'node:path';
import type { Folder } from '../../../../preload/contract/library';
import type { Db } from '../open';

export interface FolderRow {
  id: number;
  path: string;
  added_at: number;
}

export class FolderQueries {
  constructor(private readonly db: Db) {}

  /** Adds folders (absolute, normalised) once each; returns their rows in the given order. */
  add(paths: string[]): FolderRow[] {
    const insert = this.db.prepare(`INSERT OR IGNORE INTO folders (path, added_at) VALUES (?, ?)`);
    const get = this.db.prepare(`SELECT id, path, added_at FROM folders WHERE path = ?`);
    return this.db.transaction(() =>
      paths.map((p) => {
        const abs = path.resolve(p);
        insert.run(abs, Date.now());
        return get.get(abs) as FolderRow;
      }),
    )();
  }

  rows(): FolderRow[] {
    return this.db.prepare(`SELECT id, path, added_at FROM folders ORDER BY path`).all() as FolderRow[];
  }

  byPath(p: string): FolderRow | undefined {
    return this.db.prepare(`SELECT id, path, added_at FROM folders WHERE path = ?`).get(path.resolve(p)) as FolderRow | undefined;
  }

  /** Folders with their file counts, for the library view. */
  list(): Folder[] {
    const rows = this.db
      .prepare(
        `SELECT d.id, d.path, d.added_at,
                COUNT(f.id) AS files,
                COALESCE(SUM(f.status = 'failed'), 0) AS failed
           FROM folders d LEFT JOIN files f ON f.folder_id = d.id
          GROUP BY d.id ORDER BY d.path`,
      )
      .all() as { id: number; path: string; added_at: number; files: number; failed: number }[];
    return rows.map((r) => ({ id: r.id, path: r.path, addedAt: r.added_at, files: r.files, failed: r.failed }));
  }

  delete(id: number): void {
    this.db.prepare(`DELETE FROM folders WHERE id = ?`).run(id);
  }
}
