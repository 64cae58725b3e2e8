/**
 * The feedback loop (seed 000) as one job: generate N candidates, critique each, keep the best of
 * the batch (best-of-N on the critic's score), stop when every event is present or at the last
 * iteration, else retrieve library references for the flagged events and regenerate. Each
 * regeneration starts from the best take so far (most events present, then the highest score), not
 * the latest, and recovery.ts decides what it does per flagged event: when an iteration did not
 * raise an event, the next changes something (the next reference, the level, a focused generation,
 * the strategy), and the takes record what and why. The result names the best take, and says so
 * when the last iteration's take is not it. Every take is stored (file, then row) the moment it is
 * critiqued and pushed to the UI as a partial update; cancel is checked between sampler steps and
 * between stages, and what finished stays.
 */
import type { GenerateResult, GenerateSettings, LoopReference, Take, TakeChange, TakeOrigin } from '../../../preload/contract/generate';
import type { DecodedAudio } from '../audio/types';
import { CuebankError } from '../errors';
import type { JobContext } from '../jobs/manager';
import type { Generator, GeneratorCapabilities } from '../models/generator/types';
import type { LoopStore } from './store';
import { Recovery, type Attempt } from './recovery';
import { PlacementCache, STRATEGIES, strategyFor, type EventSound, type Strategy } from './strategies';
import type { Critic, Critique, EventCritique, EventPlan, Reference, SoundEvent } from './types';

/** Finds library sounds for flagged events: best first per event, at most `perEvent` each. */
export type RetrieveFn = (
  flagged: readonly EventCritique[],
  context: { plan: EventPlan; take: DecodedAudio; perEvent: number; signal: AbortSignal },
) => Promise<Reference[]>;

/** Time spent per iteration in each kind of work (ms), for bench:loop. */
export interface IterationTiming {
  iteration: number;
  generate: number;
  critique: number;
  retrieve: number;
  /**
   * Parts of the rest (bookkeeping): writing take files, committing takes, storing and decoding
   * references, and a strategy's own work outside the model (fitting, mixing).
   */
  takeFiles: number;
  db: number;
  references: number;
  mix: number;
  total: number;
}

export interface LoopDeps {
  store: LoopStore;
  generator: Generator;
  critic: Critic;
  retrieve: RetrieveFn;
  /** Decodes a reference's window from its library file, at most maxSeconds long. */
  loadSound(ref: LoopReference, maxSeconds: number): Promise<DecodedAudio>;
  /** Receives each iteration's timings (benchmarks). */
  onTiming?(t: IterationTiming): void;
}

export interface LoopRun {
  generationId: string;
  plan: EventPlan;
  settings: GenerateSettings;
  /** Iterations this job runs (a regeneration counts as one). */
  iterations: number;
  /** Regenerate from this stored take (it branches); omitted: start with a text-only generation. */
  from?: { take: Take; audio: DecodedAudio };
}

type Stage = 'generate' | 'critique' | 'retrieve' | 'regenerate';

interface Kept {
  take: Take;
  audio: DecodedAudio;
  critique: Critique;
}

