import { describe, expect, it } from 'vitest';
import { LEVEL_STEP_DB, Recovery } from '../../../main/engine/loop/recovery';
import type { Critique, EventPlan } from '../../../main/engine/loop/types';
import type { LoopReference } from '../../../preload/contract/generate';

const plan: EventPlan = {
  prompt: 'a hum then a beep',
  duration: 4,
  events: [
    { id: 'e0', text: 'a hum', start: 0, end: 2, relation: 'start', count: 1 },
    { id: 'e1', text: 'a beep', start: 2, end: 4, relation: 'sequence', count: 1 },
  ],
};

function critique(beep: number): Critique {
  const ev = (id: string, text: string, score: number) => ({
    eventId: id,
    text,
    start: 0,
    end: 1,
    score,
    verdict: score >= 0.5 ? ('present' as const) : score >= 0.2 ? ('weak' as const) : ('missing' as const),
    curve: { hop: 1, window: 1, values: [score] },
  });
  const events = [ev('e0', 'a hum', 0.9), ev('e1', 'a beep', beep)];
  return { critic: 'clap', events, score: (0.9 + beep) / 2 };
}

function ref(id: number, rank: number, state: LoopReference['state'] = 'proposed'): LoopReference {
  return { id, generationId: 'g', takeId: 't', iteration: 1, eventId: 'e1', eventText: 'a beep', fileId: id, path: `/lib/beep-${id}.wav`, score: 0.9 - rank / 10, start: 0, end: 1, rank, state };
}

/** The remedies a recovery plans for the beep over `n` attempts that never raise it (the second reference tried leaves it a little higher). */
function climb(recovery: Recovery, refs: LoopReference[], n: number) {
  const parent = critique(0.05);
  const out: { remedy: string; refs: number[]; gainDb: number; layer: boolean; kind: string }[] = [];
  for (let i = 0; i < n; i++) {
    const a = recovery.plan(plan, parent, refs, false);
    const act = a.actions[0];
    out.push({ remedy: act.remedy, refs: act.references.map((r) => r.id), gainDb: act.gainDb, layer: a.layer, kind: a.change.kind });
    recovery.learn(parent, critique(act.references[0]?.id === 2 ? 0.08 : 0.06), false);
  }
  return out;
}

describe('the recovery ladder', () => {
  it('layer: best reference, focused generation, next reference, then louder, each once the last did not raise the event', () => {
    const steps = climb(new Recovery('layer', 'reference'), [ref(1, 0, 'accepted'), ref(2, 1), ref(3, 2, 'rejected')], 5);
    expect(steps.map((s) => [s.remedy, s.refs, s.gainDb])).toEqual([
      ['reference', [1], 0],
      ['focused', [], 0],
      ['next-reference', [2], 0],
      ['level', [2], LEVEL_STEP_DB],
      ['level', [2], 2 * LEVEL_STEP_DB],
    ]);
    expect(steps.every((s) => !s.layer)).toBe(true);
  });

  it('a model strategy switches to layering for a focused generation and at the end of its ladder, and doubles λ on the level rung', () => {
    const recovery = new Recovery('adapter', 'reference');
    const steps = climb(recovery, [ref(1, 0, 'accepted'), ref(2, 1)], 6);
    expect(steps.map((s) => [s.remedy, s.layer])).toEqual([
      ['reference', false],
      ['focused', true],
      ['next-reference', false],
      ['level', false],
      ['strategy', true],
      ['strategy', true],
    ]);
    const again = new Recovery('adapter', 'reference');
    climb(again, [ref(1, 0, 'accepted'), ref(2, 1)], 3);
    expect(again.plan(plan, critique(0.05), [ref(1, 0, 'accepted'), ref(2, 1, 'accepted')], false).strengthFactor).toBe(2);
  });

  it('with no reference at all it goes to a focused generation, then a louder one, and says why', () => {
    const recovery = new Recovery('layer', 'reference');
    const first = recovery.plan(plan, critique(0.05), [], false);
    expect(first.actions[0]).toMatchObject({ remedy: 'focused', why: 'no library reference found' });
    expect(first.change.detail).toBe('"a beep": no library reference found, layered a generation of the event alone');
    recovery.learn(critique(0.05), critique(0.05), false);
    const steps = climb(recovery, [], 3).map((s) => [s.remedy, s.gainDb]);
    expect(steps).toEqual([
      ['focused', LEVEL_STEP_DB],
      ['focused', 2 * LEVEL_STEP_DB],
      ['focused', 2 * LEVEL_STEP_DB],
    ]);
  });

  it('keeps a remedy that raised the event and made a better take when it compounds (layering), not with the adapter', () => {
    const layer = new Recovery('layer', 'reference');
    layer.plan(plan, critique(0.05), [ref(1, 0, 'accepted')], false);
    layer.learn(critique(0.05), critique(0.3), true);
    expect(layer.plan(plan, critique(0.3), [ref(1, 0, 'accepted')], false).actions[0].remedy).toBe('reference');

    const adapter = new Recovery('adapter', 'reference');
    adapter.plan(plan, critique(0.05), [ref(1, 0, 'accepted')], false);
    adapter.learn(critique(0.05), critique(0.3), true);
    const next = adapter.plan(plan, critique(0.3), [ref(1, 0, 'accepted')], false);
    expect(next.actions[0]).toMatchObject({ remedy: 'focused', why: 'the last try left it weak' });
  });
});
