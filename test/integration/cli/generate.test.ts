import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFile } from '../../../main/engine/audio';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { runCli } from '../../helpers/cli';
import { tempDir } from '../../helpers/tmp';
import { modelsWith, readPrompts } from '../loop/helpers';

interface Report {
  iterations: {
    iteration: number;
    take: string;
    candidates: { take: string; score: number }[];
    strategy: string;
    events: { text: string; start: number; end: number; score: number; verdict: string }[];
    score: number;
    references: { event: string; path: string; score: number; accepted: boolean }[];
    change: { kind: string; detail: string; from: string | null } | null;
  }[];
  best: string;
  note: string | null;
}

describe('cuebank generate', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let dbFile: string;
  let prompt: string;

  beforeAll(() => {
    tmp = tempDir();
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    dbFile = path.join(tmp.dir, 'lib.db');
    expect(runCli(['index', fx.libraryDir, '--db', dbFile, '--models', fx.modelsDir, '--json']).status).toBe(0);
    prompt = readPrompts(fx.outDir).prompts[0];
  });
  afterAll(() => tmp?.cleanup());

  it('runs the loop, copies every take into --out and reports each iteration as JSON', async () => {
    const out = path.join(tmp.dir, 'out');
    const r = runCli(['generate', prompt, '--models', fx.modelsDir, '--db', dbFile, '--out', out, '--iterations', '3', '--candidates', '2', '--strategy', 'layer', '--seed', '4', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.iterations.length).toBeGreaterThanOrEqual(2);
    const [first, ...rest] = report.iterations;
    const last = rest.at(-1)!;
    expect(first.events.at(-1)!.verdict).not.toBe('present');
    expect(first.references.some((ref) => ref.accepted && ref.event === first.events.at(-1)!.text && ref.path.startsWith(fx.libraryDir))).toBe(true);
    expect(last.events.every((e) => e.verdict === 'present')).toBe(true);
    expect(last.strategy).toBe('layer');
    expect(last.score).toBeGreaterThan(first.score);
    expect(report.best).toBe(last.take);
    // What each regeneration changed, and the take (file) it started from: the first, the best so far.
    expect(first.change).toBeNull();
    expect(rest[0].change).toMatchObject({ kind: 'reference', from: first.take });
    expect(rest[0].change!.detail).toContain(`"${first.events.at(-1)!.text}": reference `);
    expect(report.note).toBeNull();

    // Every candidate of every iteration is in --out, named by iteration and candidate, and decodes.
    const files = fs.readdirSync(out).sort();
    expect(files).toEqual(report.iterations.flatMap((it) => [1, 2].map((c) => `iteration-${it.iteration}-candidate-${c}.wav`)).sort());
    for (const it of report.iterations) {
      expect(it.candidates.map((c) => path.basename(c.take))).toEqual([1, 2].map((c) => `iteration-${it.iteration}-candidate-${c}.wav`));
      expect(it.score).toBe(Math.max(...it.candidates.map((c) => c.score)));
      expect((await decodeFile(it.take)).audio.channels[0].length).toBeGreaterThan(0);
    }
  });

  it('prints the iterations as text without --json', () => {
    const r = runCli(['generate', prompt, '--models', fx.modelsDir, '--db', dbFile, '--out', path.join(tmp.dir, 'out-text'), '--iterations', '2', '--seed', '2']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^iteration 1 \(initial\): score \d\.\d{3}/m);
    expect(r.stdout).toMatch(/missing|weak/);
    expect(r.stdout).toMatch(/^best: .*iteration-\d-candidate-1\.wav$/m);
    expect(r.stdout).toMatch(/^  changed \(reference\): ".+": reference .+; from .*iteration-1-candidate-1\.wav$/m);
  });

  it('says in one line that there is no generator pack', () => {
    const models = modelsWith(fx.modelsDir, ['embedder'], path.join(tmp.dir, 'clap-only'));
    const r = runCli(['generate', prompt, '--models', models, '--db', dbFile, '--out', path.join(tmp.dir, 'x')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^cuebank: No generator pack in ${models.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*\n$`));
  });

  it('says in one line that the CLAP critic needs a CLAP pack', () => {
    const models = modelsWith(fx.modelsDir, ['generator'], path.join(tmp.dir, 'gen-only'));
    const r = runCli(['generate', prompt, '--models', models, '--db', dbFile, '--out', path.join(tmp.dir, 'x')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cuebank: The CLAP critic needs a CLAP model pack\. .*\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('says in one line that the LALM critic is unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const url = `http://127.0.0.1:${port}/v1`;
    const r = runCli(['generate', prompt, '--models', fx.modelsDir, '--db', dbFile, '--out', path.join(tmp.dir, 'x'), '--critic', 'lalm', '--critic-url', url]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`cuebank: The LALM critic at ${url} is unreachable (ECONNREFUSED)\n`);
  });

  it('--decomposer lalm with an endpoint that is down runs on the rules and says so on stderr', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const out = path.join(tmp.dir, 'decomposer-out');
    const r = runCli(['generate', prompt, '--models', fx.modelsDir, '--db', dbFile, '--out', out, '--iterations', '1', '--decomposer', 'lalm', '--critic-url', url, '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^Note: The language-model decomposer at ${url} was not used \\(Cannot reach .*ECONNREFUSED\\); the prompt was split into events by the rules\\.\n$`));
    expect((JSON.parse(r.stdout) as Report).iterations[0].events.length).toBeGreaterThan(0);
  });

  it('refuses bad usage with exit 2', () => {
    const base = ['generate', prompt, '--models', fx.modelsDir, '--db', dbFile, '--out', path.join(tmp.dir, 'x')];
    expect(runCli([...base, '--critic-url', 'http://127.0.0.1:1']).stderr).toMatch(/--critic-url applies only with --critic lalm/);
    expect(runCli([...base, '--strategy', 'magic']).status).toBe(2);
    expect(runCli([...base, '--decomposer', 'gpt']).stderr).toMatch(/--decomposer must be one of rules, lalm/);
    expect(runCli([...base, '--iterations', '1.5']).status).toBe(2);
    expect(runCli(['generate', prompt, '--models', fx.modelsDir, '--db', dbFile]).stderr).toMatch(/--out is required/);
    expect(runCli(['generate', prompt, '--models', fx.modelsDir, '--db', path.join(tmp.dir, 'none.db'), '--out', 'x']).stderr).toMatch(/No library database/);
  });
});