/** Runs the loop; resolves with what it kept, or rejects with CuebankError('cancelled') on cancel. */
export async function runLoop(deps: LoopDeps, run: LoopRun, ctx: JobContext): Promise<GenerateResult> {
  const { store, critic } = deps;
  const { settings, plan, generationId } = run;
  const caps = deps.generator.capabilities;
  // Model time is measured inside the generator only: a strategy's own mixing is bookkeeping.
  let timing: IterationTiming = { iteration: 0, generate: 0, critique: 0, retrieve: 0, takeFiles: 0, db: 0, references: 0, mix: 0, total: 0 };
  const generator: Generator = {
    id: deps.generator.id,
    capabilities: caps,
    dispose: () => deps.generator.dispose(),
    generate: async (request) => {
      const t = performance.now();
      try {
        return await deps.generator.generate(request);
      } finally {
        timing.generate += performance.now() - t;
      }
    },
  };
  const sounds = new ReferenceSoundCache(deps.loadSound);
  const placement = new PlacementCache();
  const strategy = strategyFor(settings.strategy, caps, settings, generator.id);
  const progress = new LoopProgress(ctx, run, caps, strategy);
  const chosenTakeIds: string[] = [];
  const recovery = new Recovery(settings.strategy, settings.layerSource);
  /** The best take so far: every regeneration starts from it. */
  let best: Kept | null = run.from ? { ...run.from, critique: requireCritique(run.from.take) } : null;
  /** What the last iteration's best-of-N kept (need not be the best take). */
  let last: Kept | null = null;
  let stopReason: GenerateResult['stopReason'] = 'max_iterations';
  store.setNote(generationId, null);

  for (let i = 1; i <= run.iterations; i++) {
    const t0 = performance.now();
    timing = { iteration: i, generate: 0, critique: 0, retrieve: 0, takeFiles: 0, db: 0, references: 0, mix: 0, total: 0 };
    let references: EventSound[] = [];
    let attempt: Attempt | null = null;
    let runStrategy = strategy;
    let attemptSettings = settings;
    if (best) {
      // A regeneration the user asked for always runs (a variation when nothing is flagged).
      const asked = i === 1 && !!run.from;
      if (allPresent(best.critique) && !asked) {
        stopReason = 'all_present';
        break;
      }
      const r0 = performance.now();
      await ensureReferences(deps, run, best, progress, i, timing, ctx.signal);
      attempt = recovery.plan(plan, best.critique, store.referencesOfTake(best.take.id), asked);
      for (const a of attempt.actions) {
        // A reference the loop starts using is accepted, so the take's references say what it was made with.
        for (const r of a.references) if (a.remedy === 'next-reference' && r.state === 'proposed') store.setReferenceState(r.id, 'accepted');
      }
      runStrategy = attempt.layer ? STRATEGIES.layer : strategy;
      attemptSettings = attempt.strengthFactor !== 1 ? { ...settings, referenceStrength: settings.referenceStrength * attempt.strengthFactor } : settings;
      const acted = new Set(attempt.actions.map((a) => a.event.id));
      const inherited = runStrategy.inheritsReferences
        ? store.referencesByIds(best.take.referenceIds).filter((r) => !acted.has(r.eventId)).map((ref) => ({ ref, gainDb: 0 }))
        : [];
      const chosen = attempt.actions.flatMap((a) => a.references.map((ref) => ({ ref, gainDb: a.gainDb })));
      references = await loadReferences(sounds, [...chosen, ...inherited], plan, settings.duration);
      timing.references += performance.now() - r0 - timing.retrieve;
      const focused = attempt.actions.filter((a) => a.remedy === 'focused');
      if (!references.length && !focused.length && runStrategy.needsReferences(attemptSettings)) {
        if (allPresent(best.critique)) {
          throw new CuebankError('invalid_input', 'Every event is present in this take: nothing to layer (adapter or audio2audio make a variation)');
        }
        throw new CuebankError('not_found', `No library reference found for ${flaggedText(best.critique)}: index sounds of it, or choose another strategy`);
      }
    }

    const parent = best;
    const iteration = (run.from?.take.iteration ?? 0) + i;
    const origin: TakeOrigin = parent ? runStrategy.id : 'initial';
    const change: TakeChange | null = parent && attempt ? { ...attempt.change, from: parent.take.id } : null;
    const focusedEvents = attempt?.actions.filter((a) => a.remedy === 'focused').map((a) => a.event) ?? [];
    const focusedGainDb = new Map(attempt?.actions.filter((a) => a.remedy === 'focused').map((a) => [a.event.id, a.gainDb]) ?? []);
    // Each candidate is stored as soon as it is critiqued: a cancel or failure keeps the ones before it.
    const batch: Kept[] = [];
    const memo = new Map<string, unknown>();
    for (let c = 0; c < settings.candidates; c++) {
      checkCancelled(ctx.signal);
      const seed = candidateSeed(settings, iteration, c);
      const stage: Stage = parent ? 'regenerate' : 'generate';
      const onStep = (step: number, total: number) => progress.step(stage, i, c, step, total);
      progress.step(stage, i, c, 0, progress.generationSteps(!!parent));
      const s0 = performance.now();
      const g0 = timing.generate;
      const audio = parent
        ? await runStrategy.run({
            generator,
            plan,
            settings: attemptSettings,
            parent: parent.audio,
            flagged: flaggedEvents(parent.critique, plan),
            references,
            focused: focusedEvents,
            focusedGainDb,
            candidate: c,
            seed,
            signal: ctx.signal,
            onStep,
            memo,
            placement,
          })
        : await generator.generate({
            prompt: plan.prompt,
            seconds: settings.duration,
            seed,
            steps: settings.steps ?? undefined,
            cfgScale: settings.cfg ?? undefined,
            signal: ctx.signal,
            onStep,
          });
      if (parent) timing.mix += performance.now() - s0 - (timing.generate - g0);

      checkCancelled(ctx.signal);
      // The file is written while the critic runs, and is whole on disk before its row commits.
      const w = performance.now();
      const { file, written } = store.writeTakeFile(generationId, audio);
      written.catch(() => undefined); // awaited below, after the critique; not an unhandled rejection meanwhile
      timing.takeFiles += performance.now() - w;
      progress.stage('critique', i, c);
      const g = performance.now();
      let critique: Critique;
      try {
        critique = await critic.critique(audio, plan, ctx.signal);
        timing.critique += performance.now() - g;
      } catch (err) {
        await written.catch(() => undefined);
        store.discardTakeFile(file);
        throw err;
      }
      const f = performance.now();
      const sums = await written;
      // Measured by the writer while the critic ran: a mix on this take (as a parent) starts from them.
      if (sums) placement.rememberLevels(audio, sums);
      timing.takeFiles += performance.now() - f;
      const row = {
        generationId,
        parentId: parent?.take.id ?? null,
        iteration,
        candidate: c,
        seed,
        origin,
        critique,
        referenceIds: usedReferenceIds(runStrategy, references, c),
        change,
      };
      const d = performance.now();
      const take = store.commitTake(file, row);
      timing.db += performance.now() - d;
      ctx.partial({ kind: 'take', generationId, take });
      batch.push({ take, audio, critique });
      progress.candidateDone();
    }

    // Best-of-N: the critic's overall score is the reward; ties keep the earlier candidate.
    const kept = batch.reduce((a, b) => (b.critique.score > a.critique.score ? b : a));
    store.choose(kept.take.id);
    kept.take = { ...kept.take, chosen: true };
    ctx.partial({ kind: 'chosen', generationId, iteration, takeId: kept.take.id });
    chosenTakeIds.push(kept.take.id);
    const improved = !best || better(kept.critique, best.critique);
    if (best && attempt) recovery.learn(best.critique, kept.critique, improved);
    if (improved) best = kept;
    last = kept;
    timing.total = performance.now() - t0;
    deps.onTiming?.(timing);
    if (best && allPresent(best.critique)) {
      stopReason = 'all_present';
      break;
    }
  }

  const g = store.requireGeneration(generationId);
  const generationBest = g.bestTakeId ? (store.take(g.bestTakeId) ?? null) : null;
  const note = endNote(best, last, stopReason, generationBest);
  if (note) store.setNote(generationId, note);
  progress.finish();
  return {
    generationId,
    chosenTakeIds,
    bestTakeId: best?.take.id ?? null,
    bestScore: best?.critique.score ?? null,
    stopReason,
    lastTakeId: last?.take.id ?? null,
    note,
  };
}

