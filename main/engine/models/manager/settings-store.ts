import { z } from 'zod';
import type { ResolvedConfig } from '../../config';
import type { Db } from '../../db/open';

const KEY = 'models.settings';

/**
 * What the Models screen changes, kept in the workspace's settings table and laid over the
 * resolved config at start and on every change: the config object is shared by reference with
 * every feature, so the embedder slot, the generator slot, the critics, the captioner and the
 * decomposer read the new value on their next use. Absent keys leave the host's config alone.
 */
const StoredSchema = z.object({
  defaults: z.object({ embedder: z.string().nullable().optional(), generator: z.string().nullable().optional() }).default({}),
  hubEndpoint: z.string().nullable().optional(),
  lalm: z.object({ url: z.string().nullable(), model: z.string().nullable() }).optional(),
});
export type StoredModelSettings = z.infer<typeof StoredSchema>;

export function readStoredSettings(db: Db): StoredModelSettings {
  const row = db.prepare(`SELECT value FROM settings WHERE key = ?`).get(KEY) as { value: string } | undefined;
  const parsed = row ? StoredSchema.safeParse(JSON.parse(row.value)) : null;
  return parsed?.success ? parsed.data : StoredSchema.parse({});
}

/** Merges `change` into what is stored, saves it, and applies it to `cfg`. */
export function updateStoredSettings(db: Db, cfg: ResolvedConfig, change: Partial<StoredModelSettings>): StoredModelSettings {
  const current = readStoredSettings(db);
  const next: StoredModelSettings = { ...current, ...change, defaults: { ...current.defaults, ...change.defaults } };
  db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(KEY, JSON.stringify(next));
  applyStoredSettings(cfg, next);
  return next;
}

export function applyStoredSettings(cfg: ResolvedConfig, stored: StoredModelSettings): void {
  if (stored.defaults.embedder !== undefined) cfg.models.defaults.embedder = stored.defaults.embedder;
  if (stored.defaults.generator !== undefined) cfg.models.defaults.generator = stored.defaults.generator;
  if (stored.hubEndpoint !== undefined) cfg.models.hubEndpoint = stored.hubEndpoint;
  if (stored.lalm) {
    // One endpoint serves the critic, captions and (unless its own URL is set) the decomposer.
    cfg.critic.lalm.url = stored.lalm.url;
    cfg.critic.lalm.model = stored.lalm.model;
    cfg.tagging.lalmUrl = stored.lalm.url;
  }
}
