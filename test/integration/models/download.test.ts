/**
 * The model manager's download against a local hub (test/fixtures/hub-server.ts): the fixture CLAP
 * pack is fetched through the hub's resolve endpoint and redirects, verified and loaded by the
 * production loader; resumes fetch only the missing bytes; every failure gives one clear message
 * and leaves nothing that discovery would list.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discoverPacks, loadEmbedder, readManifest } from '../../../main/engine/models';
import { HubClient } from '../../../main/engine/models/hub/client';
import { findCatalogPack, parseCatalog } from '../../../main/engine/models/hub/catalog';
import { downloadPack, stagingDir, type DownloadProgress } from '../../../main/engine/models/hub/download';
import { fixturePackFiles } from '../../fixtures/clap-pack';
import { fixtureCatalog, fixtureHubRepo, HUB_COMMIT, HUB_PACK_ID, HUB_REPO } from '../../fixtures/hub-catalog';
import { startHubServer, type HubServer } from '../../fixtures/hub-server';
import { tempDir } from '../../helpers/tmp';
import { dot } from './helpers';

let hub: HubServer;
let models: string;
let cleanup: () => void;
const pack = findCatalogPack(parseCatalog(fixtureCatalog()), HUB_PACK_ID);
const AUDIO = 'onnx/audio_model.onnx';
const TEXT = 'onnx/text_model.onnx';
const audioSize = Buffer.from(fixturePackFiles().get(AUDIO) as Uint8Array).length;

const client = (extra: ConstructorParameters<typeof HubClient>[0] = {}) => new HubClient({ endpoint: hub.url, env: {}, timeoutMs: 5000, ...extra });
const download = (extra: Partial<Parameters<typeof downloadPack>[0]> = {}) =>
  downloadPack({ pack, modelsDir: models, client: client(), freeBytes: async () => 1e12, ...extra });

/** The message a failed download gives, and proof nothing is listed as a pack. */
async function failure(run: Promise<unknown>): Promise<string> {
  const err = await run.then(
    () => null,
    (e: Error) => e,
  );
  expect(err, 'the download should have failed').toBeInstanceOf(Error);
  const found = await discoverPacks(models);
  expect(found.packs).toEqual([]);
  expect(found.problems).toEqual([]);
  expect(fs.existsSync(path.join(models, HUB_PACK_ID))).toBe(false);
  return err!.message;
}

beforeAll(async () => {
  hub = await startHubServer({ [HUB_REPO]: fixtureHubRepo() }, { aliases: { 'old-owner/clap-fixture': HUB_REPO } });
});
afterAll(() => hub.close());
beforeEach(() => {
  ({ dir: models, cleanup } = tempDir('cuebank-dl-'));
  hub.faults.clear();
  hub.requests.length = 0;
});
afterEach(() => cleanup());

