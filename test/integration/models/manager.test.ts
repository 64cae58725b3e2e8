/**
 * The models area through the engine's contract, as the Models screen uses it: first run with no
 * pack (download from the test hub as a job, progress with speed and ETA, already indexed files
 * embedded on arrival, then search by meaning over fixture sounds and the shared corpus), import
 * from a zip (checked, refused when damaged or escaping), remove after unloading, a default pack
 * per role that survives a restart, the provider a loaded pack got, the hub token kept out of
 * every answer, and the language-model endpoint's connection test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../main/engine';
import { MemorySecretStore } from '../../../main/engine/models/manager/secrets';
import type { DownloadProgressDetail } from '../../../preload/contract/models';
import type { IndexSummary } from '../../../preload/contract/library';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { fixtureHubRepo, HUB_PACK_ID, HUB_REPO, writeFixtureCatalog } from '../../fixtures/hub-catalog';
import { startHubServer, type HubServer } from '../../fixtures/hub-server';
import { startFixtureLalmServer, type FixtureLalmServer } from '../../fixtures/lalm-server';
import { folderEntries, writeZip } from '../../fixtures/zip';
import { corpusDir, corpusFiles, hasCorpus } from '../../helpers/corpus';
import { tempDir } from '../../helpers/tmp';

let hub: HubServer;
let lalm: FixtureLalmServer;
let tmp: ReturnType<typeof tempDir>;
let fx: FixtureSet;
let catalogPath: string;
const engines: Engine[] = [];

async function open(name: string, options: { background?: boolean; secrets?: MemorySecretStore } = {}): Promise<{ engine: Engine; models: string; db: string }> {
  const models = path.join(tmp.dir, name, 'models');
  const db = path.join(tmp.dir, name, 'work.db');
  fs.mkdirSync(models, { recursive: true });
  const engine = await createEngine({ dbPath: db, modelsDir: models, models: { catalogPath, hubEndpoint: hub.url } }, options);
  engines.push(engine);
  return { engine, models, db };
}

async function indexLibrary(engine: Engine): Promise<IndexSummary> {
  const folders = hasCorpus ? [fx.libraryDir, corpusDir] : [fx.libraryDir];
  const job = await engine.waitForJob((await engine.call('library.index', { folders })).jobId);
  return job.result as IndexSummary;
}

beforeAll(async () => {
  tmp = tempDir('cuebank-models-manager-');
  fx = writeFixtures(path.join(tmp.dir, 'fx'));
  hub = await startHubServer({ [HUB_REPO]: fixtureHubRepo() });
  lalm = await startFixtureLalmServer();
  catalogPath = writeFixtureCatalog(path.join(tmp.dir, 'catalog.json'));
  if (!hasCorpus) console.warn(`Corpus absent (${corpusDir}): the fixture sounds alone`);
}, 120_000);
afterAll(async () => {
  for (const e of engines) await e.close();
  await hub?.close();
  await lalm?.stop();
  tmp?.cleanup();
});

describe('models area', () => {
  it('first run: download the recommended pack as a job, embed what was indexed, search by meaning', async () => {
    const { engine, models } = await open('first-run', { background: true });
    const before = await indexLibrary(engine);
    expect(before.embedded).toBe(0);
    expect((await engine.call('models.status', {})).embedder).toBeNull();

    const catalog = await engine.call('models.catalog', {});
    expect(catalog.recommended.embedder).toBe(HUB_PACK_ID);
    expect(catalog.hubEndpoint).toBe(hub.url);
    expect(catalog.packs[0]).toMatchObject({ id: HUB_PACK_ID, installed: false, partialBytes: 0 });

    const progress: DownloadProgressDetail[] = [];
    const off = engine.on('jobs.update', (u) => {
      if (u.type === 'progress' && u.kind === 'download') progress.push(u.progress.detail as DownloadProgressDetail);
    });
    hub.faults.set('onnx/audio_model.onnx', { bytesPerSecond: 512 * 1024, times: 1 });
    const { jobId } = await engine.call('models.download', { id: HUB_PACK_ID });
    const job = await engine.waitForJob(jobId);
    off();
    expect(job.state, JSON.stringify(job.error)).toBe('done');
    const result = job.result as { id: string; embedJobId: string | null };
    expect(result.id).toBe(HUB_PACK_ID);
    expect(progress.length).toBeGreaterThan(1);
    const last = progress[progress.length - 1];
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(progress.some((p) => p.bytesPerSecond > 0 && p.etaSeconds !== null)).toBe(true);

    // The already indexed files are embedded in the background once the pack arrives.
    expect(result.embedJobId).not.toBeNull();
    const embedded = (await engine.waitForJob(result.embedJobId!)).result as IndexSummary;
    expect(embedded.embedded).toBe(fx.library.length + corpusFiles().length);
    const search = await engine.call('search.query', { text: 'low rumble', limit: 3 });
    expect(search.mode).toBe('semantic');
    for (const r of search.results) expect(fx.library.find((e) => path.join(fx.libraryDir, e.file) === r.path)?.concepts).toContain('rumble');

    const status = await engine.call('models.status', {});
    const pack = status.packs.find((p) => p.id === HUB_PACK_ID)!;
    // The provider the loaded pack actually got (CPU on this machine: no accelerator is bundled).
    expect(pack).toMatchObject({ isDefault: true, source: expect.stringContaining(HUB_REPO), provider: status.embedder!.provider });
    expect(pack.provider).toMatch(/^(cpu|cuda|dml|coreml)$/);
    expect(pack.sizeBytes).toBeGreaterThan(100_000);
    expect((await engine.call('models.catalog', {})).packs[0].installed).toBe(true);
    await expect(engine.call('models.download', { id: HUB_PACK_ID })).rejects.toThrow(/already installed; remove it first/);

    // Remove unloads first; meaning-based search then says why it is unavailable.
    expect((await engine.call('models.remove', { id: HUB_PACK_ID })).removed).toBe(path.join(models, HUB_PACK_ID));
    expect(fs.existsSync(path.join(models, HUB_PACK_ID))).toBe(false);
    const after = await engine.call('models.status', {});
    expect(after.embedder).toBeNull();
    expect(after.note).toMatch(/CLAP model pack/);
  }, 180_000);

  it('imports a zip a studio distributes, and refuses a damaged or escaping one', async () => {
    const { engine, models } = await open('import');
    const zip = writeZip(path.join(tmp.dir, 'studio-clap.zip'), folderEntries(fx.packDir, 'studio-clap/'));
    const imported = await engine.call('models.import', { path: zip });
    expect(imported).toMatchObject({ id: 'studio-clap', role: 'embedder', format: 'xenova-clap', licence: 'CC0 (generated fixture)' });
    expect((await engine.call('models.status', {})).embedder?.packId).toBe('studio-clap');

    // cuebank.json's sha256 is checked: one changed byte and the pack is refused, nothing installed.
    const entries = folderEntries(fx.packDir, 'damaged/');
    const graph = Buffer.from(entries.get('damaged/onnx/text_model.onnx')!);
    graph[graph.length - 5] ^= 0xff;
    entries.set('damaged/onnx/text_model.onnx', graph);
    await expect(engine.call('models.import', { path: writeZip(path.join(tmp.dir, 'damaged.zip'), entries) })).rejects.toThrow(
      /onnx\/text_model\.onnx does not match its checksum in cuebank\.json/,
    );
    const escaping = new Map([['evil/../../escape.txt', 'x'] as [string, string]]);
    await expect(engine.call('models.import', { path: writeZip(path.join(tmp.dir, 'evil.zip'), escaping) })).rejects.toThrow(/holds a path outside its folder/);
    expect(fs.existsSync(path.join(tmp.dir, 'escape.txt'))).toBe(false);
    const notPack = writeZip(path.join(tmp.dir, 'notes.zip'), new Map([['notes/readme.txt', 'hello']]));
    await expect(engine.call('models.import', { path: notPack })).rejects.toThrow(/holds no model pack/);
    expect(fs.readdirSync(models).sort()).toEqual(['studio-clap']);
  }, 120_000);

  it('switching the default CLAP pack says how many files need embedding, and survives a restart', async () => {
    const { engine, models, db } = await open('defaults');
    fs.cpSync(fx.packDir, path.join(models, 'clap-a'), { recursive: true });
    fs.cpSync(fx.packDir, path.join(models, 'clap-b'), { recursive: true });
    await engine.call('models.rescan', {});
    const indexed = await indexLibrary(engine);
    expect(indexed.embedded).toBe(fx.library.length + corpusFiles().length);
    expect((await engine.call('models.status', {})).embedder?.packId).toBe('clap-a');

    const switched = await engine.call('models.setDefault', { role: 'embedder', id: 'clap-b' });
    expect(switched.space).toBe('clap-b@fp32');
    expect(switched.filesToEmbed).toBe(indexed.embedded);
    await expect(engine.call('models.setDefault', { role: 'generator', id: 'clap-a' })).rejects.toThrow(/"clap-a" is a embedder pack, not a generator pack/);
    const embedJobId = (await engine.call('models.rescan', {})).embedJobId;
    expect(embedJobId).not.toBeNull();
    await engine.waitForJob(embedJobId!);
    expect((await engine.call('models.setDefault', { role: 'embedder', id: 'clap-b' })).filesToEmbed).toBe(0);

    // The generator default is what generation uses when a request names no pack.
    fs.cpSync(fx.generatorPackDir, path.join(models, 'gen-a'), { recursive: true });
    fs.cpSync(fx.generatorPackDir, path.join(models, 'gen-b'), { recursive: true });
    expect((await engine.call('generate.packs', {})).defaults.packId).toBe('gen-a');
    await engine.call('models.setDefault', { role: 'generator', id: 'gen-b' });
    expect((await engine.call('generate.packs', {})).defaults.packId).toBe('gen-b');
    await engine.call('models.remove', { id: 'gen-b' });
    expect((await engine.call('models.settings', {})).defaults.generator).toBeNull();
    expect((await engine.call('generate.packs', {})).defaults.packId).toBe('gen-a');

    await engine.close();
    const reopened = await createEngine({ dbPath: db, modelsDir: models, models: { catalogPath } });
    engines.push(reopened);
    expect((await reopened.call('models.settings', {})).defaults.embedder).toBe('clap-b');
    expect((await reopened.call('models.status', {})).embedder?.packId).toBe('clap-b');
  }, 180_000);

  it('keeps the hub token out of every answer, and tests the language-model endpoint', async () => {
    const secrets = new MemorySecretStore();
    const { engine } = await open('settings', { secrets });
    const token = 'hf_never_shown_again';
    const set = await engine.call('models.setHub', { token, endpoint: 'https://hf-mirror.studio.example' });
    expect(set).toMatchObject({ hasToken: true, hubEndpoint: 'https://hf-mirror.studio.example' });
    expect(JSON.stringify(set)).not.toContain(token);
    expect(await secrets.get()).toBe(token);
    expect(JSON.stringify(await engine.call('models.settings', {}))).not.toContain(token);

    expect(await engine.call('models.testLalm', {})).toEqual({ ok: false, message: expect.stringMatching(/No language-model endpoint is set/) });
    await engine.call('models.setLalm', { url: lalm.url, model: null });
    expect(engine.config.critic.lalm.url).toBe(lalm.url);
    expect(engine.config.tagging.lalmUrl).toBe(lalm.url);
    const ok = await engine.call('models.testLalm', {});
    expect(ok.ok, ok.message).toBe(true);
    expect(ok.message).toMatch(new RegExp(`^Connected to ${lalm.url}`));
    const bad = await engine.call('models.testLalm', { url: 'http://127.0.0.1:9' });
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/Cannot reach the audio-language model at http:\/\/127\.0\.0\.1:9/);
  }, 60_000);
});
