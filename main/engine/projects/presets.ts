import { ExportSettingsSchema, type ExportPreset, type ExportSettings } from '../../../preload/contract/projects';
import type { Db } from '../db/open';
import { CuebankError } from '../errors';

/** Named export settings shared by all projects of a workspace (names are unique, case-insensitive). */
export class ExportPresets {
  constructor(private readonly db: Db) {}

  list(): ExportPreset[] {
    const rows = this.db.prepare(`SELECT name, settings_json, updated_at FROM export_presets ORDER BY name COLLATE NOCASE`).all() as {
      name: string;
      settings_json: string;
      updated_at: number;
    }[];
    // A preset a newer schema no longer accepts is left out rather than breaking the list.
    return rows.flatMap((r) => {
      const parsed = ExportSettingsSchema.safeParse(JSON.parse(r.settings_json));
      return parsed.success ? [{ name: r.name, settings: parsed.data, updatedAt: r.updated_at }] : [];
    });
  }

  /** Creates or replaces a preset. */
  save(name: string, settings: ExportSettings): ExportPreset[] {
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO export_presets (name, settings_json, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET name = excluded.name, settings_json = excluded.settings_json, updated_at = excluded.updated_at`,
      )
      .run(name.trim(), JSON.stringify(settings), now, now);
    return this.list();
  }

  delete(name: string): ExportPreset[] {
    const r = this.db.prepare(`DELETE FROM export_presets WHERE name = ?`).run(name.trim());
    if (!r.changes) throw new CuebankError('not_found', `No export preset named "${name}"`);
    return this.list();
  }
}
