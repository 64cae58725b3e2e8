/**
 * What the Chromium end-to-end tests share: the production renderer built into the test's own
 * folder, the fixtures, the real engine forked behind the web bridge, a wire client, and headless
 * Chromium with a watch on every page for CSP violations, page errors and console errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import type { JobUpdate } from '../../preload/contract';
import type { EngineConfig } from '../../main/engine';
import { startBridge, type Bridge } from '../../main/bridge/server';
import { forkEngine } from '../../main/host/fork-engine';
import { appRoot } from '../../main/host/static-files';
import { writeFixtures, type FixtureSet } from '../fixtures';
import { BridgeClient } from './bridge';
import { tempDir } from './tmp';

const CHROMIUM = '/usr/bin/chromium';

/** The repository root, where test-results/ and renderer/ are. */
export const repoRoot = appRoot(import.meta.dirname);

/** Whether /usr/bin/chromium exists; warns once, naming the suite, when it does not. */
export function hasChromium(label: string): boolean {
  const found = fs.existsSync(CHROMIUM);
  if (!found) console.warn(`${label} e2e skipped: ${CHROMIUM} not found (install Debian's chromium package to run it)`);
  return found;
}

export interface E2eApp {
  tmp: { dir: string; cleanup: () => void };
  fx: FixtureSet;
  bridge: Bridge;
  client: BridgeClient;
  context: BrowserContext;
  rendererDir: string;
  close(): Promise<void>;
}

/**
 * Builds the renderer and writes the fixtures (at the same time) into a fresh temporary folder,
 * starts the bridge on a forked engine over a workspace there, connects a client and launches
 * Chromium. `close()` undoes all of it, whatever part of it started. `options.engine` adds engine
 * settings; `options.emptyModels` gives the engine an empty models folder instead of the fixtures'.
 */
export async function startE2eApp(
  prefix: string,
  options: { emptyModels?: boolean; engine?: Omit<Partial<EngineConfig>, 'dbPath' | 'modelsDir'> } = {},
): Promise<E2eApp> {
  const tmp = tempDir(prefix);
  const app: Partial<E2eApp> = { tmp };
  const close = async () => {
    await app.context?.close();
    app.client?.close();
    await app.bridge?.close();
    tmp.cleanup();
  };
  try {
    // The production build config, written to this test's own folder: other tests (packaging)
    // build dist/ at the same time, and neither may see the other's half-written renderer.
    const rendererDir = path.join(tmp.dir, 'renderer');
    const [, fx] = await Promise.all([
      build({ configFile: path.join(repoRoot, 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } }),
      Promise.resolve().then(() => writeFixtures(path.join(tmp.dir, 'fx'))),
    ]);
    app.fx = fx;
    app.rendererDir = rendererDir;
    app.bridge = await startBridge({
      // emptyModels: a first run, with a models folder that holds no pack.
      spawn: forkEngine({ ...options.engine, dbPath: path.join(tmp.dir, 'workspace.db'), modelsDir: options.emptyModels ? path.join(tmp.dir, 'models') : fx.modelsDir }),
      rendererDir,
    });
    app.client = await BridgeClient.connect(app.bridge.port, app.bridge.token);
    app.context = await launchChromium(path.join(tmp.dir, 'chromium-profile'));
    return { ...(app as Omit<E2eApp, 'close'>), close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function launchChromium(profile: string): Promise<BrowserContext> {
  fs.mkdirSync(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  // Chromium logs CSP violations to the console; the event catches any it would not.
  await context.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) =>
      console.error('Content Security Policy violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));`,
  });
  return context;
}

/** What went wrong in the pages watched, collected for the suite's last check. */
export interface PageProblems {
  cspViolations: string[];
  pageErrors: string[];
  consoleErrors: string[];
}

/** A collector of page problems; `watch(page)` adds a page to it and returns the page. */
export function pageWatcher(): PageProblems & { watch(page: Page): Page } {
  const problems = { cspViolations: [] as string[], pageErrors: [] as string[], consoleErrors: [] as string[] };
  return Object.assign(problems, {
    watch(page: Page): Page {
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) problems.cspViolations.push(m.text());
        else if (m.type() === 'error') problems.consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => problems.pageErrors.push(e.message));
      return page;
    },
  });
}

export interface AudioState {
  paused: boolean;
  currentTime: number;
  src: string;
}

/** The state of the page's one <audio> element (the player). */
export function audioState(page: Page): Promise<AudioState> {
  return page.evaluate(() => {
    const a = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('audio') as AudioState;
    return { paused: a.paused, currentTime: a.currentTime, src: a.src } satisfies AudioState;
  });
}

/**
 * Indexes `folder` through the engine and waits for the job to end; returns its last update
 * (the caller checks it is 'done'), or throws when the engine refuses to start the job.
 */
export async function indexFolder(client: BridgeClient, folder: string, timeoutMs = 120_000): Promise<JobUpdate> {
  const started = await client.invoke('library.index', { folders: [folder] });
  if (!started.ok) throw new Error(`library.index refused: ${started.error.message}`);
  const { jobId } = started.value as { jobId: string };
  return (await client.waitForEvent(
    (name, p) => name === 'jobs.update' && (p as JobUpdate).jobId === jobId && ['done', 'failed'].includes((p as JobUpdate).type),
    timeoutMs,
  )) as JobUpdate;
}
