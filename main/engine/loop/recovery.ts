/**
 * Recovery of the generate loop: what the next regeneration does for each flagged event, so that an
 * iteration which did not help is not repeated. Every regeneration starts from the best take so far
 * (the orchestrator's job); this decides, per flagged event, which rung of a ladder of remedies to
 * use, and climbs a rung for an event when the last attempt at it did not raise its presence by
 * MIN_RISE (or did not make a take better than the best). Each regeneration's TakeChange says what
 * it did and why.
 *
 * The ladders, cheapest and most specific first:
 *   layer:            reference -> focused -> next-reference -> level
 *   layer (focused):  focused -> reference -> next-reference -> level
 *   adapter, a2a:     reference -> focused -> next-reference -> level -> strategy
 * 'reference' uses the event's accepted references (the best one, or the user's choice);
 * 'next-reference' the best-ranked one not tried yet for the event; 'level' places the sound
 * LEVEL_STEP_DB louder (layering, audio-to-audio) or doubles λ (adapter); 'focused' layers a
 * generation of the event's text alone over its span (generators render single events well, and a
 * bed gets its whole span, where a library window may be short); 'strategy' layers the reference on
 * the best take instead of redrawing it with the model. Focused and strategy rungs run the layer
 * strategy for that iteration, whatever the loop's strategy, since they build on the best take.
 */
import type { LoopReference, TakeChange, TakeChangeKind } from '../../../preload/contract/generate';
import type { Critique, EventCritique, EventPlan, RegenerationStrategy, SoundEvent } from './types';

/** Rise in an event's presence (0..1) below which an attempt did not raise it. */
export const MIN_RISE = 0.05;
/** Extra level of a placed sound per 'level' rung, dB; at most MAX_LEVEL_STEPS rungs. */
export const LEVEL_STEP_DB = 6;
const MAX_LEVEL_STEPS = 2;

export type Remedy = 'reference' | 'next-reference' | 'level' | 'focused' | 'strategy';

const LADDERS: Record<'layer' | 'layer-focused' | 'model', readonly Remedy[]> = {
  layer: ['reference', 'focused', 'next-reference', 'level'],
  'layer-focused': ['focused', 'reference', 'next-reference', 'level'],
  model: ['reference', 'focused', 'next-reference', 'level', 'strategy'],
};

/** What the next regeneration does for one flagged event. */
export interface EventAction {
  event: SoundEvent;
  remedy: Remedy;
  /** The references it uses (none for a focused generation). */
  references: LoopReference[];
  /** Extra level for its placed sound, dB (layering, audio-to-audio). */
  gainDb: number;
  /** Why this is not the first attempt ("the last try did not raise it"); null for a first attempt. */
  why: string | null;
}

/** One regeneration's plan. */
export interface Attempt {
  /** Run the layer strategy this time, whatever the loop's (focused and strategy rungs). */
  layer: boolean;
  /** Multiply the adapter's λ by this. */
  strengthFactor: number;
  actions: EventAction[];
  change: Omit<TakeChange, 'from'>;
}

interface EventHistory {
  rung: number;
  /** Why it last climbed a rung (its action is then a change); null before. */
  why: string | null;
  levelSteps: number;
  /** "path@start" of every reference tried for it. */
  tried: Set<string>;
  /** The tried reference that left the event most present, and that presence. */
  bestRef: { key: string; score: number } | null;
}

const refKey = (r: Pick<LoopReference, 'path' | 'start'>) => `${r.path}@${r.start.toFixed(3)}`;

export class Recovery {
  private readonly ladder: readonly Remedy[];
  private readonly history = new Map<string, EventHistory>();
  private last: Attempt | null = null;

  constructor(
    private readonly strategy: RegenerationStrategy,
    layerSource: 'reference' | 'focused',
  ) {
    this.ladder = strategy === 'layer' ? LADDERS[layerSource === 'focused' ? 'layer-focused' : 'layer'] : LADDERS.model;
  }

