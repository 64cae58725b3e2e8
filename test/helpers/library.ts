import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { writeWavFile } from '../../main/engine/audio';
import { CONCEPTS } from '../fixtures/semantics';
import { renderConcept } from '../fixtures/sounds';

/** Writes `count` short fixture sounds (cycling through the concepts) into `dir`: a library big enough to interrupt. */
export function writeManyTakes(dir: string, count: number): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const c = CONCEPTS[i % CONCEPTS.length].id;
    const samples = renderConcept(c, { sampleRate: 48_000, seconds: 1 + (i % 3) * 0.5, seed: i + 1, detune: 1 + (i % 5) * 0.005 });
    writeWavFile(path.join(dir, `take_${String(i).padStart(4, '0')}.wav`), { sampleRate: 48_000, channels: [samples] });
  }
}

/** Rows in a table, read from another connection while a writer may be busy (0 before the schema exists). */
export function countRows(dbFile: string, table: 'files' | 'takes'): number {
  if (!fs.existsSync(dbFile)) return 0;
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

export const countFiles = (dbFile: string): number => countRows(dbFile, 'files');

/** What must hold after any crash: integrity, one row per file, one window per short take, one keyword row per file. */
export function checkIndexIntact(dbFile: string): { integrity: string; files: unknown; windows: unknown; fts: unknown } {
  const db = new Database(dbFile, { readonly: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      files: db.prepare(`SELECT COUNT(*) AS n, COUNT(DISTINCT path) AS paths FROM files`).get(),
      windows: db.prepare(`SELECT COUNT(*) AS n, COUNT(DISTINCT file_id) AS f FROM windows`).get(),
      fts: db.prepare(`SELECT COUNT(*) AS n FROM files_fts`).get(),
    };
  } finally {
    db.close();
  }
}
