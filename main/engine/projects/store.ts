import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DeletedRef, ExportSettings, Project } from '../../../preload/contract/projects';
import { ExportSettingsSchema } from '../../../preload/contract/projects';
import type { Db } from '../db/open';
import { CuebankError } from '../errors';
import { mergeExportSettings } from '../export/settings';

/**
 * Projects in SQLite, each with its own folder `<dataDir>/projects/<project id>/` for copies of
 * generated and outside audio. Deletes are soft and numbered so the most recent can be undone;
 * only the newest KEEP_DELETED deletions are kept, older ones are purged with their files.
 */
export const KEEP_DELETED = 20;

interface ProjectRow {
  id: string;
  name: string;
  notes: string;
  export_settings_json: string | null;
  created_at: number;
  updated_at: number;
  deleted_seq: number | null;
  item_count: number;
}

export class ProjectStore {
  constructor(
    private readonly db: Db,
    readonly dataDir: string,
    private readonly defaultSettings: () => ExportSettings,
  ) {}

  folderOf(projectId: string): string {
    return path.join(this.dataDir, 'projects', projectId);
  }

  list(): Project[] {
    return (this.db.prepare(`${SELECT_PROJECT} WHERE p.deleted_seq IS NULL ORDER BY p.name COLLATE NOCASE`).all() as ProjectRow[]).map((r) =>
      this.toProject(r),
    );
  }

  get(projectId: string): Project {
    return this.toProject(this.liveRow(projectId));
  }

  /** A live project by name (case-insensitive), for hosts that address projects by name (the CLI). */
  byName(name: string): Project | undefined {
    const row = this.db.prepare(`${SELECT_PROJECT} WHERE p.deleted_seq IS NULL AND p.name = ? COLLATE NOCASE`).get(name.trim()) as
      | ProjectRow
      | undefined;
    return row && this.toProject(row);
  }

  create(name: string, notes = ''): Project {
    const id = randomUUID();
    const now = Date.now();
    this.requireFreeName(name);
    this.db.prepare(`INSERT INTO projects (id, name, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`).run(id, name.trim(), notes, now, now);
    fs.mkdirSync(this.folderOf(id), { recursive: true });
    return this.get(id);
  }

  rename(projectId: string, name: string): Project {
    const row = this.liveRow(projectId);
    if (row.name !== name.trim()) this.requireFreeName(name, projectId);
    this.db.prepare(`UPDATE projects SET name = ?, updated_at = ? WHERE id = ?`).run(name.trim(), Date.now(), projectId);
    return this.get(projectId);
  }

