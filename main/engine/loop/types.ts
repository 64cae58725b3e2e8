/**
 * The generate -> critique -> retrieve -> regenerate loop's shared vocabulary (seed 000, with seed
 * 003's timed atomic events and seed 002's yes/no presence probability).
 */
import type { DecodedAudio } from '../audio/types';

export type EventRelation = 'start' | 'sequence' | 'overlap';

/** One atomic sound event of a prompt, with where in the take it is expected (seconds). */
export interface SoundEvent {
  /** Stable within a plan: "e0", "e1", … in prompt order. */
  readonly id: string;
  /** The event alone, as text a critic or a search understands ("a wooden door slams shut"). */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** How it relates to the event before it: first, "then" (after), "while" (overlapping). */
  readonly relation: EventRelation;
  /** "three knocks" -> 3; otherwise 1. */
  readonly count: number;
}

export interface EventPlan {
  readonly prompt: string;
  /** Take length the plan was timed for, seconds. */
  readonly duration: number;
  readonly events: readonly SoundEvent[];
  /** Why the plan is not what was asked for (the language model failed, the rules split it instead). */
  readonly note?: string;
}

/**
 * Splits a prompt into timed atomic events. Rule-based by default (synchronous); the language-model
 * route answers asynchronously.
 */
export interface EventDecomposer {
  decompose(prompt: string, options: { duration: number }): EventPlan | Promise<EventPlan>;
}

export type Verdict = 'present' | 'weak' | 'missing';

export interface EventCritique {
  readonly eventId: string;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Presence, 0..1 (a probability for the LALM critic, a calibrated score for CLAP). */
  readonly score: number;
  readonly verdict: Verdict;
  /** Presence over time: values[i] covers [i*hop, i*hop + window) seconds of the take. */
  readonly curve: { readonly hop: number; readonly window: number; readonly values: readonly number[] };
}

export interface Critique {
  readonly critic: 'clap' | 'lalm';
  readonly events: readonly EventCritique[];
  /** Overall score, 0..1: the reward best-of-N maximises. */
  readonly score: number;
  /** The LALM's free answer to "What sound events are missing …?", when asked. */
  readonly answer?: string;
}

/** Critics find which requested events are missing or weak in a take. */
export interface Critic {
  readonly id: 'clap' | 'lalm';
  critique(take: DecodedAudio, plan: EventPlan, signal?: AbortSignal): Promise<Critique>;
}

/** A library sound retrieved for a flagged event, with why it was chosen. */
export interface Reference {
  readonly eventId: string;
  readonly eventText: string;
  readonly fileId: number;
  readonly path: string;
  readonly score: number;
  /** The matching window in the source file, seconds. */
  readonly start: number;
  readonly end: number;
}

export type RegenerationStrategy = 'adapter' | 'audio2audio' | 'layer';