/** Whether take critique `a` beats `b`: more events present, then a higher score. */
export function better(a: Critique, b: Critique): boolean {
  const pa = presentCount(a);
  const pb = presentCount(b);
  return pa !== pb ? pa > pb : a.score > b.score;
}

export function presentCount(c: Critique): number {
  return c.events.filter((e) => e.verdict === 'present').length;
}

/**
 * What the result says when the loop did not end on its best take, or ended with events flagged. A
 * branch (a regeneration the user asked for) that ends flagged while another take of the generation
 * has every event present says so, rather than calling the generation unfinished.
 */
function endNote(best: Kept | null, last: Kept | null, stopReason: GenerateResult['stopReason'], generationBest: Take | null): string | null {
  if (!best || !last) return null;
  const parts: string[] = [];
  if (last.take.id !== best.take.id) {
    parts.push(
      `The last iteration's take (iteration ${last.take.iteration}, score ${last.critique.score.toFixed(2)}) is worse than the best take ` +
        `(iteration ${best.take.iteration}, score ${best.critique.score.toFixed(2)}): the best take is the result.`,
    );
  }
  if (stopReason !== 'all_present' && !allPresent(best.critique)) {
    const elsewhere = generationBest && generationBest.id !== best.take.id && generationBest.critique && allPresent(generationBest.critique);
    parts.push(
      elsewhere
        ? `This branch ended with ${flaggedText(best.critique)} still flagged; the generation's best take (iteration ${generationBest.iteration}) has every event present.`
        : `Still flagged on the best take: ${flaggedText(best.critique)}.`,
    );
  }
  return parts.length ? parts.join(' ') : null;
}

