/**
 * The tagging screen end to end: the built renderer in real Chromium, talking to the real engine
 * through the web bridge, on the fixture library (no file carries a description) and the fixture
 * CLAP pack. A folder is tagged from the screen (progress to the end); the queue is reviewed with
 * the keyboard: arrows move, Enter accepts a suggestion as it is, E opens the caption editor and
 * Escape leaves it, a CatID is picked among the top 3, Enter saves the edits, Delete rejects, and
 * "Accept all above" takes the rest above a confidence. The library list then shows the accepted
 * caption and CatID in its columns, and its category filter keeps only that UCS category.
 * "Write metadata to files…" previews per file what changes (and which files are skipped, why),
 * Escape closes it, Write puts the accepted captions into those files (read back with the engine's
 * reader) with a backup of each, and leaves every file without an accepted tag byte for byte as it was.
 * Skipped without /usr/bin/chromium.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResponse, TagDetail, TagList, TagWritePlan, UcsCategoryValue } from '../../preload/contract';
import type { Bridge } from '../../main/bridge/server';
import { decodeFile, readMeta, type FileMeta } from '../../main/engine/audio';
import { encodeAudio } from '../../main/engine/export/encode';
import type { FixtureSet } from '../fixtures';
import type { BridgeClient } from '../helpers/bridge';
import { audioState, hasChromium, indexFolder, pageWatcher, repoRoot, startE2eApp, type E2eApp } from '../helpers/e2e';

const SCREENSHOT_QUEUE = path.join(repoRoot, 'test-results', 'tagging.png');
const SCREENSHOT_LIBRARY = path.join(repoRoot, 'test-results', 'tagging-library.png');
const SCREENSHOT_CATEGORY = path.join(repoRoot, 'test-results', 'tagging-category.png');
const SCREENSHOT_WRITE = path.join(repoRoot, 'test-results', 'tagging-write.png');
const SCREENSHOT_WRITTEN = path.join(repoRoot, 'test-results', 'tagging-written.png');
const EDITED_CAPTION = 'A deep distant rumble under the harbour';

/** Every audio file under `dir` (backups and other files left out) with its bytes. */
function audioBytes(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const p = path.join(e.parentPath, e.name);
    if (e.isFile() && /\.(wav|aiff?|flac|ogg|mp3)$/i.test(e.name)) out.set(p, fs.readFileSync(p));
  }
  return out;
}

/** The caption-carrying fields a file's metadata has, whatever its format. */
function captionFields(meta: FileMeta): (string | undefined)[] {
  const user = (meta.ixml?.USER ?? {}) as Record<string, unknown>;
  return [meta.bext?.description, user.DESCRIPTION as string | undefined, meta.info.DESCRIPTION, meta.info.COMMENT];
}

/** A copy of `src` whose bext and iXML carry `description` (written by the export encoder). */
async function writeDescribedCopy(src: string, dest: string, description: string): Promise<void> {
  const { audio } = await decodeFile(src);
  const bytes = await encodeAudio(audio, { container: 'wav', sample: 'pcm24' }, {
    title: path.basename(dest, '.wav'),
    description,
    origination: new Date(Date.UTC(2024, 0, 1)),
    isLoop: false,
    isGenerated: false,
  });
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, bytes);
}

