import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWavFile } from '../../../main/engine/audio';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { CONCEPTS } from '../../fixtures/semantics';
import { renderConcept } from '../../fixtures/sounds';
import { runCli, startCli } from '../../helpers/cli';
import { tempDir } from '../../helpers/tmp';

const FILES = 320;

function countFiles(dbFile: string): number {
  if (!fs.existsSync(dbFile)) return 0;
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(`SELECT COUNT(*) AS n FROM files`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created or not migrated yet
  }
}

/** Killing `cuebank index` with SIGKILL mid-run, then running it again. */
describe('crash and resume', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let lib: string;
  let dbFile: string;

  beforeAll(() => {
    tmp = tempDir();
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    lib = path.join(tmp.dir, 'lib');
    fs.mkdirSync(lib);
    for (let i = 0; i < FILES; i++) {
      const c = CONCEPTS[i % CONCEPTS.length].id;
      const samples = renderConcept(c, { sampleRate: 48_000, seconds: 1 + (i % 3) * 0.5, seed: i + 1, detune: 1 + (i % 5) * 0.005 });
      writeWavFile(path.join(lib, `take_${String(i).padStart(4, '0')}.wav`), { sampleRate: 48_000, channels: [samples] });
    }
    dbFile = path.join(tmp.dir, 'lib.db');
  });
  afterAll(() => tmp?.cleanup());

  it('resumes with no duplicates and an intact database, and a third run re-embeds nothing', async () => {
    const child = startCli(['index', lib, '--db', dbFile, '--models', fx.modelsDir, '--json']);
    let killedAt = -1;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal ? -1 : _code)));
    for (let i = 0; i < 3000 && killedAt < 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const n = countFiles(dbFile);
      if (n > 0) {
        child.kill('SIGKILL');
        killedAt = n;
      }
    }
    await exited;
    // The kill landed mid-run: some batches committed, not all.
    expect(killedAt).toBeGreaterThan(0);
    const afterKill = countFiles(dbFile);
    expect(afterKill).toBeLessThan(FILES);

    const resumed = runCli(['index', lib, '--db', dbFile, '--models', fx.modelsDir, '--json']);
    expect(resumed.status).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary.scanned).toBe(FILES);
    expect(summary.failed).toEqual([]);
    expect(summary.added).toBe(FILES - afterKill);
    expect(summary.unchanged).toBe(afterKill);

    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const files = db.prepare(`SELECT COUNT(*) AS n, COUNT(DISTINCT path) AS paths FROM files`).get();
      expect(files).toEqual({ n: FILES, paths: FILES });
      const windows = db.prepare(`SELECT COUNT(*) AS n, COUNT(DISTINCT file_id) AS f FROM windows`).get();
      expect(windows).toEqual({ n: FILES, f: FILES });
      const fts = db.prepare(`SELECT COUNT(*) AS n FROM files_fts`).get();
      expect(fts).toEqual({ n: FILES });
    } finally {
      db.close();
    }

    const again = JSON.parse(runCli(['index', lib, '--db', dbFile, '--models', fx.modelsDir, '--json']).stdout);
    expect(again).toMatchObject({ scanned: FILES, added: 0, updated: 0, unchanged: FILES, embedded: 0 });
  });
});