  /**
   * The next regeneration from `parent` (the best take so far): per flagged event its remedy, with
   * references taken from `references` (the parent's, after retrieval; rejected ones never).
   * `userAsked`: the user asked for this regeneration (its change is 'user').
   */
  plan(plan: EventPlan, parent: Critique, references: readonly LoopReference[], userAsked: boolean): Attempt {
    const flagged = parent.events.filter((e) => e.verdict !== 'present');
    const actions: EventAction[] = [];
    for (const ec of flagged) {
      const event = plan.events.find((e) => e.id === ec.eventId);
      if (!event) continue;
      actions.push(this.actionFor(event, references.filter((r) => r.eventId === event.id && r.state !== 'rejected')));
    }
    const layer = this.strategy !== 'layer' && actions.some((a) => a.remedy === 'focused' || a.remedy === 'strategy');
    const strengthFactor = 2 ** Math.max(0, ...actions.map((a) => (a.remedy === 'level' ? this.historyOf(a.event.id).levelSteps : 0)));
    const kind: TakeChangeKind = userAsked ? 'user' : !actions.length ? 'variation' : mainKind(actions);
    const detail = userAsked
      ? `asked for (${this.strategy})${actions.length ? `: ${actions.map((a) => describe(a)).join('; ')}` : ': a variation, every event was present'}`
      : actions.length
        ? actions.map((a) => describe(a, this.strategy, layer)).join('; ')
        : 'a variation: every event was present';
    const attempt: Attempt = { layer, strengthFactor, actions, change: { kind, detail, eventIds: actions.map((a) => a.event.id) } };
    for (const a of actions) for (const r of a.references) this.historyOf(a.event.id).tried.add(refKey(r));
    this.last = attempt;
    return attempt;
  }

  /**
   * Learns from the batch the last plan made: an event its attempt did not raise by MIN_RISE climbs a
   * rung (with the adapter, also one it raised but left flagged), and so does every event when the
   * batch's best is no better than the parent.
   */
  learn(parent: Critique, result: Critique, improved: boolean): void {
    const attempt = this.last;
    if (!attempt) return;
    // Layering and audio-to-audio build on the best take, so a remedy that raised an event raises it
    // further when repeated; the adapter redraws from text, where the same remedy gives the same.
    const compounds = attempt.layer || this.strategy !== 'adapter';
    for (const a of attempt.actions) {
      const before = scoreOf(parent.events, a.event.id);
      const after = result.events.find((e) => e.eventId === a.event.id);
      const rose = !!after && (after.verdict === 'present' || after.score - before >= MIN_RISE);
      const again = !!after && (after.verdict === 'present' || (rose && compounds));
      const h = this.historyOf(a.event.id);
      if (after && a.references.length && (!h.bestRef || after.score > h.bestRef.score)) h.bestRef = { key: refKey(a.references[0]), score: after.score };
      if (again && improved) continue;
      const why = !rose ? 'the last try did not raise it' : !improved ? 'the last try made no better take' : `the last try left it ${after?.verdict ?? 'flagged'}`;
      this.climb(a.event.id, why);
    }
    this.last = null;
  }

  private historyOf(eventId: string): EventHistory {
    let h = this.history.get(eventId);
    if (!h) this.history.set(eventId, (h = { rung: 0, why: null, levelSteps: 0, tried: new Set(), bestRef: null }));
    return h;
  }

  private climb(eventId: string, why: string): void {
    const h = this.historyOf(eventId);
    h.rung = Math.min(h.rung + 1, this.ladder.length - 1);
    h.why = why;
  }