describe('download from the hub', () => {
  it('fetches, verifies and installs the pack, which then loads and embeds', async () => {
    expect(audioSize).toBeGreaterThan(64 * 1024);
    const progress: DownloadProgress[] = [];
    const result = await download({ onProgress: (p) => progress.push(p) });
    expect(result.folder).toBe(path.join(models, HUB_PACK_ID));
    expect(result.commit).toBe(HUB_COMMIT);
    expect(result.resumedBytes).toBe(0);
    const expected = [...fixturePackFiles()].filter(([p]) => !p.includes('_quantized'));
    expect(result.files.map((f) => f.path).sort()).toEqual(expected.map(([p]) => p).sort());

    // The LFS files came through the hub's redirect (absolute and relative Locations both followed).
    const cdn = hub.requests.filter((r) => r.url.startsWith('/cdn/'));
    expect(cdn.filter((r) => r.method === 'GET').map((r) => r.file).sort()).toEqual([AUDIO, TEXT]);
    // Once the branch resolved to a commit, the rest of the pack is read at that commit.
    expect(hub.requests.some((r) => r.url.includes(`/resolve/${HUB_COMMIT}/`))).toBe(true);

    const last = progress[progress.length - 1];
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(last.bytesTotal).toBe(result.files.reduce((a, f) => a + f.size, 0));

    const manifest = readManifest(result.folder);
    expect(manifest.source).toBe(`hf:${HUB_REPO}@${HUB_COMMIT}`);
    expect(Object.keys(manifest.sha256).sort()).toEqual(result.files.map((f) => f.path).sort());
    expect(fs.existsSync(stagingDir(models, HUB_PACK_ID))).toBe(false);

    const { packs } = await discoverPacks(models);
    expect(packs.map((p) => p.id)).toEqual([HUB_PACK_ID]);
    const embedder = await loadEmbedder(packs[0]);
    try {
      const [low, high, rumble] = await embedder.embedText(['low rumble', 'high beep', 'deep low rumble']);
      // The fixture's semantics survived the trip: related texts are closer than unrelated ones.
      expect(dot(low, rumble)).toBeGreaterThan(dot(low, high));
    } finally {
      await embedder.dispose();
    }
  });

  it('follows a renamed repository\'s relative redirect', async () => {
    const moved = findCatalogPack(parseCatalog(fixtureCatalog({ repo: 'old-owner/clap-fixture' })), HUB_PACK_ID);
    const result = await download({ pack: moved });
    expect(result.files).toHaveLength(8);
    expect(hub.requests.some((r) => r.url.startsWith('/old-owner/clap-fixture/resolve/'))).toBe(true);
  });

  it('resumes a file cut off mid-body without fetching its first bytes again', async () => {
    const cut = 40_000;
    hub.faults.set(AUDIO, { closeAfter: cut, times: 1 });
    const message = await failure(download());
    expect(message).toMatch(/connection closed after \d+ of \d+ bytes of onnx\/audio_model\.onnx.*resume/i);
    const part = path.join(stagingDir(models, HUB_PACK_ID), 'pack', `${AUDIO}.part`);
    // What reached the disk before the cut (a reset can drop the last piece in flight) is kept.
    const kept = fs.statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(cut);

    hub.requests.length = 0;
    const result = await download();
    const gets = hub.requests.filter((r) => r.method === 'GET' && r.file === AUDIO && r.url.startsWith('/cdn/'));
    expect(gets.map((g) => g.range)).toEqual([`bytes=${kept}-`]);
    expect(hub.bytesSent(AUDIO)).toBe(audioSize - kept);
    expect(result.resumedBytes).toBeGreaterThanOrEqual(kept);
    // Files finished before the cut were not fetched again either.
    expect(hub.requests.filter((r) => r.method === 'GET' && r.file === 'config.json')).toEqual([]);
    expect((await discoverPacks(models)).packs.map((p) => p.id)).toEqual([HUB_PACK_ID]);
  });

  it('refuses a file with a flipped byte and removes it', async () => {
    hub.faults.set(TEXT, { flipByteAt: 1234, times: 1 });
    const message = await failure(download());
    expect(message).toMatch(/onnx\/text_model\.onnx does not match the hub's checksum \(expected sha256 [0-9a-f]{12}…, got [0-9a-f]{12}…\): the damaged file was removed/);
    const stage = path.join(stagingDir(models, HUB_PACK_ID), 'pack');
    expect(fs.existsSync(path.join(stage, `${TEXT}.part`))).toBe(false);
    expect(fs.existsSync(path.join(stage, TEXT))).toBe(false);
    // The next run fetches it again and succeeds.
    await download();
    expect((await discoverPacks(models)).packs).toHaveLength(1);
  });

  it('checks small (non-LFS) files against their git blob hash', async () => {
    hub.faults.set('tokenizer.json', { flipByteAt: 10, times: 1 });
    const message = await failure(download());
    expect(message).toMatch(/tokenizer\.json does not match the hub's checksum \(expected git sha1/);
  });

  it('gives one clear message for 404, 500, a timeout, a redirect loop and being offline', async () => {
    const missing = findCatalogPack(parseCatalog(fixtureCatalog({ extraFiles: ['vocab.json'] })), HUB_PACK_ID);
    expect(await failure(download({ pack: missing }))).toMatch(/^Not found on the hub \(HTTP 404\): cuebank-fixtures\/clap-fixture@\w+: vocab\.json/);

    hub.faults.set('config.json', { status: 500 });
    expect(await failure(download())).toMatch(/server error \(HTTP 500\) for .*config\.json; try again later/);
    hub.faults.clear();

    hub.faults.set(AUDIO, { stallAfter: 20_000 });
    expect(await failure(download({ client: client({ timeoutMs: 300 }) }))).toMatch(/^Timed out: no data for 0 s while fetching .*audio_model\.onnx\. Run the download again to resume/);
    hub.faults.clear();

    hub.faults.set('preprocessor_config.json', { redirectLoop: true });
    expect(await failure(download())).toMatch(/^Redirect loop while fetching .*preprocessor_config\.json/);
    hub.faults.clear();

    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const offline = new HubClient({ endpoint: `http://127.0.0.1:${port}`, env: {} });
    expect(await failure(download({ client: offline }))).toMatch(/^Cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\): you seem to be offline/);
  });

  it('checks free space before fetching anything', async () => {
    const message = await failure(download({ freeBytes: async () => 100_000 }));
    expect(message).toMatch(/^Not enough disk space for the model pack in .*: needs [\d.]+ MB more, 0\.1 MB free/);
    expect(hub.requests.filter((r) => r.method === 'GET')).toEqual([]);
  });

  it('stops on cancel and keeps what it fetched for the next run', async () => {
    const controller = new AbortController();
    hub.faults.set(AUDIO, { bytesPerSecond: 256 * 1024 });
    let audioPieces = 0;
    const run = download({
      signal: controller.signal,
      onProgress: (p) => {
        if (p.file === AUDIO && ++audioPieces === 4) controller.abort();
      },
    });
    const err = await run.catch((e: Error) => e);
    expect((err as Error).name).toBe('AbortError');
    expect((await discoverPacks(models)).packs).toEqual([]);
    const part = path.join(stagingDir(models, HUB_PACK_ID), 'pack', `${AUDIO}.part`);
    expect(fs.statSync(part).size).toBeGreaterThan(0);
  });

  it('sends the access token to the hub and never to another host', async () => {
    const token = 'hf_secret_token_for_tests';
    await download({ client: client({ token }) });
    const resolves = hub.requests.filter((r) => r.url.includes('/resolve/'));
    expect(resolves.length).toBeGreaterThan(0);
    expect(resolves.every((r) => r.authorization === `Bearer ${token}`)).toBe(true);
  });

  it('goes through HTTP_PROXY unless NO_PROXY exempts the hub', async () => {
    // A forward proxy as studios run them: the request line carries the absolute URL.
    const seen: string[] = [];
    const proxy = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      const target = new URL(req.url ?? '');
      const upstream = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    try {
      await download({ client: client({ env: { HTTP_PROXY: proxyUrl } }) });
      expect(seen.some((u) => u.startsWith(`${hub.url}/${HUB_REPO}/resolve/`))).toBe(true);
      expect(seen.some((u) => u.startsWith(`${hub.url}/cdn/`))).toBe(true);
      fs.rmSync(path.join(models, HUB_PACK_ID), { recursive: true });
      seen.length = 0;
      await download({ client: client({ env: { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } }) });
      expect(seen).toEqual([]);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('leaves a download another live process is running alone, and takes over one whose process is gone', async () => {
    const staging = stagingDir(models, HUB_PACK_ID);
    fs.mkdirSync(staging, { recursive: true });
    fs.writeFileSync(path.join(staging, 'lock'), String(process.ppid));
    expect(await failure(download())).toMatch(new RegExp(`^"${HUB_PACK_ID}" is already being downloaded by another Cuebank process \\(pid ${process.ppid}\\)`));
    expect(hub.requests).toEqual([]);
    // A pid no process has: the lock is stale.
    fs.writeFileSync(path.join(staging, 'lock'), '4194303');
    await download();
    expect((await discoverPacks(models)).packs).toHaveLength(1);
  });
});
