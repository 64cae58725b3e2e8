import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { corpusDir, hasCorpus } from '../../helpers/corpus';
import { tempDir } from '../../helpers/tmp';

// A disk that fills up while the temporary is being written: the copy step fails as the OS would.
vi.mock('../../../main/engine/audio/byte-pieces', async (load) => {
  const real = await load<typeof import('../../../main/engine/audio/byte-pieces')>();
  return {
    ...real,
    writePieces: async (...args: Parameters<typeof real.writePieces>) => {
      await args[0].write(Buffer.alloc(4096), 0, 4096, 0);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  };
});

const { writeTagsToFile } = await import('../../../main/engine/tagging/write');

describe.skipIf(!hasCorpus)('a full disk during a tag write', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeAll(() => {
    tmp = tempDir('cuebank-write-full-');
  });
  afterAll(() => tmp?.cleanup());

  it('is reported in words; the original is untouched and the partial temporary removed', async () => {
    const file = path.join(tmp.dir, 'take.wav');
    fs.copyFileSync(path.join(corpusDir, 'bwf', 'nuendo_mono.wav'), file);
    fs.chmodSync(file, 0o644);
    const bytes = fs.readFileSync(file);
    const r = await writeTagsToFile(file, { caption: 'x', catId: null, category: null, subCategory: null, fxName: null, keywords: [] });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/^The disk is full: .* the original is untouched$/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.readdirSync(tmp.dir)).toEqual(['take.wav']);
  });
});