describe.skipIf(!hasChromium('tagging'))('tagging screen in Chromium through the web bridge', () => {
  let app: E2eApp;
  let fx: FixtureSet;
  let bridge: Bridge;
  let client: BridgeClient;
  let page: Page;
  let ucs: UcsCategoryValue[];
  let describedDir: string;
  const { cspViolations, pageErrors, consoleErrors, watch } = pageWatcher();

  const categoryOf = (catId: string): string => ucs.find((c) => c.catId.toLowerCase() === catId.toLowerCase())!.category;

  beforeAll(async () => {
    app = await startE2eApp('cuebank-e2e-tagging-');
    ({ fx, bridge, client } = app);
    // Described copies of half the fixture sounds, in a folder of their own: the library's own
    // audio–text pairs, retrieved as the evidence of the suggestions for the (undescribed) fixture folder.
    describedDir = path.join(app.tmp.dir, 'described');
    for (const [i, e] of fx.library.entries()) {
      if (i % 2 === 0) await writeDescribedCopy(path.join(fx.libraryDir, e.file), path.join(describedDir, e.file.replace(/\//g, '_')), e.text);
    }
    // Indexed before the page opens (the library e2e covers doing it in the UI).
    for (const folder of [describedDir, fx.libraryDir]) expect((await indexFolder(client, folder)).type).toBe('done');
    ucs = (await client.value<{ categories: UcsCategoryValue[] }>('ucs.categories', {})).categories;
    page = watch(await app.context.newPage());
  }, 240_000);

  afterAll(() => app?.close());

  const section = (name: 'Library' | 'Tagging') => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name });
  const queue = () => page.getByRole('listbox', { name: 'Review queue' });
  const queued = () => queue().getByRole('option');
  const selectedPath = () => queue().locator('[role="option"][aria-selected="true"]').getAttribute('data-path');
  const filter = (name: RegExp) => page.getByRole('radiogroup', { name: 'Queue filter' }).getByRole('radio', { name });
  const countOf = async (name: RegExp) => Number((await filter(name).locator('.count').textContent())?.replace(/\D/g, ''));
  const tagOf = (p: string) => client.value<TagDetail>('tagging.get', { path: p });
  const settled = () => page.locator('[role="listbox"][aria-label="Review queue"]:not([aria-busy])').waitFor();

  it('tags the folder from the screen and reviews the queue with the keyboard', async () => {
    await page.goto(bridge.url);
    await expect.poll(() => page.url()).not.toContain('token=');
    await section('Tagging').click();
    await expect.poll(() => page.url()).toContain('#tagging');

    // Tag the library folder: the job runs to the end on screen.
    await page.getByRole('combobox', { name: 'Folder to tag' }).selectOption(fx.libraryDir);
    await page.getByRole('button', { name: `Tag ${path.basename(fx.libraryDir)}` }).click();
    await page.getByRole('progressbar', { name: 'Tagging progress' }).waitFor();
    await page.locator('[role="progressbar"][aria-label="Tagging progress"][aria-valuenow="100"]').waitFor({ timeout: 120_000 });
    await page.getByText(/files? tagged/).waitFor();

    // Every file lacked a description, so every file is in the suggested queue.
    const listed = await client.value<TagList>('tagging.list', { filter: 'suggested', folder: fx.libraryDir, limit: 1000 });
    expect(listed.total).toBe(fx.library.length);
    await expect.poll(() => countOf(/^Suggested/)).toBe(fx.library.length);
    await expect.poll(() => queued().count()).toBe(fx.library.length);
    await settled();

    // The first file is selected and its suggestion is on show: caption, top 3 with the first chosen, keywords.
    const first = (await selectedPath())!;
    const firstTag = await tagOf(first);
    expect(firstTag.source).toBe('suggested');
    await expect.poll(() => page.getByRole('textbox', { name: 'Caption' }).inputValue()).toBe(firstTag.caption);
    const choices = page.getByRole('radiogroup', { name: 'UCS category' }).getByRole('radio');
    expect(await choices.count()).toBe(Math.min(3, firstTag.alternatives.length));
    expect(await choices.first().getAttribute('aria-checked')).toBe('true');
    expect(await choices.first().getAttribute('aria-label')).toContain(firstTag.catId!);
    expect(await page.getByRole('list', { name: 'Keywords' }).textContent()).toContain(firstTag.keywords[0] ?? '');

    // The evidence: the described sounds it was retrieved from, each playable.
    expect(firstTag.evidence.length).toBeGreaterThan(0);
    expect(firstTag.evidence.every((e) => e.path.startsWith(describedDir))).toBe(true);
    const evidence = page.getByRole('region', { name: 'Sounds like these from your library' }).getByRole('listitem');
    await expect.poll(() => evidence.count()).toBe(firstTag.evidence.length);
    expect(await evidence.first().textContent()).toContain(firstTag.evidence[0].caption);
    await evidence.first().getByRole('button', { name: `Play ${path.basename(firstTag.evidence[0].path)}` }).click();
    await expect.poll(async () => (await audioState(page)).paused, { timeout: 10_000 }).toBe(false);
    expect((await audioState(page)).src).toContain('/media?path=' + encodeURIComponent(firstTag.evidence[0].path));

    fs.mkdirSync(path.dirname(SCREENSHOT_QUEUE), { recursive: true });
    await page.screenshot({ path: SCREENSHOT_QUEUE });
    await evidence.first().getByRole('button', { name: /^Stop / }).click();
    await expect.poll(async () => (await audioState(page)).paused).toBe(true);

    // Arrows move through the queue.
    await queue().focus();
    await queue().press('ArrowDown');
    await expect.poll(selectedPath).toBe(await queued().nth(1).getAttribute('data-path'));
    await queue().press('ArrowUp');
    await expect.poll(selectedPath).toBe(first);
    // Space plays the selected file from its start and stops it.
    await queue().press('Space');
    await expect.poll(async () => (await audioState(page)).paused, { timeout: 10_000 }).toBe(false);
    expect((await audioState(page)).src).toContain('/media?path=' + encodeURIComponent(first));
    await queue().press('Space');
    await expect.poll(async () => (await audioState(page)).paused).toBe(true);

    // Enter accepts the suggestion as it is; the next file takes the selection.
    const second = (await queued().nth(1).getAttribute('data-path'))!;
    await queue().press('Enter');
    await expect.poll(async () => (await tagOf(first)).source).toBe('accepted');
    await expect.poll(selectedPath).toBe(second);
    await expect.poll(() => countOf(/^Suggested/)).toBe(fx.library.length - 1);
    await expect.poll(() => countOf(/^Accepted/)).toBe(1);
    const accepted = await tagOf(first);
    expect(accepted.caption).toBe(firstTag.caption);
    expect(accepted.catId).toBe(firstTag.catId);

    // E opens the caption editor, Escape hands the keys back to the queue with the text kept; the
    // second CatID of the top 3 is picked, then another through the UCS picker; a keyword chip goes,
    // one is added; Enter saves it all as an edit.
    const secondTag = await tagOf(second);
    expect(secondTag.alternatives.length).toBeGreaterThanOrEqual(2);
    await queue().press('e');
    const caption = page.getByRole('textbox', { name: 'Caption' });
    await expect.poll(() => caption.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)).toBe(true);
    await caption.fill(EDITED_CAPTION);
    await caption.press('Escape');
    await expect.poll(() => queue().evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)).toBe(true);
    await choices.nth(1).click();
    expect(await choices.nth(1).getAttribute('aria-checked')).toBe('true');
    expect(await choices.first().getAttribute('aria-checked')).toBe('false');
    const pickedCatId = 'THUN';
    expect(secondTag.alternatives.map((a) => a.catId)).not.toContain(pickedCatId);
    await page.getByRole('combobox', { name: 'Another CatID' }).fill('thunder');
    await page.getByRole('listbox', { name: 'UCS categories' }).getByRole('option', { name: /^THUN\b/ }).click();
    await page.getByText('WEATHER / THUNDER').waitFor();
    expect(await choices.nth(1).getAttribute('aria-checked')).toBe('false');
    const keywords = page.getByRole('list', { name: 'Keywords' });
    const dropped = secondTag.keywords[0];
    await keywords.getByRole('button', { name: `Remove keyword ${dropped}` }).click();
    await keywords.getByRole('textbox', { name: 'Add keywords' }).fill('harbour');
    await keywords.getByRole('textbox', { name: 'Add keywords' }).press('Enter');
    await keywords.getByText('harbour').waitFor();
    await expect.poll(() => queue().locator('[role="option"][aria-selected="true"]').getAttribute('aria-label')).toContain('edited, not saved');
    await queue().focus();
    await queue().press('Enter');
    await expect.poll(async () => (await tagOf(second)).source).toBe('edited');
    const edited = await tagOf(second);
    expect(edited.caption).toBe(EDITED_CAPTION);
    expect(edited.catId).toBe(pickedCatId);
    expect(edited.keywords).toEqual([...secondTag.keywords.slice(1), 'harbour']);
    expect(edited.history.some((h) => h.source === 'suggested' && h.caption === secondTag.caption)).toBe(true);

    // Delete rejects: no tag, and the file leaves the suggested queue.
    // The engine records the edit before the queue re-reads: the selection moves on after it.
    await expect.poll(selectedPath).not.toBe(second);
    const third = (await selectedPath())!;
    expect([first, second]).not.toContain(third);
    await queue().press('Delete');
    await expect.poll(async () => (await tagOf(third)).source).toBe('rejected');
    await expect.poll(() => countOf(/^Suggested/)).toBe(fx.library.length - 3);

    // Accept all above a confidence: chosen between the remaining suggestions' confidences, so some
    // are accepted and some stay in the queue.
    const before = await client.value<TagList>('tagging.list', { filter: 'suggested', folder: fx.libraryDir, limit: 1000 });
    const confidences = before.rows.map((r) => r.confidence ?? 0).sort((a, b) => b - a);
    const threshold = Math.floor(confidences[Math.floor(confidences.length / 2)] * 100) / 100;
    const above = confidences.filter((c) => c >= threshold).length;
    expect(above).toBeGreaterThan(0);
    expect(above).toBeLessThan(before.total);
    await page.getByRole('slider', { name: 'Accept all at or above' }).fill(String(threshold));
    await page.getByRole('button', { name: 'Accept all above' }).click();
    await page.getByText(`Accepted ${above} suggestions at ${Math.round(threshold * 100)}% or more.`).waitFor();
    await expect.poll(() => countOf(/^Suggested/)).toBe(before.total - above);
    await expect.poll(() => countOf(/^Accepted/)).toBe(2 + above);
    const left = await client.value<TagList>('tagging.list', { filter: 'suggested', folder: fx.libraryDir, limit: 1000 });
    expect(left.rows.every((r) => (r.confidence ?? 0) < threshold)).toBe(true);
  });

  it('shows the accepted caption and CatID in the library list and filters it by category', async () => {
    const accepted = await client.value<TagList>('tagging.list', { filter: 'accepted', folder: fx.libraryDir, limit: 1000 });
    const edited = accepted.rows.find((r) => r.caption === EDITED_CAPTION)!;
    expect(edited).toBeDefined();
    const category = categoryOf(edited.catId!);

    await section('Library').click();
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.fill(EDITED_CAPTION.toLowerCase());
    await page.getByText(`for “${EDITED_CAPTION.toLowerCase()}”`).waitFor({ timeout: 15_000 });
    await page.locator('[role="listbox"][aria-label="Results"][aria-busy="false"]').waitFor();
    const results = page.getByRole('listbox', { name: 'Results' }).getByRole('option');
    const row = results.and(page.locator(`[data-path="${edited.path.replace(/"/g, '\\"')}"]`));
    await row.waitFor();
    expect(await row.locator('.caption').textContent()).toBe(EDITED_CAPTION);
    expect(await row.locator('.catid').textContent()).toBe(edited.catId);
    expect(await row.getAttribute('aria-label')).toContain(EDITED_CAPTION);
    // Tagged rows show their caption and CatID; suggestions not yet accepted are drawn fainter.
    await expect.poll(() => page.locator('[role="option"] .catid.suggested').count()).toBeGreaterThan(0);
    await page.locator('[role="option"] canvas.waveform:not(.loading)').first().waitFor();
    fs.mkdirSync(path.dirname(SCREENSHOT_LIBRARY), { recursive: true });
    await page.screenshot({ path: SCREENSHOT_LIBRARY });

    // The category filter alone keeps exactly the files whose tag (accepted, edited or suggested, not
    // rejected) is in that UCS category: first the category most tags fall in, then the edited file's.
    await box.fill('');
    const suggested = await client.value<TagList>('tagging.list', { filter: 'suggested', folder: fx.libraryDir, limit: 1000 });
    const tagged = [...accepted.rows, ...suggested.rows].filter((r) => r.catId);
    const inCategory = (name: string) => tagged.filter((r) => categoryOf(r.catId!) === name).map((r) => r.path).sort();
    const byCount = [...new Set(tagged.map((r) => categoryOf(r.catId!)))].sort((a, b) => inCategory(b).length - inCategory(a).length);
    const busiest = byCount[0];
    expect(busiest).not.toBe(category);
    expect(inCategory(busiest).length).toBeGreaterThan(1);
    const categorySelect = page.getByRole('combobox', { name: 'Category' });
    const resultCount = page.locator('.header .count');
    for (const name of [busiest, category]) {
      await categorySelect.selectOption(name);
      await expect.poll(() => resultCount.textContent()).toBe(`${inCategory(name).length} result${inCategory(name).length === 1 ? '' : 's'}`);
      const shown = await client.value<SearchResponse>('search.query', { filters: { category: name }, limit: 1000 });
      expect(shown.results.map((h) => h.path).sort()).toEqual(inCategory(name));
      expect(shown.results.every((h) => h.tag?.catId && categoryOf(h.tag.catId) === name)).toBe(true);
      if (name === busiest) {
        await page.locator('[role="option"] canvas.waveform:not(.loading)').first().waitFor();
        await page.screenshot({ path: SCREENSHOT_CATEGORY });
        expect(await row.count()).toBe(0);
      }
    }
    await row.waitFor();
    expect(await row.locator('.catid').textContent()).toBe(edited.catId);
  });

  it('previews and writes the accepted tags into the files, and only those', async () => {
    const accepted = await client.value<TagList>('tagging.list', { filter: 'accepted', folder: fx.libraryDir, limit: 1000 });
    const plan = await client.value<TagWritePlan>('tagging.writePlan', { paths: [fx.libraryDir] });
    const writable = plan.files.filter((f) => !f.refusal);
    // The edited file if its format can be written, else the first accepted one that can.
    const target = writable.find((f) => accepted.rows.some((r) => r.path === f.path && r.caption === EDITED_CAPTION)) ?? writable[0];
    expect(target).toBeDefined();
    const targetCaption = accepted.rows.find((r) => r.path === target.path)!.caption!;
    const acceptedPaths = new Set(accepted.rows.map((r) => r.path));
    const before = audioBytes(fx.libraryDir);
    expect(before.size).toBe(fx.library.length);
    const unaccepted = [...before.keys()].filter((p) => !acceptedPaths.has(p));
    expect(unaccepted.length).toBeGreaterThan(0);
    // No file carried a caption before: the preview shows it as a change, and the write is news.
    expect(captionFields(await readMeta(target.path))).not.toContain(targetCaption);

    await section('Tagging').click();
    await page.getByRole('combobox', { name: 'Folder to tag' }).selectOption(fx.libraryDir);
    const open = page.getByRole('button', { name: 'Write metadata to files…' });
    const dialog = page.getByRole('dialog', { name: /Write metadata to files/ });

    // Escape closes the preview without writing anything.
    await open.click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await open.click();
    const files = dialog.getByRole('list', { name: 'Files to write' });
    await files.waitFor();
    // Every planned file and every skipped one is listed; unaccepted files are skipped with the engine's reason.
    await expect.poll(() => files.getByRole('listitem').count()).toBe(plan.files.length + plan.skipped.length);
    const item = (p: string) => files.locator(`li[data-path="${p.replace(/"/g, '\\"')}"]`);
    expect(await item(target.path).locator('.after').allTextContents()).toContain(targetCaption);
    expect(plan.skipped.map((s) => s.path).sort()).toEqual([...unaccepted].sort());
    expect(await item(unaccepted[0]).locator('.reason').textContent()).toBe(plan.skipped.find((s) => s.path === unaccepted[0])!.reason);
    const backup = dialog.getByRole('checkbox', { name: 'Keep a backup copy of each file' });
    expect(await backup.isChecked()).toBe(true);
    fs.mkdirSync(path.dirname(SCREENSHOT_WRITE), { recursive: true });
    await page.screenshot({ path: SCREENSHOT_WRITE });

    // Once the preview is in, the keys are on Write.
    const writeButton = dialog.getByRole('button', { name: /^Write \d+ files?$/ });
    await expect.poll(() => writeButton.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)).toBe(true);
    const acceptedCount = await countOf(/^Accepted/);
    await writeButton.click();
    const summary = dialog.getByRole('region', { name: 'Write summary' });
    await summary.waitFor({ timeout: 60_000 });
    const written = writable.filter((f) => f.changes.some((c) => !c.note && c.before !== c.after));
    expect(await summary.getByRole('status').textContent()).toContain(`${written.length} file${written.length === 1 ? '' : 's'} written`);
    expect(await summary.locator(`li[data-path="${target.path.replace(/"/g, '\\"')}"] .badge`).textContent()).toBe('written');
    await page.screenshot({ path: SCREENSHOT_WRITTEN });

    // On disk: the target now carries its caption, its backup holds the bytes it had, and no file
    // without an accepted tag was touched.
    expect(captionFields(await readMeta(target.path))).toContain(targetCaption);
    expect(fs.readFileSync(target.path).equals(before.get(target.path)!)).toBe(false);
    expect(fs.readFileSync(`${target.path}.bak`).equals(before.get(target.path)!)).toBe(true);
    const after = audioBytes(fx.libraryDir);
    for (const p of unaccepted) expect(after.get(p)!.equals(before.get(p)!), p).toBe(true);

    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Writing keeps every tag accepted: the files now carry what the queue shows.
    await settled();
    expect(await countOf(/^Accepted/)).toBe(acceptedCount);
    expect((await tagOf(target.path)).caption).toBe(targetCaption);
  });

  it('had no CSP violations, page errors or console errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
