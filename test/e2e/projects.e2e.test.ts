/**
 * The projects screen end to end: the built renderer in real Chromium, talking to the real engine
 * through the web bridge, on the fixture library. A project is created in the UI, library results
 * join it through "Add to project" and a file by its path, UCS fields are set through the category
 * picker (with an invalid CatID caught inline on the way), trim handles move by keyboard and mouse,
 * and the project exports as WAV at −23 LUFS to a folder: the summary lists the files, which exist
 * on disk under their UCS names. Exporting again asks about the clashes; "keep both" writes numbered
 * names next to the untouched first files. Skipped without /usr/bin/chromium.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectDetail, ProjectItem } from '../../preload/contract';
import type { Bridge } from '../../main/bridge/server';
import type { FixtureSet, LibraryEntry } from '../fixtures';
import type { BridgeClient } from '../helpers/bridge';
import { hasChromium, indexFolder, pageWatcher, repoRoot, startE2eApp, type E2eApp } from '../helpers/e2e';

const SCREENSHOT = path.join(repoRoot, 'test-results', 'projects.png');
const SCREENSHOT_EXPORT = path.join(repoRoot, 'test-results', 'projects-export.png');
const PROJECT = 'Level 3 – Harbour';

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Integrated loudness as ffmpeg's ebur128 filter measures it. */
function ffmpegIntegrated(file: string): number {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-filter_complex', 'ebur128', '-f', 'null', '-'], { encoding: 'utf8' });
  const m = /I:\s+(-?[\d.]+) LUFS/.exec(r.stderr.slice(r.stderr.lastIndexOf('Summary:')));
  if (!m) throw new Error(`no integrated loudness from ffmpeg for ${file}`);
  return Number(m[1]);
}

