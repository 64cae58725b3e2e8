import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { runCli } from '../../helpers/cli';
import { tempDir } from '../../helpers/tmp';

/** The CLI contract: exit codes, JSON on stdout only, one clear line for every mistake. */
describe('cuebank CLI', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let db: string;

  beforeAll(() => {
    tmp = tempDir();
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    db = path.join(tmp.dir, 'lib.db');
  });
  afterAll(() => tmp?.cleanup());

  const expectOneLineError = (r: { status: number | null; stdout: string; stderr: string }, status: number, pattern: RegExp) => {
    expect(r.status).toBe(status);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cuebank: /);
    expect(lines[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };

  it('index --json prints only the summary JSON and exits 0', () => {
    const r = runCli(['index', fx.libraryDir, '--db', db, '--models', fx.modelsDir, '--json']);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ scanned: fx.library.length, added: fx.library.length, updated: 0, unchanged: 0, removed: 0, failed: [] });
  });

  it('search --json by text, by sound, and by both with a weight', () => {
    const text = JSON.parse(runCli(['search', '--db', db, '--models', fx.modelsDir, '--text', 'kettle whistle', '--limit', '3', '--json']).stdout);
    expect(text.results).toHaveLength(3);
    expect(Object.keys(text.results[0]).sort()).toEqual(['channels', 'duration', 'end', 'path', 'sampleRate', 'score', 'start']);
    const whistles = new Set(fx.library.filter((e) => e.concepts.includes('whistle')).map((e) => path.join(fx.libraryDir, e.file)));
    for (const r of text.results) expect(whistles.has(r.path)).toBe(true);

    const example = path.join(fx.libraryDir, fx.library.find((e) => e.text === 'steam hiss')!.file);
    const audio = JSON.parse(runCli(['search', '--db', db, '--models', fx.modelsDir, '--audio', example, '--limit', '2', '--json']).stdout);
    expect(audio.results.map((r: { path: string }) => fx.library.find((e) => path.join(fx.libraryDir, e.file) === r.path)!.concepts)).toEqual([
      ['hiss'],
      ['hiss'],
    ]);

    const both = runCli(['search', '--db', db, '--models', fx.modelsDir, '--audio', example, '--text', 'low rumble', '--weight', '0', '--limit', '1', '--json']);
    expect(both.status).toBe(0);
    expect(fx.library.find((e) => path.join(fx.libraryDir, e.file) === JSON.parse(both.stdout).results[0].path)!.concepts).toContain('rumble');
  });

  it('meta --json prints the format, bext, iXML and INFO of a file', () => {
    const file = path.join(fx.libraryDir, fx.library[0].file);
    const r = runCli(['meta', file, '--json']);
    expect(r.status).toBe(0);
    const meta = JSON.parse(r.stdout);
    expect(meta.format).toMatchObject({ codec: 'pcm_s24le', sampleRate: 48_000, channels: 1, bitsPerSample: 24, frames: 96_000 });
    expect(meta).toMatchObject({ bext: null, ixml: null, info: {} });
  });

  it('bad arguments: one line, exit 2', () => {
    expectOneLineError(runCli(['search', '--db', db, '--models', fx.modelsDir]), 2, /--text and\/or --audio/);
    expectOneLineError(runCli(['search', '--db', db, '--models', fx.modelsDir, '--text', 'x', '--limit', 'many']), 2, /--limit/);
    expectOneLineError(runCli(['index', '--db', db, '--models', fx.modelsDir]), 2, /at least one folder/);
    expectOneLineError(runCli(['index', fx.libraryDir, '--models', fx.modelsDir]), 2, /--db is required/);
    expectOneLineError(runCli(['frobnicate']), 2, /unknown command/);
    expectOneLineError(runCli(['search', '--bogus']), 2, /bogus/);
  });

  it('fatal errors: one line, exit 1', () => {
    const empty = path.join(tmp.dir, 'no-models');
    fs.mkdirSync(empty, { recursive: true });
    const example = path.join(fx.libraryDir, fx.library[0].file);
    expectOneLineError(runCli(['search', '--db', db, '--models', empty, '--audio', example]), 1, /needs a CLAP model pack/);
    const notDb = path.join(tmp.dir, 'not.db');
    fs.writeFileSync(notDb, 'this is not a database, just text that is long enough to have a header page.'.repeat(100));
    expectOneLineError(runCli(['search', '--db', notDb, '--models', fx.modelsDir, '--text', 'x']), 1, /Cannot open database .*not a database/);
    expectOneLineError(runCli(['index', path.join(tmp.dir, 'missing'), '--db', db, '--models', fx.modelsDir]), 1, /Folder not found/);
    expectOneLineError(runCli(['meta', path.join(tmp.dir, 'missing.wav')]), 1, /not found/i);
    expectOneLineError(runCli(['search', '--db', path.join(tmp.dir, 'nope.db'), '--models', fx.modelsDir, '--text', 'x']), 1, /No database/);
  });

  it('index without a model pack still indexes and says how to add one', () => {
    const empty = path.join(tmp.dir, 'no-models-2');
    fs.mkdirSync(empty, { recursive: true });
    const r = runCli(['index', fx.libraryDir, '--db', path.join(tmp.dir, 'plain.db'), '--models', empty, '--json']);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.added).toBe(fx.library.length);
    expect(summary.embedded).toBe(0);
    expect(summary.embeddingNote).toMatch(/copy a Xenova CLAP folder/);
  });
});
