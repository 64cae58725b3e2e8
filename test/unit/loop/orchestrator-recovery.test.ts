import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFile } from '../../../main/engine/audio';
import type { Db } from '../../../main/engine/db/open';
import { better, runLoop, type LoopDeps } from '../../../main/engine/loop/orchestrator';
import { loadReferenceSound } from '../../../main/engine/loop/reference-sound';
import { LoopStore } from '../../../main/engine/loop/store';
import type { GenerateSettings } from '../../../preload/contract/generate';
import { fakeJob, planOf, settingsOf, ToneCritic, ToneGenerator, toneRetriever, openLoopWorkspace, type LoopWorkspace, type ToneGeneratorOptions } from './fakes';

const PROMPT = 'a beep then a hum then a whistle';

/**
 * Recovery (issue 10): every regeneration starts from the best take so far; an iteration that does
 * not raise a flagged event is followed by one that changes something, and the take records what;
 * the loop reports its best take and says so when it ends on a worse one.
 */
describe('loop recovery', () => {
  let ws: LoopWorkspace;
  let db: Db;
  let store: LoopStore;
  let library: LoopWorkspace['library'];

  beforeEach(() => {
    ws = openLoopWorkspace();
    ({ db, store, library } = ws);
  });
  afterEach(() => ws.close());

  function setup(settings: GenerateSettings, gen: ToneGeneratorOptions = {}, critic = new ToneCritic()) {
    const plan = planOf(PROMPT, settings.duration);
    const generationId = store.createGeneration(PROMPT, settings, plan);
    const generator = new ToneGenerator(gen);
    const deps: LoopDeps = { store, generator, critic, retrieve: toneRetriever(library), loadSound: (ref, max) => loadReferenceSound(ref, max) };
    return { plan, generationId, generator, deps };
  }

  it('an iteration that does not raise the flagged event is followed by a different one, from the best take, recorded on the take', async () => {
    // The adapter's generator ignores references: conditioning on the whistle never brings it back.
    const settings = settingsOf({ strategy: 'adapter', iterations: 4 });
    const { plan, generationId, deps, generator } = setup(settings, { deaf: true });
    const result = await runLoop(deps, { generationId, plan, settings, iterations: 4 }, fakeJob().ctx);

    const { takes, references } = store.detail(generationId);
    const [first, second, third] = takes;
    expect(takes.map((t) => [t.iteration, t.origin])).toEqual([
      [1, 'initial'],
      [2, 'adapter'],
      [3, 'layer'],
    ]);
    // Iteration 2 conditioned on the best reference: no rise, so no better take.
    expect(second.change).toMatchObject({ kind: 'reference', from: first.id, eventIds: ['e2'] });
    expect(second.change!.detail).toContain('"a whistle": reference whistle.wav');
    expect(second.critique!.events[2].score).toBeLessThan(first.critique!.events[2].score + 0.05);
    // Iteration 3 started again from the first take (the best), not from the second (the latest),
    // and changed something: a focused generation of the whistle layered on it.
    expect(third.parentId).toBe(first.id);
    expect(third.change).toMatchObject({ kind: 'focused', from: first.id, eventIds: ['e2'] });
    expect(third.change!.detail).toBe('"a whistle": the last try did not raise it, layered a generation of the event alone (instead of adapter)');
    expect(generator.requests.at(-1)!.prompt).toBe('a whistle');
    expect(third.critique!.events.map((e) => e.verdict)).toEqual(['present', 'present', 'present']);
    expect(result).toMatchObject({ stopReason: 'all_present', bestTakeId: third.id, lastTakeId: third.id, note: null });
    expect(references.filter((r) => r.takeId === first.id)).toHaveLength(2);
  });

  it('climbs the ladder: a wrong best reference, then a useless focused sound, then the next reference, each recorded', async () => {
    const settings = settingsOf({ strategy: 'layer', iterations: 4 });
    const { plan, generationId, deps } = setup(settings);
    // Retrieval ranks the wrong sound first, and the generator renders nothing for a single event.
    const retrieve = deps.retrieve;
    deps.retrieve = async (flagged, ctx) => (await retrieve(flagged, ctx)).map((r) => ({ ...r, score: r.path.includes('wrong') ? 0.95 : r.score }));
    const generator = deps.generator;
    deps.generator = {
      id: generator.id,
      capabilities: generator.capabilities,
      dispose: () => generator.dispose(),
      generate: async (req) => {
        const out = await generator.generate(req);
        if (!req.prompt.includes('then')) out.channels[0].fill(0);
        return out;
      },
    };
    const result = await runLoop(deps, { generationId, plan, settings, iterations: 4 }, fakeJob().ctx);
    const { takes, references } = store.detail(generationId);
    const [first, second, third, fourth] = takes;
    const usedFile = (t: typeof first) => t.referenceIds.map((id) => path.basename(references.find((r) => r.id === id)!.path));
    // Each regeneration starts from the best take before it (most events present, then score).
    for (const [i, t] of takes.entries()) {
      if (i === 0) continue;
      const bestBefore = takes.slice(0, i).reduce((a, b) => (better(b.critique!, a.critique!) ? b : a));
      expect(t.parentId).toBe(bestBefore.id);
      expect(t.change!.from).toBe(bestBefore.id);
    }
    expect(second.change!.kind).toBe('reference');
    expect(usedFile(second)).toEqual(['whistle-wrong.wav']);
    expect(third.change!.kind).toBe('focused');
    expect(usedFile(third)).toEqual([]);
    expect(fourth.change!.kind).toBe('next-reference');
    expect(fourth.change!.detail).toBe('"a whistle": the last try did not raise it, next reference whistle.wav 0.0–3.5 s (rank 2)');
    expect(usedFile(fourth)).toEqual(['whistle.wav']);
    // The reference the loop moved to is accepted, so the take's references say what it was made with.
    expect(references.find((r) => r.id === fourth.referenceIds[0])!.state).toBe('accepted');
    // The right sound raised the whistle where the wrong one had not (it sits on the wrong one's mix,
    // the best take so far by a hair, so it need not reach 'present').
    expect(fourth.critique!.events[2].score).toBeGreaterThan(second.critique!.events[2].score + 0.05);
    expect(result.bestTakeId).toBe(fourth.id);
  });

  it('reports the best take and says so when the last iteration ended on a worse one', async () => {
    // The critic calls the beep and the hum weak on its second call: the second take restores the
    // whistle but loses two events, so it is worse than the first, which stays the best.
    const settings = settingsOf({ strategy: 'adapter', iterations: 2 });
    const critic = new ToneCritic(new Map([[2, ['e0', 'e1']]]));
    const { plan, generationId, deps } = setup(settings, {}, critic);
    const result = await runLoop(deps, { generationId, plan, settings, iterations: 2 }, fakeJob().ctx);
    const [first, second] = store.detail(generationId).takes;
    expect(second.critique!.events.map((e) => e.verdict)).toEqual(['weak', 'weak', 'present']);
    expect(result.bestTakeId).toBe(first.id);
    expect(result.lastTakeId).toBe(second.id);
    expect(result.chosenTakeIds).toEqual([first.id, second.id]);
    expect(result.note).toMatch(/^The last iteration's take \(iteration 2, score 0\.\d\d\) is worse than the best take \(iteration 1, score 0\.\d\d\): the best take is the result\./);
    const g = store.requireGeneration(generationId);
    expect(g.note).toBe(result.note);
    expect(g.bestTakeId).toBe(first.id);
  });

  it('the next iteration after a worse one starts from the best take again and changes what it does', async () => {
    const settings = settingsOf({ strategy: 'adapter', iterations: 3 });
    const critic = new ToneCritic(new Map([[2, ['e0', 'e1']]]));
    const { plan, generationId, deps } = setup(settings, {}, critic);
    const result = await runLoop(deps, { generationId, plan, settings, iterations: 3 }, fakeJob().ctx);
    const [first, second, third] = store.detail(generationId).takes;
    expect(second.parentId).toBe(first.id);
    expect(third.parentId).toBe(first.id);
    expect(third.change!.kind).not.toBe(second.change!.kind);
    expect(third.change!.detail).toBe('"a whistle": the last try made no better take, layered a generation of the event alone (instead of adapter)');
    expect(third.critique!.events.map((e) => e.verdict)).toEqual(['present', 'present', 'present']);
    expect(result).toMatchObject({ bestTakeId: third.id, lastTakeId: third.id, stopReason: 'all_present', note: null });
    expect((await decodeFile(third.path)).audio.channels[0].length).toBe(Math.round(third.duration * third.sampleRate));
  });

  it('a regeneration the user asks for from any take records it as theirs', async () => {
    const settings = settingsOf({ strategy: 'layer', iterations: 1 });
    const { plan, generationId, deps } = setup(settings);
    await runLoop(deps, { generationId, plan, settings, iterations: 1 }, fakeJob().ctx);
    const [first] = store.detail(generationId).takes;
    const audio = (await decodeFile(first.path)).audio;
    const result = await runLoop(deps, { generationId, plan, settings, iterations: 1, from: { take: first, audio } }, fakeJob().ctx);
    const branch = store.detail(generationId).takes[1];
    expect(branch.change).toMatchObject({ kind: 'user', from: first.id, eventIds: ['e2'] });
    expect(branch.change!.detail).toBe('asked for (layer): "a whistle": reference whistle.wav 0.0–3.5 s (rank 1)');
    expect(result.bestTakeId).toBe(branch.id);
  });
});
