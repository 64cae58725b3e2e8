/**
 * The fast subset of the malformed corpus (test/fuzz/malformed-corpus.ts): two files of every
 * class, through the readers directly (meta and loudness, as the CLI commands call them). The
 * whole corpus, through one real `cuebank index`, is `npm run fuzz:corpus`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureFileLoudness, readMeta } from '../../../main/engine/audio';
import { CuebankError } from '../../../main/engine/errors';
import { CLASS_NAMES, generateCorpus, type MalformedFile } from '../../fuzz/malformed-corpus';
import { isSentence, loudnessProblems, metaProblems } from '../../fuzz/plausibility';
import { corpusFiles, intactSources, type SourceFile } from '../../fuzz/sources';
import { tempDir } from '../../helpers/tmp';

let tmp: { dir: string; cleanup: () => void };
let intact: SourceFile[] = [];
let subset: MalformedFile[] = [];

beforeAll(async () => {
  tmp = tempDir('cuebank-malformed-');
  const { sources, audio } = await intactSources();
  intact = sources;
  subset = generateCorpus(sources, audio, { perClass: 2 });
}, 120_000);
afterAll(() => tmp?.cleanup());

function write(name: string, bytes: Buffer): string {
  const file = path.join(tmp.dir, name.replace(/[^\w.\-]+/g, '_'));
  fs.writeFileSync(file, bytes);
  return file;
}

/** What meta and loudness say of a file: values, or the error each threw. */
async function probe(file: string) {
  const settle = async <T>(p: Promise<T>) => p.then((value) => ({ value, error: null }), (error: unknown) => ({ value: null, error }));
  return { meta: await settle(readMeta(file)), loudness: await settle(measureFileLoudness(file)) };
}

describe('the malformed corpus, two files per class', () => {
  it('covers every class with at least 500 files in all', async () => {
    const { sources, audio } = await intactSources();
    const all = generateCorpus(sources, audio);
    // Half the classes derive a file per source: without ../shared/corpus only the written sources remain.
    if (corpusFiles().length) expect(all.length).toBeGreaterThanOrEqual(500);
    else {
      console.warn('../shared/corpus is absent: the malformed corpus is derived from written files only');
      expect(all.length).toBeGreaterThanOrEqual(250);
    }
    expect(new Set(all.map((f) => f.cls))).toEqual(new Set(CLASS_NAMES.slice(1)));
    expect(new Set(all.map((f) => f.name)).size).toBe(all.length);
    // Deterministic: a second generation gives the same bytes.
    const again = generateCorpus(sources, audio);
    expect(again.map((f) => f.bytes.length)).toEqual(all.map((f) => f.bytes.length));
    expect(Buffer.compare(again[7].bytes, all[7].bytes)).toBe(0);
  }, 120_000);

  it('reads every intact source with plausible values', async () => {
    expect(intact.length).toBeGreaterThanOrEqual(8);
    for (const s of intact) {
      const file = write(`intact__${s.name}`, s.bytes);
      const r = await probe(file);
      expect(r.meta.error, s.name).toBeNull();
      expect(metaProblems(r.meta.value!, s.bytes.length), s.name).toEqual([]);
      expect(r.loudness.error, s.name).toBeNull();
      expect(loudnessProblems(r.loudness.value!), s.name).toEqual([]);
    }
  }, 120_000);

  it('answers every malformed file with plausible values or a reason in words', async () => {
    const problems: string[] = [];
    for (const f of subset) {
      const file = write(f.name, f.bytes);
      const r = await probe(file);
      for (const [op, res] of Object.entries(r)) {
        if (res.error) {
          const e = res.error as Error;
          if (!(e instanceof CuebankError)) problems.push(`${f.name} ${op}: not a Cuebank error: ${String(e)}`);
          else if (!isSentence(e.message)) problems.push(`${f.name} ${op}: not a sentence: ${e.message}`);
          if (f.expect === 'read') problems.push(`${f.name} ${op}: refused a readable file: ${e.message}`);
        } else {
          if (f.expect === 'refuse') problems.push(`${f.name} ${op}: answered for a file that is not audio`);
          const found = op === 'meta' ? metaProblems(res.value as never, f.bytes.length) : loudnessProblems(res.value as never);
          for (const p of found) problems.push(`${f.name} ${op}: ${p}`);
        }
      }
    }
    expect(subset.length).toBeGreaterThanOrEqual(50);
    expect(problems).toEqual([]);
  }, 300_000);
});
