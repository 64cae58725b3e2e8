/**
 * `cuebank tag` killed with SIGKILL mid-run, then run again: the files tagged before the kill keep
 * their one suggestion, the rest are tagged once, and a third run redoes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { runCli, startCli } from '../../helpers/cli';
import { writeManyTakes } from '../../helpers/library';
import { tempDir } from '../../helpers/tmp';

const FILES = 240;

/** Rows of tags and tag_history, read from another connection while the CLI writes. */
function tagCounts(dbFile: string): { tags: number; history: number; files: number } {
  if (!fs.existsSync(dbFile)) return { tags: 0, history: 0, files: 0 };
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return db
        .prepare(`SELECT (SELECT COUNT(*) FROM tags) AS tags, (SELECT COUNT(*) FROM tag_history) AS history, (SELECT COUNT(DISTINCT file_id) FROM tag_history) AS files`)
        .get() as { tags: number; history: number; files: number };
    } finally {
      db.close();
    }
  } catch {
    return { tags: 0, history: 0, files: 0 };
  }
}

describe('tag job crash and resume', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let lib: string;
  let dbFile: string;

  beforeAll(() => {
    tmp = tempDir();
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    lib = path.join(tmp.dir, 'lib');
    writeManyTakes(lib, FILES);
    dbFile = path.join(tmp.dir, 'lib.db');
    const indexed = runCli(['index', lib, '--db', dbFile, '--models', fx.modelsDir, '--json']);
    expect(indexed.status, indexed.stderr).toBe(0);
  }, 180_000);
  afterAll(() => tmp?.cleanup());

  it('resumes with no duplicate suggestions, and a third run tags nothing', async () => {
    const child = startCli(['tag', lib, '--db', dbFile, '--models', fx.modelsDir, '--json']);
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let killedAt = -1;
    for (let i = 0; i < 6000 && killedAt < 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const n = tagCounts(dbFile).tags;
      if (n > 0) {
        child.kill('SIGKILL');
        killedAt = n;
      }
    }
    await exited;
    expect(killedAt).toBeGreaterThan(0);
    const afterKill = tagCounts(dbFile);
    // The kill landed mid-run, and every stored tag has exactly one history entry (nothing half-written).
    expect(afterKill.tags).toBeLessThan(FILES);
    expect(afterKill.history).toBe(afterKill.tags);

    const resumed = runCli(['tag', lib, '--db', dbFile, '--models', fx.modelsDir, '--json']);
    expect(resumed.status, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout) as { tagged: number; skipped: number; failed: unknown[]; files: { path: string }[] };
    expect(summary.failed).toEqual([]);
    expect(summary.tagged).toBe(FILES - afterKill.tags);
    expect(summary.skipped).toBe(afterKill.tags);
    expect(new Set(summary.files.map((f) => f.path)).size).toBe(summary.files.length);
    // One suggestion per file, made once: no file has two.
    expect(tagCounts(dbFile)).toEqual({ tags: FILES, history: FILES, files: FILES });

    const again = JSON.parse(runCli(['tag', lib, '--db', dbFile, '--models', fx.modelsDir, '--json']).stdout);
    expect(again).toMatchObject({ tagged: 0, skipped: FILES, failed: [], files: [] });
    expect(tagCounts(dbFile)).toEqual({ tags: FILES, history: FILES, files: FILES });
  }, 240_000);
});