/**
 * The references of the kept take's flagged events: retrieved and stored once per take (the UI may
 * already have done it and accepted or rejected some), then `acceptDefaults`.
 */
async function ensureReferences(
  deps: LoopDeps,
  run: LoopRun,
  kept: Kept,
  progress: LoopProgress,
  iteration: number,
  timing: IterationTiming,
  signal: AbortSignal,
): Promise<LoopReference[]> {
  const flagged = kept.critique.events.filter((e) => e.verdict !== 'present');
  const stored = deps.store.referencesOfTake(kept.take.id);
  const missing = flagged.filter((e) => !stored.some((r) => r.eventId === e.eventId));
  if (missing.length) {
    checkCancelled(signal);
    progress.stage('retrieve', iteration, null);
    const t = performance.now();
    const found = await deps.retrieve(missing, { plan: run.plan, take: kept.audio, perEvent: run.settings.referencesPerEvent, signal });
    timing.retrieve += performance.now() - t;
    deps.store.addReferences(run.generationId, kept.take.id, kept.take.iteration, rankPerEvent(found, run.settings.referencesPerEvent));
    progress.retrieved();
  }
  const refs = acceptDefaults(deps.store, kept.take.id, flagged.map((e) => e.eventId));
  if (missing.length) progress.ctx.partial({ kind: 'references', generationId: run.generationId, takeId: kept.take.id, references: refs });
  return refs;
}

/**
 * The automatic loop's choice: for each event with references of which none is accepted and none
 * rejected by the user, the best one is accepted. Returns the take's references after it.
 */
export function acceptDefaults(store: LoopStore, takeId: string, eventIds: readonly string[]): LoopReference[] {
  const refs = store.referencesOfTake(takeId);
  for (const eventId of eventIds) {
    const mine = refs.filter((r) => r.eventId === eventId);
    if (!mine.length || mine.some((r) => r.state !== 'proposed')) continue;
    store.setReferenceState(mine.reduce((a, b) => (b.rank < a.rank ? b : a)).id, 'accepted');
  }
  return store.referencesOfTake(takeId);
}

/** Decoded reference windows, kept for the job: later iterations and candidates reuse them. */
class ReferenceSoundCache {
  private readonly cache = new Map<string, Promise<DecodedAudio>>();

  constructor(private readonly load: LoopDeps['loadSound']) {}

  get(ref: LoopReference, maxSeconds: number): Promise<DecodedAudio> {
    const key = `${ref.id}:${maxSeconds}`;
    let sound = this.cache.get(key);
    if (!sound) {
      sound = this.load(ref, maxSeconds);
      this.cache.set(key, sound);
      sound.catch(() => this.cache.delete(key));
    }
    return sound;
  }
}

/** The references an attempt uses, decoded and paired with their events and extra level. */
async function loadReferences(
  sounds: ReferenceSoundCache,
  refs: readonly { ref: LoopReference; gainDb: number }[],
  plan: EventPlan,
  duration: number,
): Promise<EventSound[]> {
  const out: EventSound[] = [];
  for (const { ref, gainDb } of refs) {
    if (ref.state === 'rejected') continue;
    const event = plan.events.find((e) => e.id === ref.eventId);
    if (!event) continue;
    const span = Math.max(0.05, Math.min(event.end, duration) - event.start);
    out.push({ event, referenceId: ref.id, sound: await sounds.get(ref, span), gainDb });
  }
  return out;
}

/** Keeps the best `perEvent` per event (deduplicated by file and window) and numbers them 0.. per event. */
export function rankPerEvent(refs: readonly Reference[], perEvent: number): (Reference & { rank: number })[] {
  const byEvent = new Map<string, Reference[]>();
  for (const r of refs) {
    const list = byEvent.get(r.eventId) ?? [];
    if (!list.some((x) => x.path === r.path && Math.abs(x.start - r.start) < 1e-6)) list.push(r);
    byEvent.set(r.eventId, list);
  }
  return [...byEvent.values()].flatMap((list) =>
    list
      .sort((a, b) => b.score - a.score)
      .slice(0, perEvent)
      .map((r, rank) => ({ ...r, rank })),
  );
}

