import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../main/engine';
import { decodeFile } from '../../../main/engine/audio';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { runCli, startCli } from '../../helpers/cli';
import { countRows } from '../../helpers/library';
import { tempDir } from '../../helpers/tmp';
import { readPrompts } from './helpers';

/** Take files a loop has renamed into place so far (temporary files excluded). */
function takeFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'takes');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).flatMap((g) => fs.readdirSync(path.join(root, g)).filter((f) => f.endsWith('.wav')).map((f) => path.join(root, g, f)));
}

function generationStates(dbFile: string): string[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare(`SELECT state FROM generations`).all() as { state: string }[]).map((r) => r.state);
  } finally {
    db.close();
  }
}

/** `cuebank generate` killed with SIGKILL mid-loop (as a native crash would), then the engine restarted. */
describe('killing the engine mid-loop', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let dbFile: string;
  let dataDir: string;

  beforeAll(() => {
    tmp = tempDir();
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    dbFile = path.join(tmp.dir, 'lib.db');
    dataDir = path.join(tmp.dir, 'lib-files');
    const indexed = runCli(['index', fx.libraryDir, '--db', dbFile, '--models', fx.modelsDir, '--json']);
    expect(indexed.status).toBe(0);
  });
  afterAll(() => tmp?.cleanup());

  it('keeps every finished take and critique; no row points at a missing file', async () => {
    const prompt = readPrompts(fx.outDir).prompts[0];
    // Four candidates per iteration: the loop is still at work when its first take lands.
    const child = startCli([
      'generate', prompt, '--models', fx.modelsDir, '--db', dbFile, '--out', path.join(tmp.dir, 'out'),
      '--iterations', '6', '--candidates', '4', '--seed', '3', '--json',
    ]);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Killed as soon as the first take is stored (its file is complete before its row commits).
    let seen = 0;
    for (let i = 0; i < 12_000 && seen === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
      seen = countRows(dbFile, 'takes');
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(seen).toBeGreaterThan(0);
    // The kill landed mid-loop: the generation was still running.
    expect(generationStates(dbFile)).toEqual(['running']);

    const engine = await createEngine({ dbPath: dbFile, modelsDir: fx.modelsDir });
    try {
      const list = await engine.call('generate.list', {});
      expect(list).toHaveLength(1);
      expect(list[0].state).toBe('interrupted');
      expect(list[0].prompt).toBe(prompt);
      const detail = await engine.call('generate.get', { generationId: list[0].id });
      expect(detail.takes.length).toBe(list[0].takeCount);
      expect(detail.takes.length).toBeGreaterThanOrEqual(1);
      for (const t of detail.takes) {
        expect(t.critique).not.toBeNull();
        expect(t.critique!.events.length).toBe(detail.generation.plan.events.length);
        const { audio } = await decodeFile(t.path);
        expect(audio.channels[0].length / audio.sampleRate).toBeCloseTo(t.duration, 3);
      }
      // Every file left is a stored take's: temporary files and never-committed takes were swept.
      expect(takeFiles(dataDir).sort()).toEqual(detail.takes.map((t) => t.path).sort());
      const leftovers = fs.readdirSync(path.join(dataDir, 'takes', list[0].id)).filter((f) => !f.endsWith('.wav'));
      expect(leftovers).toEqual([]);

      // The interrupted loop can go on from its best take.
      const best = detail.takes.find((t) => t.id === list[0].bestTakeId)!;
      const { jobId } = await engine.call('generate.regenerate', { takeId: best.id });
      expect((await engine.waitForJob(jobId)).state).toBe('done');
      expect((await engine.call('generate.get', { generationId: list[0].id })).takes.length).toBe(detail.takes.length + list[0].settings.candidates);
    } finally {
      await engine.close();
    }
  });
});
