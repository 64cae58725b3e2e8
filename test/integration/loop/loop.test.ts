import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../main/engine';
import { decodeFile } from '../../../main/engine/audio';
import type { GenerationDetail, JobUpdate } from '../../../preload/contract';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { tempDir } from '../../helpers/tmp';
import { conceptOfText, readPrompts } from './helpers';

/**
 * The whole loop on the fixture packs: the fixture generator renders the events it knows and drops
 * the last event of a multi-event prompt; the CLAP critic (fixture CLAP pack) must flag it,
 * retrieval must find a library sound of that concept, and each regeneration strategy the pack
 * supports must bring it back, raising the critic's score.
 */
describe('the generate loop on the fixture packs', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let engine: Engine;
  let prompt: string;
  let strategies: string[];
  const updates: JobUpdate[] = [];
  const libraryConcepts = new Map<string, string[]>();

  beforeAll(async () => {
    tmp = tempDir();
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    for (const e of fx.library) libraryConcepts.set(path.join(fx.libraryDir, ...e.file.split('/')), e.concepts);
    engine = await createEngine({ dbPath: path.join(tmp.dir, 'w.db'), modelsDir: fx.modelsDir });
    engine.on('jobs.update', (u) => updates.push(u));
    const index = await engine.waitForJob((await engine.call('library.index', { folders: [fx.libraryDir] })).jobId);
    expect(index.state).toBe('done');
    const prompts = readPrompts(fx.outDir);
    prompt = prompts.prompts.find((p) => {
      const n = prompts.events.filter((e) => p.includes(e)).length;
      return n === 2 || n === 3;
    })!;
    expect(prompt).toBeTruthy();
    const packs = await engine.call('generate.packs', {});
    expect(packs.generators).toHaveLength(1);
    strategies = packs.generators[0].strategies;
  });

  afterAll(async () => {
    await engine?.close();
    tmp?.cleanup();
  });

  it('the fixture pack supports every strategy', () => {
    expect(strategies).toEqual(['adapter', 'audio2audio', 'layer']);
  });

  for (const strategy of ['adapter', 'audio2audio', 'layer'] as const) {
    it(`${strategy}: the critic flags the dropped event, retrieval finds it, regeneration restores it and the score rises`, async () => {
      const { jobId, generationId } = await engine.call('generate.start', { prompt, strategy, iterations: 3, candidates: 1, seed: 11 });
      const job = await engine.waitForJob(jobId);
      expect(job.error).toBeNull();
      expect(job.state).toBe('done');
      const detail: GenerationDetail = await engine.call('generate.get', { generationId });
      const events = detail.generation.plan.events;
      expect(events.length).toBeGreaterThanOrEqual(2);
      const dropped = events.at(-1)!;

      const [first, ...rest] = detail.takes;
      const last = rest.at(-1)!;
      expect(first.origin).toBe('initial');
      // Iteration 1: everything rendered is present; the dropped (last) event is flagged.
      const firstVerdicts = first.critique!.events.map((e) => e.verdict);
      expect(firstVerdicts.slice(0, -1).every((v) => v === 'present')).toBe(true);
      expect(firstVerdicts.at(-1)).not.toBe('present');

      // Retrieval found a library sound of the dropped event's concept and the loop used it.
      const accepted = detail.references.filter((r) => r.takeId === first.id && r.state === 'accepted');
      expect(accepted.map((r) => r.eventId)).toEqual([dropped.id]);
      expect(libraryConcepts.get(accepted[0].path)).toContain(conceptOfText(dropped.text));
      expect(accepted[0].end).toBeGreaterThan(accepted[0].start);

      // Regeneration restored it: present, and the score rose.
      expect(last.origin).toBe(strategy);
      expect(last.parentId).not.toBeNull();
      expect(last.critique!.events.map((e) => e.verdict).every((v) => v === 'present')).toBe(true);
      expect(last.critique!.events.at(-1)!.score).toBeGreaterThan(first.critique!.events.at(-1)!.score);
      expect(last.score!).toBeGreaterThan(first.score!);
      expect(job.result).toMatchObject({ stopReason: 'all_present', bestTakeId: last.id });
      expect(detail.generation.state).toBe('done');

      for (const t of detail.takes) {
        const { audio } = await decodeFile(t.path);
        expect(audio.channels.length).toBe(t.channels);
        expect(audio.channels[0].length / audio.sampleRate).toBeCloseTo(t.duration, 3);
      }
    });
  }

  it('best-of-N keeps the candidate with the highest critic score', async () => {
    const { jobId, generationId } = await engine.call('generate.start', { prompt, iterations: 2, candidates: 3, seed: 5 });
    expect((await engine.waitForJob(jobId)).state).toBe('done');
    const { takes } = await engine.call('generate.get', { generationId });
    const byIteration = new Map<number, typeof takes>();
    for (const t of takes) byIteration.set(t.iteration, [...(byIteration.get(t.iteration) ?? []), t]);
    expect(byIteration.get(1)).toHaveLength(3);
    for (const batch of byIteration.values()) {
      const chosen = batch.filter((t) => t.chosen);
      expect(chosen).toHaveLength(1);
      expect(chosen[0].score).toBe(Math.max(...batch.map((t) => t.score!)));
    }
    // The candidates really differ (different seeds, different audio).
    const scores = byIteration.get(1)!.map((t) => t.score);
    expect(new Set(byIteration.get(1)!.map((t) => t.seed)).size).toBe(3);
    expect(new Set(scores).size).toBeGreaterThan(1);
  });

  it('cancel mid-loop leaves the finished takes stored and readable', async () => {
    const { jobId, generationId } = await engine.call('generate.start', { prompt, iterations: 3, candidates: 3, seed: 9 });
    for (let i = 0; i < 6000; i++) {
      if (updates.some((u) => u.jobId === jobId && u.type === 'partial')) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await engine.call('jobs.cancel', { jobId });
    expect((await engine.waitForJob(jobId)).state).toBe('cancelled');
    const detail = await engine.call('generate.get', { generationId });
    expect(detail.generation.state).toBe('cancelled');
    expect(detail.takes.length).toBeGreaterThanOrEqual(1);
    expect(detail.takes.length).toBeLessThan(9);
    for (const t of detail.takes) {
      expect(t.critique).not.toBeNull();
      expect((await decodeFile(t.path)).audio.channels[0].length).toBeGreaterThan(0);
    }
    expect(fs.readdirSync(path.dirname(detail.takes[0].path)).sort()).toEqual(detail.takes.map((t) => path.basename(t.path)).sort());
  });
});