  setExportSettings(projectId: string, patch: Partial<ExportSettings>): Project {
    const current = this.get(projectId).exportSettings;
    const next = mergeExportSettings(current, patch);
    this.db.prepare(`UPDATE projects SET export_settings_json = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(next), Date.now(), projectId);
    return this.get(projectId);
  }

  /** Copies the project row (items are copied by the caller, which knows their files). */
  duplicateRow(projectId: string, name: string | undefined): Project {
    const row = this.liveRow(projectId);
    const newName = name?.trim() || this.freeName(`${row.name} copy`);
    this.requireFreeName(newName);
    const id = randomUUID();
    const now = Date.now();
    this.db
      .prepare(`INSERT INTO projects (id, name, notes, export_settings_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(id, newName, row.notes, row.export_settings_json, now, now);
    fs.mkdirSync(this.folderOf(id), { recursive: true });
    return this.get(id);
  }

  delete(projectId: string): DeletedRef {
    const row = this.liveRow(projectId);
    const seq = this.nextDeleteSeq();
    this.db.prepare(`UPDATE projects SET deleted_seq = ?, updated_at = ? WHERE id = ?`).run(seq, Date.now(), projectId);
    this.purgeOldDeletions();
    return { kind: 'project', projectId, itemId: null, name: row.name };
  }

  /** Soft-deletes an item (the item store checks it exists). */
  deleteItem(itemId: string): void {
    this.db.prepare(`UPDATE project_items SET deleted_seq = ?, updated_at = ? WHERE id = ?`).run(this.nextDeleteSeq(), Date.now(), itemId);
    this.purgeOldDeletions();
  }

  /** Restores the most recent delete (a project, or an item of a live project); null when none. */
  undoDelete(): DeletedRef | null {
    const last = this.db
      .prepare(
        `SELECT 'project' AS kind, id AS projectId, NULL AS itemId, name, deleted_seq AS seq FROM projects WHERE deleted_seq IS NOT NULL
         UNION ALL
         SELECT 'item', i.project_id, i.id, json_extract(i.fields_json, '$.name'), i.deleted_seq
           FROM project_items i JOIN projects p ON p.id = i.project_id
          WHERE i.deleted_seq IS NOT NULL AND p.deleted_seq IS NULL
         ORDER BY seq DESC LIMIT 1`,
      )
      .get() as (DeletedRef & { seq: number }) | undefined;
    if (!last) return null;
    if (last.kind === 'project') {
      const name = this.byName(last.name) ? this.freeName(`${last.name} (restored)`) : last.name;
      this.db.prepare(`UPDATE projects SET deleted_seq = NULL, name = ?, updated_at = ? WHERE id = ?`).run(name, Date.now(), last.projectId);
      return { kind: 'project', projectId: last.projectId, itemId: null, name };
    }
    this.db.prepare(`UPDATE project_items SET deleted_seq = NULL, updated_at = ? WHERE id = ?`).run(Date.now(), last.itemId);
    return { kind: 'item', projectId: last.projectId, itemId: last.itemId, name: last.name };
  }

  touch(projectId: string): void {
    this.db.prepare(`UPDATE projects SET updated_at = ? WHERE id = ?`).run(Date.now(), projectId);
  }

  private liveRow(projectId: string): ProjectRow {
    const row = this.db.prepare(`${SELECT_PROJECT} WHERE p.id = ? AND p.deleted_seq IS NULL`).get(projectId) as ProjectRow | undefined;
    if (!row) throw new CuebankError('not_found', `No project ${projectId}`);
    return row;
  }

  private toProject(r: ProjectRow): Project {
    return {
      id: r.id,
      name: r.name,
      notes: r.notes,
      itemCount: r.item_count,
      folder: this.folderOf(r.id),
      exportSettings: this.storedSettings(r.export_settings_json),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  /** Stored settings over the defaults; settings a newer schema no longer accepts fall back to the defaults. */
  private storedSettings(json: string | null): ExportSettings {
    const defaults = this.defaultSettings();
    if (!json) return defaults;
    const parsed = ExportSettingsSchema.partial().safeParse(JSON.parse(json));
    if (!parsed.success) return defaults;
    try {
      return mergeExportSettings(defaults, parsed.data);
    } catch {
      return defaults;
    }
  }

  private requireFreeName(name: string, exceptId?: string): void {
    const taken = this.byName(name);
    if (taken && taken.id !== exceptId) throw new CuebankError('invalid_input', `A project named "${taken.name}" already exists`);
  }

  /** `base`, or `base 2`, `base 3`, … whichever is free. */
  private freeName(base: string): string {
    if (!this.byName(base)) return base;
    for (let n = 2; ; n++) if (!this.byName(`${base} ${n}`)) return `${base} ${n}`;
  }

  private nextDeleteSeq(): number {
    return (this.db.prepare(`UPDATE project_counters SET value = value + 1 WHERE name = 'delete_seq' RETURNING value`).get() as { value: number }).value;
  }

  /** Drops deletions older than the newest KEEP_DELETED, with their copied files. */
  private purgeOldDeletions(): void {
    const cutoff = this.db
      .prepare(
        `SELECT seq FROM (SELECT deleted_seq AS seq FROM projects WHERE deleted_seq IS NOT NULL
                          UNION ALL SELECT deleted_seq FROM project_items WHERE deleted_seq IS NOT NULL)
          ORDER BY seq DESC LIMIT 1 OFFSET ?`,
      )
      .get(KEEP_DELETED) as { seq: number } | undefined;
    if (!cutoff) return;
    const projects = this.db.prepare(`SELECT id FROM projects WHERE deleted_seq <= ?`).all(cutoff.seq) as { id: string }[];
    const items = this.db
      .prepare(`SELECT project_id, copied_file FROM project_items WHERE deleted_seq <= ? AND copied_file IS NOT NULL`)
      .all(cutoff.seq) as { project_id: string; copied_file: string }[];
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM project_items WHERE deleted_seq <= ?`).run(cutoff.seq);
      this.db.prepare(`DELETE FROM projects WHERE deleted_seq <= ?`).run(cutoff.seq);
    })();
    // Files after rows: a crash in between leaves unreferenced copies, never rows without files.
    for (const i of items) fs.rmSync(path.join(this.folderOf(i.project_id), i.copied_file), { force: true });
    for (const p of projects) fs.rmSync(this.folderOf(p.id), { recursive: true, force: true });
  }
}

const SELECT_PROJECT = `
  SELECT p.*, (SELECT COUNT(*) FROM project_items i WHERE i.project_id = p.id AND i.deleted_seq IS NULL) AS item_count
    FROM projects p`;
