import { UiStateSchema, type UiState } from '../../preload/contract/ui';
import type { Db } from './db/open';

const KEY = 'ui.state';

/** The renderer's last query and selection, kept in the workspace so a restart restores them. */
export function getUiState(db: Db): UiState {
  const row = db.prepare(`SELECT value FROM settings WHERE key = ?`).get(KEY) as { value: string } | undefined;
  const parsed = row ? UiStateSchema.safeParse(JSON.parse(row.value)) : null;
  return parsed?.success ? parsed.data : UiStateSchema.parse({});
}

export function setUiState(db: Db, state: UiState): void {
  db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(
    KEY,
    JSON.stringify(state),
  );
}
