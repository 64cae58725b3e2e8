import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../preload/contract';
import type { Bridge } from '../../../main/bridge/server';
import { writeFixtures } from '../../fixtures';
import { BridgeClient, startTestBridge, type TestBridge } from '../../helpers/bridge';
import { checkIndexIntact, countFiles, writeManyTakes } from '../../helpers/library';
import { tempDir } from '../../helpers/tmp';

const FILES = 320;

/** The engine process dies mid-index (as a native crash would): the host restarts it and the job resumes. */
describe('engine crash during indexing', () => {
  let tmp: { dir: string; cleanup: () => void };
  let bridge: Bridge;
  let client: BridgeClient;
  let app: TestBridge;
  let lib: string;
  let dbFile: string;

  beforeAll(async () => {
    tmp = tempDir();
    const fx = writeFixtures(path.join(tmp.dir, 'fx'));
    lib = path.join(tmp.dir, 'lib');
    writeManyTakes(lib, FILES);
    dbFile = path.join(tmp.dir, 'w.db');
    app = await startTestBridge(tmp.dir, { dbPath: dbFile, modelsDir: fx.modelsDir });
    ({ bridge, client } = app);
  });

  afterAll(async () => {
    await app?.close();
    tmp?.cleanup();
  });

  it('restarts the engine, tells the UI, resumes the job, and duplicates nothing', async () => {
    const started = await client.invoke('library.index', { folders: [lib] });
    expect(started.ok).toBe(true);
    const firstJob = (started as { value: { jobId: string } }).value.jobId;
    const firstPid = bridge.supervisor.pid!;
    let committed = 0;
    for (let i = 0; i < 3000 && committed === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      committed = countFiles(dbFile);
    }
    process.kill(firstPid, 'SIGKILL');
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(FILES);

    await client.waitForEvent((name, p) => name === 'engine.status' && (p as { state: string }).state === 'restarting');
    // Read before the new process starts (it waits a moment): what the dead one committed.
    const atCrash = countFiles(dbFile);
    expect(atCrash).toBeLessThan(FILES);
    const ready = (await client.waitForEvent((name, p) => name === 'engine.status' && (p as { state: string; restarts: number }).state === 'ready' && (p as { restarts: number }).restarts === 1)) as { reason: string };
    expect(ready.reason).toMatch(/SIGKILL/);
    expect(bridge.supervisor.pid).not.toBe(firstPid);

    // The new engine marks the old job interrupted and resumes the work in a new one.
    let jobs: JobInfo[] = [];
    for (let i = 0; i < 6000; i++) {
      jobs = (await client.invoke('jobs.list', {}) as { value: JobInfo[] }).value;
      if (jobs.some((j) => j.id !== firstJob && j.kind === 'index' && j.state === 'done')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(jobs.find((j) => j.id === firstJob)?.state).toBe('interrupted');
    const resumed = jobs.find((j) => j.id !== firstJob && j.state === 'done')!;
    expect(resumed.result).toMatchObject({ scanned: FILES, added: FILES - atCrash, unchanged: atCrash, failed: [] });

    expect(checkIndexIntact(dbFile)).toEqual({ integrity: 'ok', files: { n: FILES, paths: FILES }, windows: { n: FILES, f: FILES }, fts: { n: FILES } });
  });
});
