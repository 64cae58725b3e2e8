import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationDetail, Generation } from '../../../preload/contract/generate';
import type { JobInfo } from '../../../preload/contract';
import type { Bridge } from '../../../main/bridge/server';
import { decodeFile } from '../../../main/engine/audio';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { BridgeClient, startTestBridge, type TestBridge } from '../../helpers/bridge';
import { countRows } from '../../helpers/library';
import { tempDir } from '../../helpers/tmp';
import { readPrompts } from '../loop/helpers';

/**
 * The app's engine process dies mid-loop (as a native crash would): the host restarts it, and the
 * generation shows every take that was stored, each with its critique and a whole file.
 */
describe('engine crash during a generate loop', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let bridge: Bridge;
  let client: BridgeClient;
  let app: TestBridge;
  let dbFile: string;

  beforeAll(async () => {
    tmp = tempDir();
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    dbFile = path.join(tmp.dir, 'g.db');
    app = await startTestBridge(tmp.dir, { dbPath: dbFile, modelsDir: fx.modelsDir });
    ({ bridge, client } = app);
  });

  afterAll(async () => {
    await app?.close();
    tmp?.cleanup();
  });

  it('restarts the engine and shows every finished take with its critique', async () => {
    await client.index([fx.libraryDir]);

    const prompt = readPrompts(fx.outDir).prompts[0];
    // Four candidates per iteration: the loop is still at work when its first take lands.
    const { generationId } = await client.value<{ generationId: string }>('generate.start', { prompt, iterations: 6, candidates: 4, seed: 3 });
    const firstPid = bridge.supervisor.pid!;
    let seen = 0;
    for (let i = 0; i < 12_000 && seen === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
      seen = countRows(dbFile, 'takes');
    }
    process.kill(firstPid, 'SIGKILL');
    expect(seen).toBeGreaterThan(0);

    await client.waitForEvent(
      (name, p) => name === 'engine.status' && (p as { state: string }).state === 'ready' && (p as { restarts: number }).restarts === 1,
    );
    expect(bridge.supervisor.pid).not.toBe(firstPid);

    const list = await client.value<Generation[]>('generate.list', {});
    expect(list.map((g) => [g.id, g.state])).toEqual([[generationId, 'interrupted']]);
    const detail = await client.value<GenerationDetail>('generate.get', { generationId });
    // Everything committed before the kill is there, and nothing else: a take is stored whole or not at all.
    expect(detail.takes.length).toBeGreaterThanOrEqual(seen);
    expect(detail.takes.length).toBe(countRows(dbFile, 'takes'));
    for (const t of detail.takes) {
      expect(t.critique?.events.map((e) => e.text)).toEqual(detail.generation.plan.events.map((e) => e.text));
      const { audio } = await decodeFile(t.path);
      expect(audio.channels[0].length / audio.sampleRate).toBeCloseTo(t.duration, 3);
    }
    expect(fs.readdirSync(path.dirname(detail.takes[0].path)).filter((f) => !f.endsWith('.wav'))).toEqual([]);
    const jobs = await client.value<JobInfo[]>('jobs.list', {});
    expect(jobs.find((j) => j.kind === 'generate')?.state).toBe('interrupted');
  });
});
