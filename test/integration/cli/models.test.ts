/**
 * `cuebank models …` as a user runs it, against the local test hub (HF_ENDPOINT): download into a
 * clean models folder, then search by meaning over the fixture sounds and the shared corpus; a
 * download killed mid-file resumes without fetching its first bytes again; import and remove.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { fixturePackFiles } from '../../fixtures/clap-pack';
import { HUB_PACK_ID, HUB_REPO, fixtureHubRepo, writeFixtureCatalog } from '../../fixtures/hub-catalog';
import { startHubServer, type HubServer } from '../../fixtures/hub-server';
import { repoRoot } from '../../helpers/cli';
import { corpusDir, corpusFiles, hasCorpus } from '../../helpers/corpus';
import { tempDir } from '../../helpers/tmp';

const entry = path.join(repoRoot, 'main', 'cli', 'index.ts');
const AUDIO = 'onnx/audio_model.onnx';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let hub: HubServer;
let tmp: ReturnType<typeof tempDir>;
let fx: FixtureSet;
let catalog: string;

/** The CLI in a child process, without blocking this one (the test hub runs here). */
function cli(args: string[], onSpawn?: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: repoRoot,
      env: { ...process.env, HF_ENDPOINT: hub.url, HTTPS_PROXY: '', HTTP_PROXY: '', https_proxy: '', http_proxy: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    onSpawn?.(child);
  });
}

beforeAll(async () => {
  tmp = tempDir('cuebank-cli-models-');
  fx = writeFixtures(path.join(tmp.dir, 'fx'));
  hub = await startHubServer({ [HUB_REPO]: fixtureHubRepo() });
  catalog = writeFixtureCatalog(path.join(tmp.dir, 'catalog.json'));
}, 120_000);
afterAll(async () => {
  await hub?.close();
  tmp?.cleanup();
});