/**
 * Candidate seeds are distinct across iterations and candidates of a generation, and reproducible:
 * the same settings give the same takes.
 */
export function candidateSeed(settings: GenerateSettings, iteration: number, candidate: number): number {
  return (settings.seed + (iteration - 1) * settings.candidates + candidate) % 2 ** 31;
}

function usedReferenceIds(strategy: Strategy, refs: readonly EventSound[], candidate: number): number[] {
  if (strategy.id === 'layer') {
    const byEvent = new Map<string, number[]>();
    for (const r of refs) byEvent.set(r.event.id, [...(byEvent.get(r.event.id) ?? []), r.referenceId]);
    return [...byEvent.values()].map((ids) => ids[candidate % ids.length]);
  }
  return refs.map((r) => r.referenceId);
}

export function allPresent(c: Critique): boolean {
  return c.events.every((e) => e.verdict === 'present');
}

function flaggedEvents(c: Critique, plan: EventPlan): SoundEvent[] {
  const ids = new Set(c.events.filter((e) => e.verdict !== 'present').map((e) => e.eventId));
  return plan.events.filter((e) => ids.has(e.id));
}

function flaggedText(c: Critique): string {
  return c.events
    .filter((e) => e.verdict !== 'present')
    .map((e) => `"${e.text}"`)
    .join(', ');
}

function requireCritique(take: Take): Critique {
  if (!take.critique) throw new CuebankError('invalid_input', `Take ${take.id} has no critique to regenerate from`);
  return take.critique;
}

function checkCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CuebankError('cancelled', 'Cancelled');
}

/**
 * Progress over the whole job: units are sampler steps and critic calls of every candidate of
 * every planned iteration, plus one per retrieval; an early stop jumps to 1.
 */
class LoopProgress {
  /** Units finished. */
  private done = 0;
  /** Units finished once the current generation's sampling ends. */
  private base = 0;
  private readonly total: number;
  private readonly genSteps: number;
  private readonly regenSteps: number;
  private readonly settings: GenerateSettings;

  constructor(
    readonly ctx: JobContext,
    private readonly run: LoopRun,
    caps: GeneratorCapabilities,
    strategy: Strategy,
  ) {
    this.settings = run.settings;
    this.genSteps = run.settings.steps ?? caps.defaultSteps;
    this.regenSteps = strategy.steps(caps, run.settings);
    const perCandidate = (steps: number) => Math.max(steps, 1) + 1;
    const first = run.from ? this.regenSteps : this.genSteps;
    const retrievals = run.from ? run.iterations : run.iterations - 1;
    this.total = run.settings.candidates * (perCandidate(first) + (run.iterations - 1) * perCandidate(this.regenSteps)) + retrievals;
  }

  generationSteps(regenerate: boolean): number {
    return regenerate ? this.regenSteps : this.genSteps;
  }

  step(stage: Stage, iteration: number, candidate: number, step: number, steps: number): void {
    const planned = Math.max(this.generationSteps(stage === 'regenerate'), 1);
    const fraction = steps > 0 ? (step / steps) * planned : 0;
    this.emit(stage, iteration, candidate, step, steps, this.done + fraction);
    this.base = this.done + planned;
  }

  stage(stage: Stage, iteration: number, candidate: number | null): void {
    if (stage === 'critique') this.done = this.base;
    this.emit(stage, iteration, candidate ?? 0, 0, 0, this.done);
  }

  candidateDone(): void {
    this.done = this.base + 1;
  }

  retrieved(): void {
    this.done += 1;
  }

  finish(): void {
    this.ctx.progress({ fraction: 1, stage: 'done', detail: { generationId: this.run.generationId } });
  }

  private emit(stage: Stage, iteration: number, candidate: number, step: number, steps: number, units: number): void {
    const parts = [`iteration ${iteration}/${this.run.iterations}`];
    if (stage !== 'retrieve') parts.push(`candidate ${candidate + 1}/${this.settings.candidates}`);
    if (steps > 0) parts.push(`step ${step}/${steps}`);
    this.ctx.progress({
      fraction: Math.min(1, units / this.total),
      stage,
      detail: {
        generationId: this.run.generationId,
        iteration,
        iterations: this.run.iterations,
        candidate: candidate + 1,
        candidates: this.settings.candidates,
        step,
        steps,
        text: parts.join(', '),
      },
    });
  }
}
