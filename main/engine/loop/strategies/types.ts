import type { GenerateSettings } from '../../../../preload/contract/generate';
import type { DecodedAudio } from '../../audio/types';
import type { Generator, GeneratorCapabilities } from '../../models/generator/types';
import type { EventPlan, RegenerationStrategy, SoundEvent } from '../types';
import type { PlacementCache } from './place';

/** A reference sound for one event: the raw window from the library file, not yet fitted to the take. */
export interface EventSound {
  event: SoundEvent;
  referenceId: number;
  sound: DecodedAudio;
  /** Extra level when placed, dB (recovery's 'level' rung). */
  gainDb?: number;
}

export interface StrategyRun {
  generator: Generator;
  plan: EventPlan;
  settings: GenerateSettings;
  /** The take being regenerated (never modified). */
  parent: DecodedAudio;
  /** The events the critic flagged on the parent. */
  flagged: readonly SoundEvent[];
  /** The references to use, at most one per event for layering; any number for the adapter. */
  references: readonly EventSound[];
  /**
   * Events layering renders by a generation of their text alone instead of a reference (recovery's
   * 'focused' rung). Omitted: every flagged event with layerSource "focused", none otherwise.
   */
  focused?: readonly SoundEvent[];
  /** Extra level for focused sounds, dB, by event id. */
  focusedGainDb?: ReadonlyMap<string, number>;
  /** Which candidate of the batch this is (0-based): strategies without a seed vary by it. */
  candidate: number;
  seed: number;
  signal: AbortSignal;
  onStep(step: number, total: number): void;
  /** Shared by the candidates of one iteration: what does not depend on the candidate is made once. */
  memo: Map<string, unknown>;
  /** Shared by the whole job: references fitted to the take, and measured levels. */
  placement: PlacementCache;
}

/** `make()` once per iteration under `key`. */
export function memo<T>(r: StrategyRun, key: string, make: () => T): T {
  if (!r.memo.has(key)) r.memo.set(key, make());
  return r.memo.get(key) as T;
}

/** One way to regenerate a take so the flagged events come back. */
export interface Strategy {
  readonly id: RegenerationStrategy;
  /** Null when the pack (and settings) can run it, else a one-line reason. */
  unsupported(capabilities: GeneratorCapabilities, settings: GenerateSettings): string | null;
  /** Whether it can do anything without references (a plain variation, or a focused generation). */
  needsReferences(settings: GenerateSettings): boolean;
  /**
   * Whether a regeneration keeps using the references its parent was made with (for events not
   * flagged again): a take redrawn from text would otherwise lose what the last round restored.
   * Layering builds on the parent's audio, which already holds them.
   */
  readonly inheritsReferences: boolean;
  /** Sampler steps it runs (for progress); 0 when no model runs. */
  steps(capabilities: GeneratorCapabilities, settings: GenerateSettings): number;
  run(r: StrategyRun): Promise<DecodedAudio>;
}

/** Fade length at the cut points of a placed sound. */
export const PLACEMENT_FADE_SECONDS = 0.01;

export function samplerSteps(capabilities: GeneratorCapabilities, settings: GenerateSettings): number {
  return settings.steps ?? capabilities.defaultSteps;
}

/** Everything a sampler call shares across strategies. */
export function baseRequest(r: StrategyRun) {
  return {
    prompt: r.plan.prompt,
    seconds: r.settings.duration,
    seed: r.seed,
    steps: r.settings.steps ?? undefined,
    cfgScale: r.settings.cfg ?? undefined,
    signal: r.signal,
    onStep: r.onStep,
  };
}
