/**
 * First run end to end: the built renderer in real Chromium, the real engine behind the web bridge,
 * a fresh workspace whose models folder is empty, and a local hub (test/fixtures/hub-server.ts)
 * serving the fixture CLAP pack as the catalog's recommended pack. The library screen offers the
 * pack, the download shows its progress (bytes, speed, ETA), the files already indexed are embedded
 * when it arrives, and search by meaning works over the fixture sounds and the shared corpus. Then
 * the Models screen lists the pack with the provider it got; its screenshot is saved.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../main/bridge/server';
import type { JobUpdate } from '../../preload/contract';
import type { FixtureSet } from '../fixtures';
import { fixtureHubRepo, HUB_PACK_ID, HUB_REPO, writeFixtureCatalog } from '../fixtures/hub-catalog';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import type { BridgeClient } from '../helpers/bridge';
import { corpusDir, corpusFiles, hasCorpus } from '../helpers/corpus';
import { hasChromium, indexFolder, pageWatcher, repoRoot, startE2eApp, type E2eApp } from '../helpers/e2e';
import { tempDir } from '../helpers/tmp';

const SCREENSHOTS = path.join(repoRoot, 'test-results');

describe.skipIf(!hasChromium('models'))('first run and the Models screen in Chromium through the web bridge', () => {
  let app: E2eApp;
  let hub: HubServer;
  let fx: FixtureSet;
  let bridge: Bridge;
  let context: BrowserContext;
  let client: BridgeClient;
  const side = tempDir('cuebank-e2e-models-hub-');
  const { cspViolations, pageErrors, consoleErrors, watch } = pageWatcher();

  beforeAll(async () => {
    hub = await startHubServer({ [HUB_REPO]: fixtureHubRepo() });
    const catalogPath = writeFixtureCatalog(path.join(side.dir, 'catalog.json'));
    app = await startE2eApp('cuebank-e2e-models-', { emptyModels: true, engine: { models: { catalogPath, hubEndpoint: hub.url } } });
    ({ fx, bridge, client, context } = app);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await hub?.close();
    side.cleanup();
  });

  it('offers the recommended pack, shows its download, embeds the library and searches by meaning', async () => {
    if (!hasCorpus) console.warn(`Corpus absent (${corpusDir}): the fixture sounds alone`);
    for (const folder of hasCorpus ? [fx.libraryDir, corpusDir] : [fx.libraryDir]) {
      const indexed = await indexFolder(client, folder);
      expect(indexed.type).toBe('done');
    }
    const embedDone = client.waitForEvent((name, p) => name === 'jobs.update' && (p as JobUpdate).kind === 'embed' && (p as JobUpdate).type === 'done', 120_000);

    const page = watch(await context.newPage());
    await page.goto(bridge.url);
    const offer = page.getByRole('region', { name: 'Get a model pack' });
    await offer.waitFor();
    await expect.poll(() => offer.textContent()).toContain('Fixture CLAP from the test hub');

    // Slow enough to watch: the text graph arrives at 100 kB/s.
    hub.faults.set('onnx/text_model.onnx', { bytesPerSecond: 100_000, times: 1 });
    await offer.getByRole('button', { name: 'Download' }).click();
    const bar = page.getByRole('progressbar', { name: `Downloading ${HUB_PACK_ID}` });
    await bar.waitFor({ timeout: 20_000 });
    // While the slow graph comes in: its name, the bytes so far, the speed and the time left.
    await expect.poll(async () => (await offer.textContent()) ?? '', { timeout: 20_000 }).toMatch(/(kB|MB)\/s .*onnx\/text_model\.onnx/);
    const during = (await offer.textContent()) ?? '';
    expect(during).toMatch(/\d+(\.\d)? (kB|MB) of \d+(\.\d)? (kB|MB)/);
    expect(during).toMatch(/s left|min left|estimating/);
    expect(during).toMatch(/onnx\/text_model\.onnx \(\d\/8\)/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'models-first-run-download.png') });

    // The pack arrives verified; the offer goes away and the indexed files are embedded in the background.
    await offer.waitFor({ state: 'detached', timeout: 60_000 });
    const embedded = (await embedDone) as JobUpdate & { result: { embedded: number } };
    expect(embedded.result.embedded).toBe(fx.library.length + corpusFiles().length);

    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.pressSequentially('low rumble', { delay: 15 });
    await page.getByText('for “low rumble”').waitFor({ timeout: 15_000 });
    await page.locator('[role="listbox"][aria-busy="false"]').waitFor();
    const options = page.getByRole('listbox', { name: 'Results' }).getByRole('option');
    const top = await Promise.all([0, 1, 2].map(async (i) => (await options.nth(i).getAttribute('data-path')) ?? ''));
    for (const p of top) {
      const entry = fx.library.find((e) => path.join(fx.libraryDir, ...e.file.split('/')) === p);
      expect(entry?.concepts, p).toContain('rumble');
    }

    await page.getByRole('link', { name: 'Models' }).click();
    const row = page.getByTestId(`installed-${HUB_PACK_ID}`);
    await row.waitFor();
    await expect.poll(() => row.textContent()).toMatch(/CPU|CUDA|DirectML|Core ML/);
    expect(await row.textContent()).toContain('default');
    expect(await row.textContent()).toContain(`hf:${HUB_REPO}@`);
    expect(await page.getByTestId(`catalog-${HUB_PACK_ID}`).textContent()).toContain('Installed');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'models.png'), fullPage: true });
    expect(fs.statSync(path.join(SCREENSHOTS, 'models.png')).size).toBeGreaterThan(10_000);
  }, 240_000);

  it('saw no CSP violations, page errors or console errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
