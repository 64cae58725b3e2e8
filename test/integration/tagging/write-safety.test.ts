import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMeta } from '../../../main/engine/audio';
import { writeTagsToFile, type TagValues } from '../../../main/engine/tagging/write';
import { repoRoot } from '../../helpers/cli';
import { corpusDir, hasCorpus } from '../../helpers/corpus';
import { tempDir } from '../../helpers/tmp';

const VALUES: TagValues = { caption: 'A door slams', catId: 'DOORWood', category: 'DOORS', subCategory: 'WOOD', fxName: 'Door slam', keywords: ['door'] };

describe.skipIf(!hasCorpus)('a tag write never damages the original', () => {
  let tmp: { dir: string; cleanup: () => void };
  let n = 0;
  const source = () => path.join(corpusDir, 'bwf', 'nuendo_mono.wav');
  const copy = (mode = 0o644) => {
    const file = path.join(tmp.dir, `take_${n++}.wav`);
    fs.copyFileSync(source(), file);
    fs.chmodSync(file, mode);
    return file;
  };
  const temporaries = () => fs.readdirSync(tmp.dir).filter((f) => f.includes('.cuebank-partial-'));

  beforeAll(() => {
    tmp = tempDir('cuebank-write-safety-');
  });
  afterAll(() => tmp?.cleanup());

  it('a failure just before the rename leaves the original byte-identical and removes the temporary', async () => {
    const file = copy();
    const bytes = fs.readFileSync(file);
    let sawTemp = false;
    const r = await writeTagsToFile(file, VALUES, {
      beforeCommit: (t) => {
        sawTemp = fs.existsSync(t);
        throw new Error('injected failure before the rename');
      },
    });
    expect(sawTemp).toBe(true);
    expect(r).toMatchObject({ status: 'failed', error: 'injected failure before the rename' });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(temporaries()).toEqual([]);
  });

  it('a writer killed (SIGKILL) while its verified temporary exists leaves the original byte-identical; the next write cleans up', async () => {
    const file = copy();
    const bytes = fs.readFileSync(file);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test', 'helpers', 'write-tags-child.ts'), file], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const temp = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /TEMP (.+)\n/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before making its temporary: ${stderr}`)));
    });
    expect(fs.existsSync(temp)).toBe(true);
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(temporaries()).toEqual([path.basename(temp)]); // what a crash leaves: a hidden temporary, never the final name
    const r = await writeTagsToFile(file, VALUES);
    expect(r.status).toBe('written');
    expect(temporaries()).toEqual([]);
    expect((await readMeta(file)).ixml?.USER).toMatchObject({ DESCRIPTION: 'A door slams' });
  });

  it('a read-only file is reported in words and left untouched', async () => {
    const file = copy(0o444);
    const bytes = fs.readFileSync(file);
    const r = await writeTagsToFile(file, VALUES);
    expect(r.status).toBe('refused');
    expect(r.error).toMatch(/read-only/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o444);
    expect(temporaries()).toEqual([]);
  });

  it('a missing file is reported, not thrown', async () => {
    const r = await writeTagsToFile(path.join(tmp.dir, 'nope.wav'), VALUES);
    expect(r).toMatchObject({ status: 'failed' });
    expect(r.error).toMatch(/not found|no such file/i);
  });

  it('the original mode is kept and --backup keeps the original beside it (.bak, then .bak.2)', async () => {
    const file = copy(0o640);
    const bytes = fs.readFileSync(file);
    const r = await writeTagsToFile(file, VALUES, { backup: true });
    expect(r).toMatchObject({ status: 'written', backup: `${fs.realpathSync(file)}.bak` });
    expect(fs.readFileSync(`${file}.bak`).equals(bytes)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    const tagged = fs.readFileSync(file);
    const again = await writeTagsToFile(file, { ...VALUES, caption: 'A door slams twice' }, { backup: true });
    expect(again.backup).toBe(`${fs.realpathSync(file)}.bak.2`);
    expect(fs.readFileSync(`${file}.bak.2`).equals(tagged)).toBe(true);
    expect(fs.readFileSync(`${file}.bak`).equals(bytes)).toBe(true);
  });
});
