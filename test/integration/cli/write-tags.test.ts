import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMeta } from '../../../main/engine/audio';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { runCli } from '../../helpers/cli';
import { corpusDir, hasCorpus } from '../../helpers/corpus';
import { tempDir } from '../../helpers/tmp';

describe('cuebank write-tags', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let db: string;
  let files: string[];
  const scene = 'scene_take.wav';

  beforeAll(() => {
    tmp = tempDir('cuebank-write-tags-');
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    db = path.join(tmp.dir, 'lib.db');
    if (hasCorpus) {
      fs.copyFileSync(path.join(corpusDir, 'bwf', 'sounddevices_A101_3.WAV'), path.join(fx.libraryDir, scene));
      fs.chmodSync(path.join(fx.libraryDir, scene), 0o644);
    }
    files = fs.readdirSync(fx.libraryDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
  });
  afterAll(() => tmp?.cleanup());

  const json = (args: string[]) => {
    const r = runCli(args);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('writes accepted tags only, keeps production data, and a following index run embeds nothing', () => {
    const first = json(['index', fx.libraryDir, '--db', db, '--models', fx.modelsDir, '--json']);
    expect(first).toMatchObject({ added: files.length, failed: [] });
    expect(first.embedded).toBe(files.length);

    const conn = new Database(db);
    const id = (f: string) => (conn.prepare(`SELECT id FROM files WHERE path = ?`).get(f) as { id: number }).id;
    const [accepted, edited, suggested] = files.filter((f) => f.endsWith('.wav') && !f.endsWith(scene));
    const insert = conn.prepare(
      `INSERT INTO tags (file_id, caption, cat_id, keywords, source, fingerprint, updated_at) SELECT ?, ?, ?, ?, ?, fingerprint, 0 FROM files WHERE id = ?`,
    );
    const put = { run: (fileId: number, caption: string, catId: string, keywords: string, source: string) => insert.run(fileId, caption, catId, keywords, source, fileId) };
    put.run(id(accepted), 'A kettle whistles on the stove', 'WHSTHmn', JSON.stringify(['kettle', 'whistle']), 'accepted');
    put.run(id(edited), 'Low rumble of a distant engine', 'AMBTraf', '[]', 'edited');
    put.run(id(suggested), 'Not accepted yet', 'BEEPAppl', '[]', 'suggested');
    if (hasCorpus) put.run(id(path.join(fx.libraryDir, scene)), 'Actor says a line', 'VOXMisc', '[]', 'accepted');
    conn.close();
    const before = new Map(files.map((f) => [f, fs.readFileSync(f)]));

    // The preview writes nothing.
    const plan = json(['write-tags', fx.libraryDir, '--db', db, '--dry-run', '--json']);
    expect(plan.files.map((f: { path: string }) => f.path).sort()).toEqual([accepted, edited, ...(hasCorpus ? [path.join(fx.libraryDir, scene)] : [])].sort());
    const kettle = plan.files.find((f: { path: string }) => f.path === accepted);
    expect(kettle.changes).toContainEqual({ field: 'iXML USER CATID', before: null, after: 'WHSTHmn' });
    expect(kettle.changes).toContainEqual({ field: 'iXML USER CATEGORY', before: null, after: 'WHISTLES' });
    expect(plan.skipped).toContainEqual({ path: suggested, reason: 'Its tag is suggested, not accepted' });
    for (const f of files) expect(fs.readFileSync(f).equals(before.get(f)!), f).toBe(true);
    const text = runCli(['write-tags', accepted, '--db', db, '--dry-run']);
    expect(text.stdout).toMatch(/bext description: \(none\) → "A kettle whistles on the stove"|bext description: "" → "A kettle whistles on the stove"/);

    const summary = json(['write-tags', fx.libraryDir, '--db', db, '--json']);
    expect(summary.failed).toEqual([]);
    expect(summary.written.map((w: { path: string }) => w.path).sort()).toEqual(plan.files.map((f: { path: string }) => f.path).sort());
    expect(summary.skipped.map((s: { path: string }) => s.path)).toContain(suggested);
    for (const f of files) {
      const changed = summary.written.some((w: { path: string }) => w.path === f);
      expect(fs.readFileSync(f).equals(before.get(f)!), f).toBe(!changed);
    }

    // The index sees the new size and mtime as this write left them: nothing to re-read or embed.
    const second = json(['index', fx.libraryDir, '--db', db, '--models', fx.modelsDir, '--json']);
    expect(second).toMatchObject({ added: 0, updated: 0, removed: 0, moved: 0, embedded: 0, unchanged: files.length, failed: [] });
    const check = new Database(db, { readonly: true });
    const row = check.prepare(`SELECT size, meta_json FROM files WHERE path = ?`).get(accepted) as { size: number; meta_json: string };
    // The accepted tags' fingerprints followed their files (the tag is not shown as stale).
    const stale = check.prepare(`SELECT COUNT(*) AS n FROM tags t JOIN files f ON f.id = t.file_id WHERE t.fingerprint != f.fingerprint`).get() as { n: number };
    check.close();
    expect(stale.n).toBe(0);
    expect(row.size).toBe(fs.statSync(accepted).size);
    expect(JSON.parse(row.meta_json).ixml.USER.DESCRIPTION).toBe('A kettle whistles on the stove');
  });

  it.skipIf(!hasCorpus)('the recorder\'s SCENE/TAKE bext description stays; the caption is in iXML', async () => {
    const meta = await readMeta(path.join(fx.libraryDir, scene));
    expect(meta.bext?.description).toMatch(/sSCENE=A101\r\n/);
    expect(meta.ixml?.USER).toMatchObject({ DESCRIPTION: 'Actor says a line', CATID: 'VOXMisc' });
  });

  it('a read-only file is reported and untouched; a second run finds nothing to change', () => {
    const target = files.find((f) => f.endsWith('.wav') && !f.endsWith(scene))!;
    const bytes = fs.readFileSync(target);
    fs.chmodSync(target, 0o444);
    const summary = json(['write-tags', target, '--db', db, '--json']);
    expect(summary.written).toEqual([]);
    expect(summary.skipped).toEqual([{ path: target, reason: expect.stringMatching(/read-only/) }]);
    expect(fs.readFileSync(target).equals(bytes)).toBe(true);
    fs.chmodSync(target, 0o644);
    const again = json(['write-tags', target, '--db', db, '--json']);
    expect(again.skipped).toEqual([{ path: target, reason: 'The file already holds these tags' }]);
  });

  it('a path outside the library is skipped with a reason; a missing --db is one clear line', () => {
    const outside = json(['write-tags', tmp.dir + '/elsewhere.wav', '--db', db, '--json']);
    expect(outside.skipped).toEqual([{ path: tmp.dir + '/elsewhere.wav', reason: expect.stringMatching(/Not in the library/) }]);
    const r = runCli(['write-tags', fx.libraryDir, '--db', path.join(tmp.dir, 'none.db')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cuebank: No library database/);
  });
});
