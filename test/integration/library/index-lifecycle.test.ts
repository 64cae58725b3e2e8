import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IndexSummary } from '../../../preload/contract/library';
import { createEngine, type Engine } from '../../../main/engine';
import { writeWavFile } from '../../../main/engine/audio';
import { openDatabase } from '../../../main/engine/db/open';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { renderConcept } from '../../fixtures/sounds';
import { tempDir } from '../../helpers/tmp';

/** Copies the fixture library to a scratch folder the test may change. */
function setup(cleanups: (() => void)[]) {
  const tmp = tempDir();
  cleanups.push(tmp.cleanup);
  const fx: FixtureSet = writeFixtures(path.join(tmp.dir, 'fx'));
  const lib = path.join(tmp.dir, 'lib');
  fs.cpSync(fx.libraryDir, lib, { recursive: true });
  return { tmp: tmp.dir, fx, lib, db: path.join(tmp.dir, 'lib.db') };
}

async function index(engine: Engine, folders?: string[]): Promise<IndexSummary> {
  const { jobId } = await engine.call('library.index', folders ? { folders } : {});
  const job = await engine.waitForJob(jobId);
  expect(job.state).toBe('done');
  return job.result as IndexSummary;
}

function windowIds(dbFile: string, file: string): number[] {
  const db = openDatabase(dbFile);
  try {
    return (db.prepare(`SELECT w.id FROM windows w JOIN files f ON f.id = w.file_id WHERE f.path = ? ORDER BY w.id`).all(file) as { id: number }[]).map(
      (r) => r.id,
    );
  } finally {
    db.close();
  }
}

function digestTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(e.parentPath, e.name);
    if (e.isFile()) out[path.relative(dir, full)] = createHash('sha1').update(fs.readFileSync(full)).digest('hex') + fs.statSync(full).mtimeMs;
  }
  return out;
}

describe('re-indexing processes only what changed', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('unchanged, modified, moved and deleted files', async () => {
    const { fx, lib, db } = setup(cleanups);
    const before = digestTree(lib);
    const engine = await createEngine({ dbPath: db, modelsDir: fx.modelsDir });
    cleanups.unshift(() => void engine.close());
    const n = fx.library.length;

    const first = await index(engine, [lib]);
    expect(first).toMatchObject({ scanned: n, added: n, unchanged: 0, removed: 0, embedded: n, failed: [] });
    expect(digestTree(lib)).toEqual(before); // library files are only ever read

    const second = await index(engine);
    expect(second).toMatchObject({ scanned: n, added: 0, updated: 0, unchanged: n, moved: 0, removed: 0, embedded: 0 });

    // Modify one, move/rename another, delete a third.
    const [modified, moved, deleted] = [fx.library[0].file, fx.library[4].file, fx.library[8].file].map((f) => path.join(lib, f));
    writeWavFile(modified, { sampleRate: 48_000, channels: [renderConcept('hiss', { sampleRate: 48_000, seconds: 1 })] });
    const movedTo = path.join(lib, 'renamed', 'moved-here.wav');
    fs.mkdirSync(path.dirname(movedTo));
    const movedWindows = windowIds(db, moved);
    fs.renameSync(moved, movedTo);
    fs.rmSync(deleted);

    const third = await index(engine);
    expect(third).toMatchObject({ scanned: n - 1, added: 0, updated: 1, unchanged: n - 3, moved: 1, removed: 1, embedded: 1, failed: [] });
    // The moved file kept its vectors: same window rows, nothing re-embedded.
    expect(windowIds(db, movedTo)).toEqual(movedWindows);
    const stats = await engine.call('library.stats', {});
    expect(stats.files).toBe(n - 1);
    // The modified file now answers to its new content.
    const hits = (await engine.call('search.query', { text: 'steam hiss', limit: 3 })).results.map((r) => r.path);
    expect(hits).toContain(modified);
    const gone = (await engine.call('search.query', { text: 'whoosh', limit: 100 })).results.map((r) => r.path);
    expect(gone).not.toContain(deleted);

    expect(await index(engine)).toMatchObject({ added: 0, updated: 0, moved: 0, removed: 0, embedded: 0, unchanged: n - 1 });
  });

  it('keeps the files of a library folder that went missing (an unplugged drive is not a deletion)', async () => {
    const { fx, lib, db, tmp } = setup(cleanups);
    const engine = await createEngine({ dbPath: db, modelsDir: fx.modelsDir });
    cleanups.unshift(() => void engine.close());
    await index(engine, [lib]);
    fs.renameSync(lib, path.join(tmp, 'unplugged'));
    const summary = await index(engine);
    expect(summary.removed).toBe(0);
    expect(summary.failed).toEqual([{ path: lib, error: 'Folder not found' }]);
    expect((await engine.call('library.stats', {})).files).toBe(fx.library.length);
  });

  it('indexes without a CLAP pack, says why, and embeds in the background once a pack is added', async () => {
    const { fx, lib, db, tmp } = setup(cleanups);
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const engine = await createEngine({ dbPath: db, modelsDir: models });
    cleanups.unshift(() => void engine.close());

    const summary = await index(engine, [lib]);
    expect(summary).toMatchObject({ added: fx.library.length, embedded: 0, failed: [] });
    expect(summary.embeddingNote).toMatch(/needs a CLAP model pack/);
    expect(summary.embeddingNote).toContain(models);

    const keyword = await engine.call('search.query', { text: 'sfx 003' });
    expect(keyword.mode).toBe('keyword');
    expect(keyword.notes.join(' ')).toMatch(/CLAP model pack/);
    expect(keyword.results[0].name).toBe('sfx_003.wav');
    await expect(engine.call('search.query', { audioPath: path.join(lib, fx.library[0].file) })).rejects.toThrow(/CLAP model pack/);

    fs.cpSync(fx.packDir, path.join(models, path.basename(fx.packDir)), { recursive: true });
    const rescan = await engine.call('models.rescan', {});
    expect(rescan.embedder?.packId).toBe(path.basename(fx.packDir));
    expect(rescan.embedJobId).not.toBeNull();
    const embedded = (await engine.waitForJob(rescan.embedJobId!)).result as IndexSummary;
    expect(embedded).toMatchObject({ added: 0, updated: 0, embedded: fx.library.length, unchanged: 0 });
    const semantic = await engine.call('search.query', { text: 'low rumble', limit: 1 });
    expect(semantic.mode).toBe('semantic');
    expect(fx.library.find((e) => path.join(lib, e.file) === semantic.results[0].path)?.concepts).toContain('rumble');
    expect((await engine.call('models.rescan', {})).embedJobId).toBeNull();
  });

  it('starts the background embedding by itself when a long-running host opens the engine', async () => {
    const { fx, lib, db, tmp } = setup(cleanups);
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const first = await createEngine({ dbPath: db, modelsDir: models });
    await index(first, [lib]);
    await first.close();
    fs.cpSync(fx.packDir, path.join(models, path.basename(fx.packDir)), { recursive: true });
    const engine = await createEngine({ dbPath: db, modelsDir: models }, { background: true });
    cleanups.unshift(() => void engine.close());
    let job;
    for (let i = 0; i < 100 && !job; i++) {
      job = (await engine.call('jobs.list', {})).find((j) => j.kind === 'embed');
      if (!job) await new Promise((r) => setTimeout(r, 20));
    }
    expect(job).toBeDefined();
    const done = await engine.waitForJob(job!.id);
    expect((done.result as IndexSummary).embedded).toBe(fx.library.length);
  });
});
