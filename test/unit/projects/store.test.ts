import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeWavFile } from '../../../main/engine/audio';
import { createEngine, type Engine } from '../../../main/engine';
import { tempDir } from '../../helpers/tmp';

function tone(seconds: number, sr = 48_000): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * sr) }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / sr));
}

describe('projects store', () => {
  let tmp: { dir: string; cleanup: () => void };
  let engine: Engine;
  let wav: string;

  beforeEach(async () => {
    tmp = tempDir();
    wav = path.join(tmp.dir, 'outside', 'boom.wav');
    fs.mkdirSync(path.dirname(wav));
    writeWavFile(wav, { sampleRate: 48_000, channels: [tone(1)] }, 'pcm16');
    engine = await createEngine({ dbPath: path.join(tmp.dir, 'w.db'), modelsDir: path.join(tmp.dir, 'models') });
  });
  afterEach(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('creates, renames, lists and refuses duplicate names', async () => {
    const p = await engine.call('projects.create', { name: 'Level 3 – Harbour' });
    expect(p).toMatchObject({ name: 'Level 3 – Harbour', itemCount: 0 });
    expect(p.folder).toBe(path.join(engine.config.dataDir, 'projects', p.id));
    expect(fs.statSync(p.folder).isDirectory()).toBe(true);
    expect(p.exportSettings).toMatchObject({ format: { container: 'wav', sample: 'pcm24' }, sampleRate: 48_000, normalize: { mode: 'none' } });
    await expect(engine.call('projects.create', { name: 'level 3 – HARBOUR' })).rejects.toThrow(/already exists/);
    const renamed = await engine.call('projects.rename', { projectId: p.id, name: 'Harbour' });
    expect(renamed.name).toBe('Harbour');
    expect((await engine.call('projects.list', {})).map((x) => x.name)).toEqual(['Harbour']);
  });

  it('copies outside audio into the project folder and keeps it when the original goes', async () => {
    const p = await engine.call('projects.create', { name: 'P' });
    const [item] = await engine.call('projects.addItems', {
      projectId: p.id,
      sources: [{ path: wav }],
      fields: { catId: 'explreal', creatorId: 'JD', keywords: ['boom'] },
    });
    expect(item).toMatchObject({ name: 'boom', sourceKind: 'file', catId: 'EXPLReal', category: 'EXPLOSIONS', isGenerated: false, version: 1, duration: 1 });
    expect(path.dirname(item.audioPath)).toBe(p.folder);
    fs.rmSync(wav);
    const { items } = await engine.call('projects.get', { projectId: p.id });
    expect(items[0].available).toBe(true);
    expect(fs.statSync(items[0].audioPath).size).toBeGreaterThan(96_000);
  });

  it('refuses a bad CatID with close matches and adds nothing', async () => {
    const p = await engine.call('projects.create', { name: 'P' });
    await expect(engine.call('projects.addItems', { projectId: p.id, sources: [{ path: wav }], fields: { catId: 'DOORWod' } })).rejects.toThrow(
      /Unknown UCS CatID "DOORWod"; close matches: DOORWood/,
    );
    expect((await engine.call('projects.get', { projectId: p.id })).items).toEqual([]);
    expect(fs.readdirSync(p.folder)).toEqual([]);
  });

  it('references a library pick without copying it, and follows its current path', async () => {
    const lib = path.join(tmp.dir, 'lib');
    fs.mkdirSync(lib);
    const libFile = path.join(lib, 'door.wav');
    writeWavFile(libFile, { sampleRate: 44_100, channels: [tone(2, 44_100)] }, 'pcm24');
    const before = fs.readFileSync(libFile);
    const { jobId } = await engine.call('library.index', { folders: [lib] });
    await engine.waitForJob(jobId);
    const p = await engine.call('projects.create', { name: 'P' });
    const [item] = await engine.call('projects.addItems', { projectId: p.id, sources: [{ path: libFile, window: { start: 0.5, end: 1.5 } }] });
    expect(item).toMatchObject({ sourceKind: 'library', audioPath: libFile, window: { start: 0.5, end: 1.5 }, duration: 1 });
    expect(item.libraryFileId).toBeTypeOf('number');
    expect(fs.readdirSync(p.folder)).toEqual([]);
    // The index saw the file move: the item follows.
    const moved = path.join(lib, 'door-renamed.wav');
    fs.renameSync(libFile, moved);
    await engine.waitForJob((await engine.call('library.index', { folders: [lib] })).jobId);
    expect((await engine.call('projects.get', { projectId: p.id })).items[0]).toMatchObject({ audioPath: moved, available: true, originalPath: libFile });
    expect(fs.readFileSync(moved).equals(before)).toBe(true);
    // Asked to, library picks are copied too.
    const [copied] = await engine.call('projects.addItems', { projectId: p.id, sources: [{ path: moved }], copyLibraryFiles: true });
    expect(path.dirname(copied.audioPath)).toBe(p.folder);
  });

  it('copies a generated take and marks it generated', async () => {
    const db = (engine as unknown as { config: { dbPath: string } }).config.dbPath;
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(db);
    const takeFile = path.join(engine.config.dataDir, 'takes', 'g1', 't1.wav');
    fs.mkdirSync(path.dirname(takeFile), { recursive: true });
    writeWavFile(takeFile, { sampleRate: 48_000, channels: [tone(1.5)] }, 'float32');
    raw.prepare(`INSERT INTO generations (id, prompt, settings_json, plan_json, state, created_at, updated_at) VALUES ('g1', 'wooden door slam', '{}', '{}', 'done', 0, 0)`).run();
    raw
      .prepare(
        `INSERT INTO takes (id, generation_id, iteration, candidate, seed, strategy, file, duration, sample_rate, channels, created_at)
         VALUES ('t1', 'g1', 1, 0, 7, 'initial', 'takes/g1/t1.wav', 1.5, 48000, 1, 0)`,
      )
      .run();
    raw.close();
    const p = await engine.call('projects.create', { name: 'P' });
    const [item] = await engine.call('projects.addItems', { projectId: p.id, sources: [{ takeId: 't1' }] });
    expect(item).toMatchObject({ sourceKind: 'take', takeId: 't1', isGenerated: true, name: 'wooden door slam', duration: 1.5 });
    expect(path.dirname(item.audioPath)).toBe(p.folder);
    fs.rmSync(takeFile);
    expect((await engine.call('projects.get', { projectId: p.id })).items[0].available).toBe(true);
    await expect(engine.call('projects.addItems', { projectId: p.id, sources: [{ takeId: 'nope' }] })).rejects.toThrow(/No generated take/);
  });

  it('bumps a version per edit and validates edits', async () => {
    const p = await engine.call('projects.create', { name: 'P' });
    const [item] = await engine.call('projects.addItems', { projectId: p.id, sources: [{ path: wav }] });
    const edited = await engine.call('projects.updateItem', { itemId: item.id, fields: { trimIn: 0.1, fadeOut: 0.2, fadeOutCurve: 'equalPower', notes: 'louder' } });
    expect(edited).toMatchObject({ version: 2, trimIn: 0.1, fadeOut: 0.2, notes: 'louder' });
    const again = await engine.call('projects.updateItem', { itemId: item.id, fields: { catId: 'doorWOOD', fxName: 'Slam' } });
    expect(again).toMatchObject({ version: 3, catId: 'DOORWood', subCategory: 'WOOD' });
    // No change, no version.
    expect((await engine.call('projects.updateItem', { itemId: item.id, fields: { fxName: 'Slam' } })).version).toBe(3);
    const history = await engine.call('projects.itemVersions', { itemId: item.id });
    expect(history.map((h) => [h.version, h.change])).toEqual([
      [1, 'added'],
      [2, 'edited'],
      [3, 'edited'],
    ]);
    expect(history[1].fields.notes).toBe('louder');
    expect(history[0].fields.notes).toBe('');
    await expect(engine.call('projects.updateItem', { itemId: item.id, fields: { trimOut: 0.05 } })).rejects.toThrow(/trimOut must be after trimIn/);
    await expect(engine.call('projects.updateItem', { itemId: item.id, fields: { trimIn: 5 } })).rejects.toThrow(/past the end/);
    await expect(engine.call('projects.updateItem', { itemId: item.id, fields: { catId: 'ZZZZ' } })).rejects.toThrow(/Unknown UCS CatID/);
  });

  it('duplicates a project with its items and files', async () => {
    const p = await engine.call('projects.create', { name: 'P' });
    await engine.call('projects.setExportSettings', { projectId: p.id, settings: { sampleRate: 96_000 } });
    const [item] = await engine.call('projects.addItems', { projectId: p.id, sources: [{ path: wav }], fields: { notes: 'n' } });
    const copy = await engine.call('projects.duplicate', { projectId: p.id });
    expect(copy).toMatchObject({ name: 'P copy', itemCount: 1 });
    expect(copy.exportSettings.sampleRate).toBe(96_000);
    const { items } = await engine.call('projects.get', { projectId: copy.id });
    expect(items[0]).toMatchObject({ notes: 'n', version: 1 });
    expect(items[0].id).not.toBe(item.id);
    expect(path.dirname(items[0].audioPath)).toBe(copy.folder);
    expect(fs.readFileSync(items[0].audioPath).equals(fs.readFileSync(item.audioPath))).toBe(true);
    expect((await engine.call('projects.duplicate', { projectId: p.id })).name).toBe('P copy 2');
  });

  it('undoes the last delete: an item, then a project, in reverse order', async () => {
    const p = await engine.call('projects.create', { name: 'P' });
    const [a, b] = await engine.call('projects.addItems', { projectId: p.id, sources: [{ path: wav }, { path: wav }] });
    await engine.call('projects.removeItem', { itemId: a.id });
    expect((await engine.call('projects.get', { projectId: p.id })).items.map((i) => i.id)).toEqual([b.id]);
    const deleted = await engine.call('projects.delete', { projectId: p.id });
    expect(deleted).toMatchObject({ kind: 'project', name: 'P' });
    expect(await engine.call('projects.list', {})).toEqual([]);
    await expect(engine.call('projects.get', { projectId: p.id })).rejects.toThrow(/No project/);

    expect(await engine.call('projects.undoDelete', {})).toMatchObject({ kind: 'project', projectId: p.id, name: 'P' });
    expect((await engine.call('projects.get', { projectId: p.id })).items.map((i) => i.id)).toEqual([b.id]);
    expect(await engine.call('projects.undoDelete', {})).toMatchObject({ kind: 'item', itemId: a.id });
    const items = (await engine.call('projects.get', { projectId: p.id })).items;
    expect(items.map((i) => i.id)).toEqual([a.id, b.id]);
    expect((await engine.call('projects.itemVersions', { itemId: a.id })).at(-1)?.change).toBe('restored');
    expect(await engine.call('projects.undoDelete', {})).toBeNull();
  });

  it('restores a deleted project under a new name when its name was taken meanwhile', async () => {
    const p = await engine.call('projects.create', { name: 'P' });
    await engine.call('projects.delete', { projectId: p.id });
    await engine.call('projects.create', { name: 'P' });
    expect(await engine.call('projects.undoDelete', {})).toMatchObject({ kind: 'project', name: 'P (restored)' });
  });

  it('saves, replaces, lists and deletes export presets', async () => {
    const p = await engine.call('projects.create', { name: 'P' });
    const settings = { ...p.exportSettings, format: { container: 'ogg' as const, quality: 0.4 } };
    expect((await engine.call('projects.exportPresets', { action: 'save', name: 'Mobile', settings })).map((x) => x.name)).toEqual(['Mobile']);
    const replaced = await engine.call('projects.exportPresets', { action: 'save', name: 'mobile', settings: { ...settings, sampleRate: 44_100 } });
    expect(replaced).toHaveLength(1);
    expect(replaced[0]).toMatchObject({ name: 'mobile', settings: { sampleRate: 44_100, format: { container: 'ogg', quality: 0.4 } } });
    expect(await engine.call('projects.exportPresets', { action: 'delete', name: 'MOBILE' })).toEqual([]);
    await expect(engine.call('projects.exportPresets', { action: 'delete', name: 'x' })).rejects.toThrow(/No export preset/);
  });

  it('answers the UCS list and checks CatIDs for the category picker', async () => {
    const { version, categories } = await engine.call('ucs.categories', {});
    expect(version).toBe('8.2.1');
    expect(categories).toHaveLength(752);
    expect(await engine.call('ucs.check', { catId: 'whshswsh' })).toMatchObject({ valid: false, category: null });
    expect((await engine.call('ucs.check', { catId: 'dooRWood' })).category?.catId).toBe('DOORWood');
  });
});