describe('cuebank models', () => {
  it('catalog --json lists the bundled Xenova CLAP packs with their files', async () => {
    const r = await cli(['models', 'catalog', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const packs = JSON.parse(r.stdout) as { id: string; role: string; repo: string; revision: string; license: string; files: { path: string; size: number; dtype: string | null }[] }[];
    expect(packs.map((p) => p.repo)).toEqual(['Xenova/clap-htsat-unfused', 'Xenova/larger_clap_general', 'Xenova/larger_clap_music_and_speech']);
    const first = packs[0];
    expect(Object.keys(first).sort()).toEqual(['files', 'id', 'license', 'repo', 'revision', 'role']);
    expect(first.files.find((f) => f.path === 'onnx/audio_model_quantized.onnx')).toMatchObject({ dtype: 'q8' });
    expect(first.files.find((f) => f.path === 'config.json')).toMatchObject({ dtype: null });
    expect(first.files.every((f) => f.size > 0)).toBe(true);
  }, 120_000);

  it('download from a clean models folder, then search by text finds sounds by meaning', async () => {
    const models = path.join(tmp.dir, 'clean-models');
    const r = await cli(['models', 'download', HUB_PACK_ID, '--models', models, '--catalog', catalog, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(Object.keys(result).sort()).toEqual(['files', 'folder', 'id', 'resumedBytes']);
    expect(result.id).toBe(HUB_PACK_ID);
    expect(result.folder).toBe(path.join(models, HUB_PACK_ID));
    expect(result.resumedBytes).toBe(0);
    expect(result.files.find((f: { path: string }) => f.path === AUDIO).sha256).toMatch(/^[0-9a-f]{64}$/);
    // Progress goes to a terminal only: none in a pipe.
    expect(r.stderr).toBe('');

    const listed = await cli(['models', 'list', '--models', models, '--json']);
    expect(JSON.parse(listed.stdout).packs.map((p: { id: string }) => p.id)).toEqual([HUB_PACK_ID]);

    // The fixture sounds and the shared corpus's real recordings, side by side.
    if (!hasCorpus) console.warn(`Corpus absent (${corpusDir}): searching the fixture sounds alone`);
    const db = path.join(tmp.dir, 'lib.db');
    const folders = hasCorpus ? [fx.libraryDir, corpusDir] : [fx.libraryDir];
    const indexed = await cli(['index', ...folders, '--db', db, '--models', models, '--json']);
    expect(indexed.status, indexed.stderr).toBe(0);
    expect(JSON.parse(indexed.stdout).embedded).toBe(fx.library.length + corpusFiles().length);

    const search = await cli(['search', '--db', db, '--models', models, '--text', 'kettle whistle', '--limit', '3', '--json']);
    expect(search.status, search.stderr).toBe(0);
    const found = JSON.parse(search.stdout);
    expect(found.mode).toBe('semantic');
    const whistles = new Set(fx.library.filter((e) => e.concepts.includes('whistle')).map((e) => path.join(fx.libraryDir, e.file)));
    expect(found.results).toHaveLength(3);
    for (const hit of found.results) expect(whistles.has(hit.path), hit.path).toBe(true);
  }, 300_000);

  it('a download killed mid-file resumes where the disk left off', async () => {
    const models = path.join(tmp.dir, 'killed-models');
    const part = path.join(models, '.downloads', HUB_PACK_ID, 'pack', `${AUDIO}.part`);
    const audioSize = Buffer.from(fixturePackFiles().get(AUDIO) as Uint8Array).length;
    hub.faults.set(AUDIO, { bytesPerSecond: 64 * 1024, times: 1 });
    hub.requests.length = 0;
    const killed = await cli(['models', 'download', HUB_PACK_ID, '--models', models, '--catalog', catalog, '--json'], (child) => {
      const poll = setInterval(() => {
        if (fs.existsSync(part) && fs.statSync(part).size >= 48 * 1024) {
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      }, 20);
      child.on('close', () => clearInterval(poll));
    });
    expect(killed.status).toBeNull(); // killed, not finished
    const kept = fs.statSync(part).size;
    expect(kept).toBeGreaterThanOrEqual(48 * 1024);
    expect(kept).toBeLessThan(audioSize);
    // Nothing unfinished is listed.
    const listed = await cli(['models', 'list', '--models', models, '--json']);
    expect(JSON.parse(listed.stdout).packs).toEqual([]);

    hub.requests.length = 0;
    const resumed = await cli(['models', 'download', HUB_PACK_ID, '--models', models, '--catalog', catalog, '--json']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).resumedBytes).toBeGreaterThanOrEqual(kept);
    const gets = hub.requests.filter((q) => q.method === 'GET' && q.file === AUDIO && q.url.startsWith('/cdn/'));
    expect(gets.map((g) => g.range)).toEqual([`bytes=${kept}-`]);
    expect(hub.bytesSent(AUDIO)).toBe(audioSize - kept);
    expect(fs.existsSync(path.join(models, '.downloads', HUB_PACK_ID))).toBe(false);
  }, 240_000);

  it('import from a folder, then remove; bad input gives one clear line', async () => {
    const models = path.join(tmp.dir, 'import-models');
    const imported = await cli(['models', 'import', fx.packDir, '--models', models, '--json']);
    expect(imported.status, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ id: 'clap-fixture', role: 'embedder', format: 'xenova-clap' });
    expect(fs.existsSync(path.join(fx.packDir, 'config.json'))).toBe(true); // the source is only read

    const again = await cli(['models', 'import', fx.packDir, '--models', models]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^cuebank: A pack named "clap-fixture" is already installed; remove it first/);

    const removed = await cli(['models', 'remove', 'clap-fixture', '--models', models]);
    expect(removed.status, removed.stderr).toBe(0);
    expect(fs.existsSync(path.join(models, 'clap-fixture'))).toBe(false);

    const unknown = await cli(['models', 'download', 'no-such-pack', '--models', models, '--catalog', catalog]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^cuebank: No pack "no-such-pack" in the model catalog \(known: clap-fixture-hub\)\n$/);
    const badDtype = await cli(['models', 'download', HUB_PACK_ID, '--models', models, '--dtype', 'int3']);
    expect(badDtype.status).toBe(2);
    expect(badDtype.stderr).toMatch(/--dtype must be one of q8, fp16, fp32/);
  }, 300_000);
});
