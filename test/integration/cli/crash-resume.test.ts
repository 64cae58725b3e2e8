import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { runCli, startCli } from '../../helpers/cli';
import { checkIndexIntact, countFiles, writeManyTakes } from '../../helpers/library';
import { tempDir } from '../../helpers/tmp';

const FILES = 320;

/** Killing `cuebank index` with SIGKILL mid-run, then running it again. */
describe('crash and resume', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let lib: string;
  let dbFile: string;

  beforeAll(() => {
    tmp = tempDir();
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    lib = path.join(tmp.dir, 'lib');
    writeManyTakes(lib, FILES);
    dbFile = path.join(tmp.dir, 'lib.db');
  });
  afterAll(() => tmp?.cleanup());

  it('resumes with no duplicates and an intact database, and a third run re-embeds nothing', async () => {
    const child = startCli(['index', lib, '--db', dbFile, '--models', fx.modelsDir, '--json']);
    let killedAt = -1;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal ? -1 : _code)));
    for (let i = 0; i < 3000 && killedAt < 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const n = countFiles(dbFile);
      if (n > 0) {
        child.kill('SIGKILL');
        killedAt = n;
      }
    }
    await exited;
    // The kill landed mid-run: some batches committed, not all.
    expect(killedAt).toBeGreaterThan(0);
    const afterKill = countFiles(dbFile);
    expect(afterKill).toBeLessThan(FILES);

    const resumed = runCli(['index', lib, '--db', dbFile, '--models', fx.modelsDir, '--json']);
    expect(resumed.status).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary.scanned).toBe(FILES);
    expect(summary.failed).toEqual([]);
    expect(summary.added).toBe(FILES - afterKill);
    expect(summary.unchanged).toBe(afterKill);

    expect(checkIndexIntact(dbFile)).toEqual({
      integrity: 'ok',
      files: { n: FILES, paths: FILES },
      windows: { n: FILES, f: FILES },
      fts: { n: FILES },
    });

    const again = JSON.parse(runCli(['index', lib, '--db', dbFile, '--models', fx.modelsDir, '--json']).stdout);
    expect(again).toMatchObject({ scanned: FILES, added: 0, updated: 0, unchanged: FILES, embedded: 0 });
  });
});
