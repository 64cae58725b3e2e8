import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFile } from '../../../main/engine/audio';
import type { Db } from '../../../main/engine/db/open';
import { candidateSeed, runLoop, type IterationTiming, type LoopDeps } from '../../../main/engine/loop/orchestrator';
import { loadReferenceSound } from '../../../main/engine/loop/reference-sound';
import { LoopStore } from '../../../main/engine/loop/store';
import type { GeneratePartial, GenerateSettings } from '../../../preload/contract/generate';
import { fakeJob, planOf, settingsOf, ToneCritic, ToneGenerator, toneRetriever, openLoopWorkspace, type LoopWorkspace, type ToneGeneratorOptions } from './fakes';

const PROMPT = 'a beep then a hum then a whistle';

describe('the loop orchestrator', () => {
  let ws: LoopWorkspace;
  let db: Db;
  let store: LoopStore;
  let library: LoopWorkspace['library'];

  beforeEach(() => {
    ws = openLoopWorkspace();
    ({ db, store, library } = ws);
  });
  afterEach(() => ws.close());

  function setup(settings: GenerateSettings, gen: ToneGeneratorOptions = {}) {
    const plan = planOf(PROMPT, settings.duration);
    const generationId = store.createGeneration(PROMPT, settings, plan);
    const generator = new ToneGenerator(gen);
    const critic = new ToneCritic();
    const retrieveCalls: string[][] = [];
    const timings: IterationTiming[] = [];
    const deps: LoopDeps = {
      store,
      generator,
      critic,
      retrieve: toneRetriever(library, retrieveCalls),
      loadSound: (ref, max) => loadReferenceSound(ref, max),
      onTiming: (t) => timings.push(t),
    };
    return { plan, generationId, generator, critic, deps, retrieveCalls, timings };
  }

  for (const strategy of ['adapter', 'audio2audio', 'layer'] as const) {
    it(`${strategy}: flags the dropped event, retrieves its sound, restores it, and stops`, async () => {
      const settings = settingsOf({ strategy, iterations: 3 });
      const { plan, generationId, deps, retrieveCalls } = setup(settings);
      const job = fakeJob();
      const result = await runLoop(deps, { generationId, plan, settings, iterations: settings.iterations }, job.ctx);

      const { takes, references } = store.detail(generationId);
      expect(takes.map((t) => [t.iteration, t.origin])).toEqual([
        [1, 'initial'],
        [2, strategy],
      ]);
      const [first, second] = takes;
      expect(first.critique!.events.map((e) => e.verdict)).toEqual(['present', 'present', 'missing']);
      expect(second.critique!.events.map((e) => e.verdict)).toEqual(['present', 'present', 'present']);
      expect(second.score!).toBeGreaterThan(first.score! + 0.2);
      expect(second.parentId).toBe(first.id);
      expect(result).toMatchObject({ generationId, chosenTakeIds: [first.id, second.id], bestTakeId: second.id, stopReason: 'all_present' });

      // Only the missing event was searched for; the right sound ranks first and was accepted.
      expect(retrieveCalls).toEqual([['e2']]);
      expect(references.map((r) => [r.eventId, r.rank, path.basename(r.path), r.state])).toEqual([
        ['e2', 0, 'whistle.wav', 'accepted'],
        ['e2', 1, 'whistle-wrong.wav', 'proposed'],
      ]);
      expect(second.referenceIds).toEqual([references[0].id]);
      for (const t of takes) {
        const { audio } = await decodeFile(t.path);
        expect(audio.channels[0].length).toBe(Math.round(t.duration * t.sampleRate));
      }
    });
  }

  it('keeps the candidate the critic scores highest (best-of-N) and stores every candidate', async () => {
    // Seeds differ in how much noise they add: the cleanest candidate scores highest.
    const settings = settingsOf({ candidates: 4, iterations: 2, seed: 100 });
    const noise = (seed: number) => [0.3, 0.05, 0.5, 0.2][seed % 4];
    const { plan, generationId, deps } = setup(settings, { noise });
    const job = fakeJob();
    await runLoop(deps, { generationId, plan, settings, iterations: 2 }, job.ctx);

    const { takes } = store.detail(generationId);
    expect(takes).toHaveLength(8);
    for (const iteration of [1, 2]) {
      const batch = takes.filter((t) => t.iteration === iteration);
      expect(batch.map((t) => t.candidate)).toEqual([0, 1, 2, 3]);
      expect(new Set(batch.map((t) => t.seed)).size).toBe(4);
      const chosen = batch.filter((t) => t.chosen);
      expect(chosen).toHaveLength(1);
      expect(chosen[0].score).toBe(Math.max(...batch.map((t) => t.score!)));
      expect(noise(chosen[0].seed)).toBe(0.05);
    }
    // The second iteration regenerated from the first iteration's best.
    const best1 = takes.find((t) => t.iteration === 1 && t.chosen)!;
    expect(takes.filter((t) => t.iteration === 2).every((t) => t.parentId === best1.id)).toBe(true);
    const chosenPartials = job.partials.filter((p) => (p as GeneratePartial).kind === 'chosen');
    expect(chosenPartials).toHaveLength(2);
  });

  it('stops at the last iteration when regeneration does not help, and says what is still flagged', async () => {
    const settings = settingsOf({ iterations: 2 });
    const { plan, generationId, deps, retrieveCalls } = setup(settings, { deaf: true });
    const result = await runLoop(deps, { generationId, plan, settings, iterations: 2 }, fakeJob().ctx);
    expect(result.stopReason).toBe('max_iterations');
    const takes = store.detail(generationId).takes;
    expect(takes.map((t) => t.iteration)).toEqual([1, 2]);
    // References are retrieved once per take regenerated from, not after the last one.
    expect(retrieveCalls).toHaveLength(1);
    expect(result.note).toContain('Still flagged on the best take: "a whistle"');
    expect(store.requireGeneration(generationId).note).toBe(result.note);
  });

  it('publishes each take as it is stored, and progress per stage over the whole job', async () => {
    const settings = settingsOf({ candidates: 2, iterations: 2, steps: 5 });
    const { plan, generationId, deps } = setup(settings);
    const job = fakeJob();
    await runLoop(deps, { generationId, plan, settings, iterations: 2 }, job.ctx);

    const takeParts = job.partials.filter((p): p is Extract<GeneratePartial, { kind: 'take' }> => (p as GeneratePartial).kind === 'take');
    expect(takeParts.map((p) => p.take.id)).toEqual(store.detail(generationId).takes.map((t) => t.id));
    expect(takeParts.every((p) => fs.existsSync(p.take.path))).toBe(true);
    expect(job.partials.some((p) => (p as GeneratePartial).kind === 'references')).toBe(true);

    const stages = [...new Set(job.progress.map((p) => p.stage))];
    expect(stages).toEqual(['generate', 'critique', 'retrieve', 'regenerate', 'done']);
    const fractions = job.progress.map((p) => p.fraction!);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
    expect(fractions.at(-1)).toBe(1);
    expect(job.progress.map((p) => p.detail.text)).toContain('iteration 2/2, candidate 2/2, step 3/5');
    expect(job.progress.find((p) => p.stage === 'retrieve')!.detail.text).toBe('iteration 2/2');
  });

  it('cancel between sampler steps keeps every finished take and nothing half-written', async () => {
    const settings = settingsOf({ candidates: 2, iterations: 3, steps: 6 });
    const job = fakeJob();
    let generated = 0;
    const { plan, generationId, deps } = setup(settings, {
      beforeStep: (step) => {
        if (step === 1) generated++;
        // Abort in the middle of the third candidate's sampling (iteration 2, candidate 1).
        if (generated === 3 && step === 4) job.controller.abort();
      },
    });
    await expect(runLoop(deps, { generationId, plan, settings, iterations: 3 }, job.ctx)).rejects.toMatchObject({ code: 'cancelled' });
    const { takes } = store.detail(generationId);
    expect(takes.map((t) => [t.iteration, t.candidate])).toEqual([
      [1, 0],
      [1, 1],
    ]);
    const dir = store.generationDir(generationId);
    expect(fs.readdirSync(dir).sort()).toEqual(takes.map((t) => path.basename(t.path)).sort());
  });

  it('regenerates from any stored take: a branch with its accepted references', async () => {
    const settings = settingsOf({ iterations: 1 });
    const { plan, generationId, deps } = setup(settings);
    await runLoop(deps, { generationId, plan, settings, iterations: 1 }, fakeJob().ctx);
    const [first] = store.detail(generationId).takes;
    expect(first.critique!.events[2].verdict).toBe('missing');

    // A layered branch retrieves and accepts the best reference automatically.
    const audio = (await decodeFile(first.path)).audio;
    await runLoop(deps, { generationId, plan, settings: { ...settings, strategy: 'layer' }, iterations: 1, from: { take: first, audio } }, fakeJob().ctx);
    // Then the user rejects it, accepts the wrong sound instead, and branches again with the adapter.
    const [good, wrong] = store.referencesOfTake(first.id);
    expect([good.state, path.basename(wrong.path)]).toEqual(['accepted', 'whistle-wrong.wav']);
    store.setReferenceState(good.id, 'rejected');
    store.setReferenceState(wrong.id, 'accepted');
    await runLoop(deps, { generationId, plan, settings: { ...settings, strategy: 'adapter' }, iterations: 1, from: { take: first, audio } }, fakeJob().ctx);

    const { takes, references } = store.detail(generationId);
    expect(takes.map((t) => [t.iteration, t.origin, t.parentId])).toEqual([
      [1, 'initial', null],
      [2, 'layer', first.id],
      [2, 'adapter', first.id],
    ]);
    // Retrieved once for the take; each branch used the references accepted when it ran.
    expect(references).toHaveLength(2);
    expect(takes[1].referenceIds).toEqual([good.id]);
    expect(takes[2].referenceIds).toEqual([wrong.id]);
    expect(takes[1].critique!.events[2].verdict).toBe('present');
    expect(takes[2].critique!.events[2].verdict).toBe('missing');
  });

  it('a regeneration asked for from a take with every event present makes a variation (layering has nothing to place)', async () => {
    const settings = settingsOf({ iterations: 3 });
    const { plan, generationId, deps } = setup(settings);
    await runLoop(deps, { generationId, plan, settings, iterations: 3 }, fakeJob().ctx);
    const best = store.detail(generationId).takes.find((t) => t.iteration === 2)!;
    expect(best.critique!.events.every((e) => e.verdict === 'present')).toBe(true);
    const audio = (await decodeFile(best.path)).audio;
    const result = await runLoop(deps, { generationId, plan, settings: { ...settings, seed: 99 }, iterations: 2, from: { take: best, audio } }, fakeJob().ctx);
    expect(result.stopReason).toBe('all_present');
    expect(store.detail(generationId).takes.filter((t) => t.parentId === best.id).map((t) => [t.iteration, t.origin])).toEqual([[3, 'adapter']]);
    await expect(
      runLoop(deps, { generationId, plan, settings: { ...settings, strategy: 'layer' }, iterations: 1, from: { take: best, audio } }, fakeJob().ctx),
    ).rejects.toThrow('Every event is present in this take: nothing to layer (adapter or audio2audio make a variation)');
  });

  it('a regeneration keeps the references its parent was made with (adapter), so a restored event stays', async () => {
    const settings = settingsOf({ iterations: 3 });
    const { plan, generationId, deps } = setup(settings);
    // The second take's critique also calls the hum weak: the third iteration retrieves for it.
    deps.critic = new ToneCritic(new Map([[2, ['e1']]]));
    await runLoop(deps, { generationId, plan, settings, iterations: 3 }, fakeJob().ctx);
    const { takes, references } = store.detail(generationId);
    expect(takes.map((t) => t.iteration)).toEqual([1, 2, 3]);
    const refOf = (id: number) => references.find((r) => r.id === id)!;
    expect(takes[1].referenceIds.map((id) => refOf(id).eventId)).toEqual(['e2']);
    expect(takes[2].referenceIds.map((id) => refOf(id).eventId).sort()).toEqual(['e1', 'e2']);
    expect(takes[2].critique!.events.map((e) => e.verdict)).toEqual(['present', 'present', 'present']);
  });

  it('says clearly when the pack cannot run the chosen strategy', async () => {
    const settings = settingsOf({ strategy: 'adapter' });
    const { plan, generationId, deps } = setup(settings, { audioConditioning: false });
    await expect(runLoop(deps, { generationId, plan, settings, iterations: 2 }, fakeJob().ctx)).rejects.toThrow(
      'Generator pack "tones": this generator pack has no audio-conditioning input (strategy "adapter"); choose audio2audio or layer',
    );
  });

  it('layering with no reference in the library layers a focused generation of the event instead, and says so', async () => {
    const settings = settingsOf({ strategy: 'layer' });
    const { plan, generationId, deps, generator } = setup(settings);
    deps.retrieve = async () => [];
    const result = await runLoop(deps, { generationId, plan, settings, iterations: 2 }, fakeJob().ctx);
    const [first, second] = store.detail(generationId).takes;
    expect(second.origin).toBe('layer');
    expect(second.change).toMatchObject({ kind: 'focused', from: first.id, eventIds: ['e2'] });
    expect(second.change!.detail).toContain('"a whistle": no library reference found, layered a generation of the event alone');
    expect(generator.requests.at(-1)!.prompt).toBe('a whistle');
    expect(second.critique!.events[2].verdict).toBe('present');
    expect(result).toMatchObject({ stopReason: 'all_present', bestTakeId: second.id, lastTakeId: second.id, note: null });
  });

  it('seeds differ per candidate and iteration, and repeat for the same settings', () => {
    const s = settingsOf({ seed: 5, candidates: 3 });
    const seeds = [1, 2].flatMap((it) => [0, 1, 2].map((c) => candidateSeed(s, it, c)));
    expect(seeds).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('reports per-iteration timings that add up', async () => {
    const settings = settingsOf({ iterations: 2 });
    const { plan, generationId, deps, timings } = setup(settings);
    await runLoop(deps, { generationId, plan, settings, iterations: 2 }, fakeJob().ctx);
    expect(timings.map((t) => t.iteration)).toEqual([1, 2]);
    for (const t of timings) expect(t.generate + t.critique + t.retrieve).toBeLessThanOrEqual(t.total);
    expect(timings[0].retrieve).toBe(0);
    expect(timings[1].retrieve).toBeGreaterThan(0);
  });
});
