/**
 * The library screen end to end: the built renderer in real Chromium, talking to the real engine
 * through the web bridge, on the fixture library and the fixture CLAP pack (whose words map to
 * spectral bands, so "low rumble" must find the rumble files). Skipped without /usr/bin/chromium.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../main/bridge/server';
import type { FixtureSet, LibraryEntry } from '../fixtures';
import type { BridgeClient } from '../helpers/bridge';
import { audioState, hasChromium, pageWatcher, repoRoot, startE2eApp, type AudioState, type E2eApp } from '../helpers/e2e';

const SCREENSHOT = path.join(repoRoot, 'test-results', 'library.png');

describe.skipIf(!hasChromium('library'))('library screen in Chromium through the web bridge', () => {
  let app: E2eApp;
  let fx: FixtureSet;
  let bridge: Bridge;
  let context: BrowserContext;
  let client: BridgeClient;
  const { cspViolations, pageErrors, consoleErrors, watch } = pageWatcher();

  const entryFor = (p: string): LibraryEntry | undefined => fx.library.find((e) => path.join(fx.libraryDir, ...e.file.split('/')) === p);

  beforeAll(async () => {
    app = await startE2eApp('cuebank-e2e-');
    ({ fx, bridge, client, context } = app);
  });

  afterAll(() => app?.close());

  /** Options of the results listbox (the filter <select>s have options too). */
  const resultOptions = (page: Page) => page.getByRole('listbox', { name: 'Results' }).getByRole('option');
  const selectedOption = (page: Page) => page.locator('[role="option"][aria-selected="true"]');
  const settled = (page: Page) => page.locator('[role="listbox"][aria-busy="false"]').waitFor();

  /** Types a query like a user and waits for its answer; returns the first result's path. */
  async function search(page: Page, text: string): Promise<string> {
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.fill('');
    await box.pressSequentially(text, { delay: 15 });
    await page.getByText(`for “${text}”`).waitFor({ timeout: 15_000 });
    await settled(page);
    return (await resultOptions(page).first().getAttribute('data-path')) ?? '';
  }

  async function playSelectedFromMatch(page: Page): Promise<{ start: number; first: AudioState; later: AudioState }> {
    const start = Number(await selectedOption(page).getAttribute('data-start'));
    await page.getByRole('listbox', { name: 'Results' }).press('Space');
    await expect.poll(async () => (await audioState(page)).paused, { timeout: 10_000 }).toBe(false);
    const first = await audioState(page);
    await page.waitForTimeout(400);
    const later = await audioState(page);
    return { start, first, later };
  }

  it('adds a folder by path, shows indexing to the end, finds "low rumble" and plays it from the match', async () => {
    const page = watch(await context.newPage());
    await page.goto(bridge.url);
    // The token leaves the address bar once the page has connected with it.
    await expect.poll(() => page.url()).not.toContain('token=');

    const folderField = page.getByRole('textbox', { name: 'Folder path' });
    await folderField.fill(fx.libraryDir);
    await folderField.press('Enter');

    const progress = page.getByRole('progressbar', { name: /Indexing/ });
    await progress.waitFor();
    await page.locator('[role="progressbar"][aria-valuenow="100"]').waitFor({ timeout: 30_000 });
    expect(await progress.getAttribute('aria-valuetext')).toBe('Done');
    const folders = page.getByRole('list', { name: 'Library folders' });
    await expect.poll(() => folders.textContent()).toContain(`${fx.library.length} files`);

    // A long file where the match is not at the start: playback begins at the matching window.
    const minDuration = page.getByRole('spinbutton', { name: /Minimum duration/ });
    await minDuration.fill('20');
    await minDuration.press('Tab');
    const beepFile = await search(page, 'high beep');
    const beep = entryFor(beepFile)!;
    expect(beep.concepts).toContain('beep');
    expect(beep.seconds).toBeGreaterThan(20);
    const listbox = page.getByRole('listbox', { name: 'Results' });
    await listbox.focus();
    const long = await playSelectedFromMatch(page);
    const beepEvent = beep.events.find((e) => e.concept === 'beep')!;
    expect(long.start).toBeGreaterThan(0);
    expect(long.start).toBeLessThanOrEqual(beepEvent.start);
    expect(long.first.currentTime).toBeGreaterThanOrEqual(long.start - 0.01);
    expect(long.later.currentTime).toBeGreaterThan(long.first.currentTime);
    await listbox.press('Space'); // stops
    await expect.poll(async () => (await audioState(page)).paused).toBe(true);
    await page.getByRole('button', { name: 'Clear filters' }).click();

    // The query the task is about.
    const top = await search(page, 'low rumble');
    expect(entryFor(top)!.concepts).toContain('rumble');
    expect(await resultOptions(page).first().getAttribute('aria-selected')).toBe('true');
    expect(await resultOptions(page).first().getAttribute('aria-label')).toContain(path.basename(top));

    // Keyboard-first: ArrowDown from the search field lands in the list, Space plays.
    await page.getByRole('searchbox', { name: 'Search' }).press('ArrowDown');
    expect(await listbox.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)).toBe(true);
    const rumble = await playSelectedFromMatch(page);
    expect(rumble.first.src).toContain('/media?path=' + encodeURIComponent(top));
    expect(rumble.first.currentTime).toBeGreaterThanOrEqual(rumble.start - 0.01);
    expect(rumble.later.paused).toBe(false);
    expect(rumble.later.currentTime).toBeGreaterThan(rumble.first.currentTime);

    // Waveform thumbnails drew for the visible rows.
    await expect
      .poll(() => page.locator('[role="option"] canvas.waveform:not(.loading)').count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(Math.min(5, fx.library.length));

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    // Enter reveals in the desktop app; the browser says it cannot.
    await listbox.press('ArrowDown');
    await listbox.press('Enter');
    await page.getByText(/Showing files in their folder needs the desktop app/).waitFor();

    // The query and selection are saved for the next start.
    await expect
      .poll(async () => {
        const r = await client.invoke('ui.getState', {});
        return r.ok ? (r.value as { lastQuery: { text: string } | null }).lastQuery?.text : null;
      })
      .toBe('low rumble');
    await page.close();
  });

  it('restores the folder list, the last query and the selection after a reload', async () => {
    const page = watch(await context.newPage());
    await page.goto(bridge.url);
    const state = (await client.invoke('ui.getState', {})) as { ok: true; value: { selectedPath: string } };
    expect(state.value.selectedPath).toBeTruthy();
    await page.reload(); // by the cookie now: the token left the address on the first load
    await expect.poll(() => page.getByRole('searchbox', { name: 'Search' }).inputValue()).toBe('low rumble');
    await expect.poll(() => page.getByRole('list', { name: 'Library folders' }).textContent()).toContain(path.basename(fx.libraryDir));
    await expect.poll(() => selectedOption(page).getAttribute('data-path'), { timeout: 10_000 }).toBe(state.value.selectedPath);
    expect(await resultOptions(page).first().getAttribute('data-path').then((p) => entryFor(p ?? '')?.concepts)).toContain('rumble');
    await page.close();
  });

  it('explains that dropping files needs the desktop app', async () => {
    const page = watch(await context.newPage());
    await page.goto(bridge.url);
    const pane = page.locator('section.folders');
    await pane.waitFor();
    const dataTransfer = await page.evaluateHandle(() => {
      const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (b: string[], n: string) => unknown };
      const dt = new g.DataTransfer();
      dt.items.add(new g.File(['x'], 'sounds.wav'));
      return dt;
    });
    await pane.dispatchEvent('dragover', { dataTransfer });
    await pane.dispatchEvent('drop', { dataTransfer });
    await page.getByText(/Dropping folders needs the desktop app/).first().waitFor();
    await page.close();
  });

  it('keeps 100,000 results smooth: a bounded number of options in the DOM, waveforms only for visible rows', async () => {
    const page = watch(await context.newPage());
    const N = 100_000;
    const hits = Array.from({ length: N }, (_, i) => ({
      fileId: i + 1,
      path: `/virtual/library/take_${i}.wav`,
      name: `take_${i}.wav`,
      folder: '/virtual/library',
      score: 1 - i / N,
      start: 0,
      end: 1,
      duration: 1.5,
      sampleRate: 48000,
      channels: 2,
      bitsPerSample: 24,
      codec: 'PCM',
      parts: { audio: null, text: 1 - i / N, keyword: null },
    }));
    let waveformRequests = 0;
    // The page talks to the real bridge; only this one query is answered here, and saving the
    // UI state is swallowed so this test leaves the workspace as it found it.
    await page.routeWebSocket(/\/ws/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        const m = JSON.parse(String(message)) as { type: string; id: number; name: string; input: { text?: string } };
        if (m.name === 'library.waveform') waveformRequests++;
        if (m.name === 'search.query' && m.input.text === 'everything') {
          ws.send(JSON.stringify({ type: 'result', id: m.id, result: { ok: true, value: { results: hits, mode: 'semantic', notes: [] } } }));
        } else if (m.name === 'ui.setState') {
          ws.send(JSON.stringify({ type: 'result', id: m.id, result: { ok: true, value: {} } }));
        } else {
          server.send(message);
        }
      });
    });
    await page.goto(bridge.url);
    await resultOptions(page).first().waitFor(); // the restored query ran
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.fill('everything');
    await box.press('Enter');
    const first = page.locator('[role="option"][aria-posinset="1"]');
    await expect.poll(() => first.getAttribute('aria-label'), { timeout: 20_000 }).toContain('take_0.wav');
    expect(await first.getAttribute('aria-setsize')).toBe(String(N));

    const options = resultOptions(page);
    const bound = 60;
    expect(await options.count()).toBeLessThanOrEqual(bound);

    const listbox = page.getByRole('listbox', { name: 'Results' });
    await listbox.focus();
    const t0 = Date.now();
    await listbox.press('End');
    const last = page.locator(`[role="option"][aria-posinset="${N}"]`);
    await last.waitFor();
    const endMs = Date.now() - t0;
    expect(await last.getAttribute('aria-selected')).toBe('true');
    expect(await listbox.getAttribute('aria-activedescendant')).toBe(await last.getAttribute('id'));
    expect(await options.count()).toBeLessThanOrEqual(bound);

    await listbox.press('PageUp');
    const afterPageUp = Number(await selectedOption(page).getAttribute('aria-posinset'));
    expect(afterPageUp).toBeLessThan(N);
    expect(afterPageUp).toBeGreaterThan(N - 30);
    await listbox.press('Home');
    await first.waitFor();
    expect(await first.getAttribute('aria-selected')).toBe('true');

    // Scroll through the middle of the list: still a window of rows.
    await listbox.evaluate((el) => {
      (el as unknown as { scrollTop: number }).scrollTop = 46 * 50_000;
    });
    await page.locator('[role="option"][aria-posinset="50001"]').waitFor();
    expect(await options.count()).toBeLessThanOrEqual(bound);

    await page.waitForTimeout(400); // let the waveform requests of the rows on screen go out
    expect(waveformRequests).toBeGreaterThan(0);
    expect(waveformRequests).toBeLessThanOrEqual(3 * bound);
    console.info(`100k results: End key to last row rendered in ${endMs} ms; ${waveformRequests} waveform requests`);
    await page.close();
  });

  it('reconnects when the connection to the bridge drops', async () => {
    const page = watch(await context.newPage());
    let refuse = 0;
    let live: WebSocketRoute | null = null;
    await page.routeWebSocket(/\/ws/, (ws) => {
      if (refuse > 0) {
        refuse--;
        void ws.close({ code: 1011, reason: 'test: refused' });
        return;
      }
      ws.connectToServer();
      live = ws;
    });
    await page.goto(bridge.url);
    await resultOptions(page).first().waitFor();
    refuse = 3;
    await live!.close({ code: 1006, reason: 'test: dropped' });
    await page.getByText('Reconnecting to Cuebank…').waitFor({ timeout: 5000 });
    const top = await search(page, 'steam hiss');
    expect(entryFor(top)!.concepts).toContain('hiss');
    expect(refuse).toBe(0);
    await expect.poll(() => page.getByRole('list', { name: 'Library folders' }).textContent()).toContain(path.basename(fx.libraryDir));
    await page.close();
  });

  it('says when the engine restarted and keeps working', async () => {
    const page = watch(await context.newPage());
    await page.goto(bridge.url);
    await resultOptions(page).first().waitFor();
    // Kill it while the page is idle (thumbnails loaded). A request written to the dying process
    // before its exit is noticed makes forkEngine's child emit an unhandled EPIPE 'error' (a host
    // bug reported separately), which would take the test worker down with it.
    await expect.poll(() => page.locator('[role="option"] canvas.waveform.loading').count(), { timeout: 10_000 }).toBe(0);
    await page.waitForTimeout(200);
    process.kill(bridge.supervisor.pid!, 'SIGKILL');
    await page.getByText('The engine restarted; nothing is lost; indexing resumes.').waitFor({ timeout: 10_000 });
    await page.getByText('It is running again.').waitFor({ timeout: 20_000 });
    const top = await search(page, 'kettle whistle');
    expect(entryFor(top)!.concepts).toContain('whistle');
    await page.close();
  });

  it('ran without a Content Security Policy violation or a page error', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