  /** The event's current rung, skipping rungs that cannot run (no reference left to try). */
  private actionFor(event: SoundEvent, refs: readonly LoopReference[]): EventAction {
    const h = this.historyOf(event.id);
    let why: string | null = h.why;
    const act = (remedy: Remedy, references: LoopReference[]): EventAction => ({
      event,
      remedy,
      references,
      gainDb: h.levelSteps * LEVEL_STEP_DB,
      why,
    });
    for (;;) {
      const remedy = this.ladder[h.rung];
      if (remedy === 'reference') {
        const accepted = refs.filter((r) => r.state === 'accepted');
        const chosen = accepted.length ? accepted : refs.slice(0, 1);
        if (chosen.length) return act(remedy, chosen);
      } else if (remedy === 'next-reference') {
        const next = [...refs].sort((a, b) => a.rank - b.rank).find((r) => !h.tried.has(refKey(r)));
        if (next) return act(remedy, [next]);
      } else if (remedy === 'level') {
        // Each plan on this rung is one step louder, up to MAX_LEVEL_STEPS.
        h.levelSteps = Math.min(MAX_LEVEL_STEPS, h.levelSteps + 1);
        const references = this.bestTried(refs, h);
        // Without a reference the louder sound is a focused generation.
        return act(references.length ? remedy : 'focused', references);
      } else if (remedy === 'strategy') {
        const references = this.bestTried(refs, h);
        if (references.length) return act(remedy, references);
      } else {
        return act(remedy, []);
      }
      // This rung cannot run for the event (nothing left to try): the next one, else a focused generation.
      why = refs.length ? 'no reference left to try' : 'no library reference found';
      if (h.rung >= this.ladder.length - 1) return act('focused', []);
      h.rung++;
      h.why = why;
    }
  }

  /** The tried reference that did best, else the accepted one, else the best-ranked one: for rungs that change how a sound is used. */
  private bestTried(refs: readonly LoopReference[], h: EventHistory): LoopReference[] {
    const best = h.bestRef && refs.find((r) => refKey(r) === h.bestRef!.key);
    if (best) return [best];
    const accepted = refs.filter((r) => r.state === 'accepted');
    return accepted.length ? accepted.slice(0, 1) : [...refs].sort((a, b) => a.rank - b.rank).slice(0, 1);
  }
}

function scoreOf(events: readonly EventCritique[], eventId: string): number {
  return events.find((e) => e.eventId === eventId)?.score ?? 0;
}

/** The change's kind: the furthest rung any event is on (a first attempt is 'reference'). */
function mainKind(actions: readonly EventAction[]): TakeChangeKind {
  const order: Remedy[] = ['reference', 'next-reference', 'level', 'focused', 'strategy'];
  return actions.map((a) => a.remedy).reduce((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a), 'reference' as Remedy);
}

const base = (p: string) => p.split(/[\\/]/).pop() ?? p;

function describe(a: EventAction, strategy?: RegenerationStrategy, layering?: boolean): string {
  const what = `"${a.event.text}"`;
  const ref = a.references[0];
  const why = a.why ? `${a.why}, ` : '';
  const refText = ref ? `${base(ref.path)} ${ref.start.toFixed(1)}–${ref.end.toFixed(1)} s (rank ${ref.rank + 1})` : '';
  switch (a.remedy) {
    case 'reference':
      return `${what}: ${why}reference ${refText}${a.references.length > 1 ? ` and ${a.references.length - 1} more` : ''}`;
    case 'next-reference':
      return `${what}: ${why}next reference ${refText}`;
    case 'level':
      return `${what}: ${why}${strategy === 'adapter' && !layering ? `reference strength ×${2 ** (a.gainDb / LEVEL_STEP_DB)}` : `placed ${a.gainDb} dB louder`}${refText ? ` (${refText})` : ''}`;
    case 'focused':
      return `${what}: ${why}layered a generation of the event alone${a.gainDb ? `, ${a.gainDb} dB louder` : ''}${strategy && strategy !== 'layer' ? ` (instead of ${strategy})` : ''}`;
    case 'strategy':
      return `${what}: ${strategy ?? 'the model'} did not raise it, layered ${refText} on the best take instead`;
  }
}