describe.skipIf(!hasChromium('projects'))('projects screen in Chromium through the web bridge', () => {
  let app: E2eApp;
  let fx: FixtureSet;
  let bridge: Bridge;
  let client: BridgeClient;
  let page: Page;
  let exportDir: string;
  const { cspViolations, pageErrors, consoleErrors, watch } = pageWatcher();

  const entryFor = (p: string): LibraryEntry | undefined => fx.library.find((e) => path.join(fx.libraryDir, ...e.file.split('/')) === p);

  beforeAll(async () => {
    app = await startE2eApp('cuebank-e2e-projects-');
    ({ fx, bridge, client } = app);
    exportDir = path.join(app.tmp.dir, 'exports', 'Harbour');
    // The fixture library, indexed before the page opens (the library e2e covers doing it in the UI).
    const end = await indexFolder(client, fx.libraryDir);
    expect(end.type).toBe('done');
    page = watch(await app.context.newPage());
  }, 240_000);

  afterAll(() => app?.close());

  const section = (name: 'Library' | 'Projects') => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name });
  const items = () => page.getByRole('listbox', { name: 'Project items' }).getByRole('option');

  async function projectDetail(): Promise<ProjectDetail> {
    const list = (await client.invoke('projects.list', {})) as { ok: true; value: { id: string; name: string }[] };
    const id = list.value.find((p) => p.name === PROJECT)!.id;
    const r = (await client.invoke('projects.get', { projectId: id })) as { ok: true; value: ProjectDetail };
    return r.value;
  }

  /** Searches on the library screen and adds the first result to the project through the menu. */
  async function addFromLibrary(query: string): Promise<string> {
    await section('Library').click();
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.fill(query);
    await page.getByText(`for “${query}”`).waitFor({ timeout: 15_000 });
    await page.locator('[role="listbox"][aria-busy="false"]').waitFor();
    const first = page.getByRole('listbox', { name: 'Results' }).getByRole('option').first();
    const file = (await first.getAttribute('data-path'))!;
    await first.click();
    await page.getByRole('button', { name: 'Add to project' }).click();
    await page.getByRole('menu', { name: 'Add to project' }).getByRole('menuitem', { name: new RegExp(PROJECT) }).click();
    await page.getByText(`to “${PROJECT}”.`).first().waitFor();
    return file;
  }

  it('creates a project, adds library results and a file by path, edits trim, fades and UCS fields', async () => {
    await page.goto(bridge.url);
    await expect.poll(() => page.url()).not.toContain('token=');
    await section('Projects').click();

    // Create in the UI.
    await page.getByRole('textbox', { name: 'New project name' }).fill(PROJECT);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('listbox', { name: 'Project list' }).getByRole('option', { name: new RegExp(PROJECT) }).waitFor();
    await page.getByRole('heading', { name: PROJECT }).waitFor();

    // Two library picks through "Add to project", one sound by its path.
    const rumble = await addFromLibrary('low rumble');
    expect(entryFor(rumble)!.concepts).toContain('rumble');
    const hiss = await addFromLibrary('steam hiss');
    expect(entryFor(hiss)!.concepts).toContain('hiss');
    const byPath = fx.library.map((e) => path.join(fx.libraryDir, ...e.file.split('/'))).find((p) => p !== rumble && p !== hiss && entryFor(p)!.seconds < 10)!;
    await section('Projects').click();
    await page.getByRole('textbox', { name: 'Audio file path' }).fill(byPath);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => items().count()).toBe(3);
    let detail = await projectDetail();
    expect(detail.items.map((i) => i.audioPath)).toEqual([rumble, hiss, byPath]);
    expect(detail.items.map((i) => i.sourceKind)).toEqual(['library', 'library', 'library']);

    // Item 1: UCS through the picker, searching by a word.
    await items().nth(0).click();
    const catId = page.getByRole('combobox', { name: 'CatID' });
    await catId.fill('rumble');
    const picker = page.getByRole('listbox', { name: 'UCS categories' });
    await picker.getByRole('option', { name: /DSGNRmbl/ }).click();
    await expect.poll(() => catId.inputValue()).toBe('DSGNRmbl');
    await page.getByText('DESIGNED / RUMBLE').waitFor();
    // Missing FXName / CreatorID / SourceID are shown inline until filled.
    await page.getByText('CreatorID missing: the name says NONE.').waitFor();
    await page.getByRole('textbox', { name: 'FXName' }).fill('Harbour Rumble');
    await page.getByRole('textbox', { name: 'CreatorID' }).fill('JD');
    await page.getByRole('textbox', { name: 'SourceID' }).fill('HARB');
    await expect.poll(() => page.getByText('CreatorID missing').count()).toBe(0);
    const preview = page.locator('output[aria-label="File name preview"]');
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toBe('DSGNRmbl_Harbour Rumble_JD_HARB.wav');

    // Trim in by keyboard (Shift+→ is 100 ms), trim out by dragging, a fade in typed.
    const trimIn = page.getByRole('slider', { name: 'Trim in' });
    await trimIn.focus();
    for (let i = 0; i < 3; i++) await trimIn.press('Shift+ArrowRight');
    await expect.poll(() => trimIn.getAttribute('aria-valuenow')).toBe('0.3');
    const trimOut = page.getByRole('slider', { name: 'Trim out' });
    const before = Number(await trimOut.getAttribute('aria-valuenow'));
    const box = (await trimOut.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height - 6);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 60, box.y + box.height - 6, { steps: 5 });
    await page.mouse.up();
    const after = Number(await trimOut.getAttribute('aria-valuenow'));
    expect(after).toBeLessThan(before);
    await page.getByRole('spinbutton', { name: /^Fade in/ }).fill('0.05');
    await page.getByRole('spinbutton', { name: /^Fade in/ }).press('Tab');
    await expect
      .poll(async () => {
        const it = (await projectDetail()).items[0];
        return [it.trimIn, it.trimOut !== null && Math.abs(it.trimOut - after) < 0.002, it.fadeIn, it.catId, it.fxName, it.creatorId, it.sourceId];
      })
      .toEqual([0.3, true, 0.05, 'DSGNRmbl', 'Harbour Rumble', 'JD', 'HARB']);

    // Item 2: a mistyped CatID is caught inline, a close match fixes it.
    await items().nth(1).click();
    await catId.fill('AIRHis');
    await catId.press('Tab');
    await page.getByRole('alert').getByText('Unknown CatID “AIRHis”: not in the UCS list.').waitFor();
    await page.getByRole('group', { name: 'Close CatIDs' }).getByRole('button', { name: 'AIRHiss', exact: true }).click();
    await page.getByText('AIR / HISS').waitFor();
    await page.getByRole('textbox', { name: 'FXName' }).fill('Steam Hiss');
    await expect.poll(async () => (await projectDetail()).items[1].fxName).toBe('Steam Hiss');
    expect((await projectDetail()).items[1].catId).toBe('AIRHiss');
    // Item 3 keeps no CatID: it exports under its own name.

    await items().nth(0).click();
    await page.locator('.trim canvas:not(.loading)').waitFor();
    // The "Added to …" notices would cover the UCS panel in the picture.
    // (They also leave by themselves, so one may be gone before its button is clicked.)
    const dismiss = page.getByRole('status').getByRole('button', { name: 'Dismiss' });
    while (await dismiss.count()) await dismiss.first().click({ timeout: 2000 }).catch(() => undefined);
    await page.waitForTimeout(300); // the waveform paints on the next frame
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  });

  let firstNames: string[] = [];
  const firstHashes = new Map<string, string>();

  it('exports as WAV at −23 LUFS: the summary lists the files, which exist under their UCS names', async () => {
    const plainName = (await projectDetail()).items[2].name;
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: `Export “${PROJECT}”` });
    await dialog.waitFor();
    // Escape closes it; it opens again.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Export…' }).click();
    await dialog.waitFor();

    await dialog.getByRole('combobox', { name: 'Format', exact: true }).selectOption('wav');
    await dialog.getByRole('combobox', { name: 'Sample format' }).selectOption('pcm24');
    await dialog.getByRole('combobox', { name: 'Sample rate' }).selectOption('48000');
    await dialog.getByRole('combobox', { name: 'Normalise' }).selectOption('loudness');
    await dialog.getByRole('spinbutton', { name: 'Target loudness (LUFS)' }).fill('-23');
    await dialog.getByRole('spinbutton', { name: 'Target loudness (LUFS)' }).press('Tab');
    await dialog.getByRole('textbox', { name: 'Default CreatorID' }).fill('JD');
    await dialog.getByRole('textbox', { name: 'Default SourceID' }).fill('HARB');
    await dialog.getByRole('textbox', { name: 'Export folder' }).fill(exportDir);

    const expected = ['DSGNRmbl_Harbour Rumble_JD_HARB.wav', 'AIRHiss_Steam Hiss_JD_HARB.wav', `${plainName}.wav`];
    const planned = dialog.getByRole('list', { name: 'Planned files' });
    await expect.poll(async () => (await planned.locator('.file').allTextContents()).map((t) => t.trim()), { timeout: 10_000 }).toEqual(expected);

    // Presets: save the settings under a name; the list offers it.
    await dialog.getByRole('textbox', { name: 'Preset name' }).fill('Game −23');
    await dialog.getByRole('button', { name: 'Save preset' }).click();
    await expect.poll(() => dialog.getByRole('combobox', { name: 'Preset', exact: true }).locator('option').allTextContents()).toContain('Game −23');

    // Tab stays inside the dialog.
    for (let i = 0; i < 40; i++) await page.keyboard.press('Tab');
    expect(await dialog.evaluate((el) => el.contains((el.ownerDocument as unknown as { activeElement: unknown }).activeElement as never))).toBe(true);

    await dialog.getByRole('button', { name: /^Export 3 files$/ }).click();
    const progress = dialog.getByRole('progressbar', { name: 'Export progress' });
    await progress.waitFor();
    await dialog.locator('[role="progressbar"][aria-valuenow="100"]').waitFor({ timeout: 60_000 });
    await dialog.getByText('Export finished').waitFor();
    const summary = dialog.getByRole('region', { name: 'Export summary' });
    await summary.getByRole('heading', { name: '3 files written' }).waitFor();
    const rows = await summary.locator('tbody tr td.file').allTextContents();
    expect(rows.map((r) => r.trim())).toEqual(expected);
    await page.waitForTimeout(300); // the bar's width transition
    await page.screenshot({ path: SCREENSHOT_EXPORT });

    // On disk under those names, at −23 LUFS as ffmpeg measures it where the ceiling allowed it.
    const onDisk = fs.readdirSync(exportDir).filter((n) => n.endsWith('.wav')).sort();
    expect(onDisk).toEqual([...expected].sort());
    const rumbleFile = path.join(exportDir, expected[0]);
    const loudnessText = await summary.locator('tbody tr').first().locator('td').nth(2).textContent();
    const shown = Number(loudnessText!.replace(/[^\d.-]/g, ''));
    expect(Math.abs(ffmpegIntegrated(rumbleFile) - shown)).toBeLessThanOrEqual(0.2);
    const note = (await summary.locator('tbody tr').first().locator('td.note').textContent())!.trim();
    if (!note) expect(Math.abs(shown + 23)).toBeLessThanOrEqual(0.2);
    expect(fs.readdirSync(exportDir).some((n) => n.endsWith('_manifest.csv'))).toBe(true);
    firstNames = expected;
    for (const n of expected) firstHashes.set(n, sha(path.join(exportDir, n)));

    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('exporting again asks about the clashes; keep both writes numbered names and leaves the first files alone', async () => {
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: `Export “${PROJECT}”` });
    await dialog.waitFor();
    // The summary of the last export is shown first; "Export again" goes back to the settings.
    await dialog.getByRole('button', { name: 'Export again…' }).click();
    // The folder and the settings are remembered.
    await expect.poll(() => dialog.getByRole('textbox', { name: 'Export folder' }).inputValue()).toBe(exportDir);
    await dialog.getByText('3 names already taken').waitFor({ timeout: 10_000 });
    await dialog.getByRole('button', { name: /^Export 3 files$/ }).click();

    const ask = dialog.getByRole('group', { name: /3 files of the same name already exist/ });
    await ask.waitFor();
    await ask.getByRole('button', { name: /Keep both/ }).click();
    await dialog.getByText('Export finished').waitFor({ timeout: 60_000 });
    const summary = dialog.getByRole('region', { name: 'Export summary' });
    await summary.getByRole('heading', { name: '3 files written' }).waitFor();
    const second = firstNames.map((n) => n.replace(/\.wav$/, '_2.wav'));
    const rows = await summary.locator('tbody tr td.file').allTextContents();
    expect(rows.map((r) => r.replace(/renamed/, '').trim())).toEqual(second);
    for (const n of second) expect(fs.existsSync(path.join(exportDir, n))).toBe(true);
    for (const n of firstNames) expect(sha(path.join(exportDir, n))).toBe(firstHashes.get(n));
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('exports a selection: only the ticked items are planned and written', async () => {
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: `Export “${PROJECT}”` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Export again…' }).click();
    const items = dialog.getByRole('group', { name: /^Items/ });
    await items.getByRole('checkbox', { name: 'All' }).uncheck();
    await expect.poll(() => dialog.getByRole('button', { name: /^Export/ }).last().isDisabled()).toBe(true);
    const boxes = items.getByRole('checkbox');
    await boxes.nth(1).check(); // the first item after "All"
    await dialog.getByText('1 name already taken').waitFor({ timeout: 10_000 });
    await dialog.getByRole('button', { name: /^Export 1 file$/ }).click();
    const ask = dialog.getByRole('group', { name: /1 file of the same name already exists/ });
    await ask.getByRole('button', { name: /Keep both/ }).click();
    await dialog.getByText('Export finished').waitFor({ timeout: 60_000 });
    const summary = dialog.getByRole('region', { name: 'Export summary' });
    await summary.getByRole('heading', { name: '1 file written' }).waitFor();
    const [row] = await summary.locator('tbody tr td.file').allTextContents();
    expect(row.replace(/renamed/, '').trim()).toBe(firstNames[0].replace(/\.wav$/, '_3.wav'));
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('deletes the project with an undo, and undo brings it back with its items', async () => {
    const list = page.getByRole('listbox', { name: 'Project list' });
    await page.getByRole('group', { name: 'Project actions' }).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => list.getByRole('option', { name: new RegExp(PROJECT) }).count()).toBe(0);
    await page.getByText(`“${PROJECT}”`).first().waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await list.getByRole('option', { name: new RegExp(PROJECT) }).waitFor();
    await expect.poll(() => items().count()).toBe(3);
    const restored: ProjectItem[] = (await projectDetail()).items;
    expect(restored.map((i) => i.catId)).toEqual(['DSGNRmbl', 'AIRHiss', null]);
  });

  it('ran without a Content Security Policy violation or a page error', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
