/**
 * Calibration of raw CLAP cosines into presence (README "Critics"). A cosine means nothing on its
 * own: its scale differs between models and between texts ("rain" scores higher against any noise
 * than "a dog barks" does). So each event's text is scored against reference sounds that do not
 * hold its event (reference-sounds.ts, filtered per event by contrast-bank.ts), and a window's
 * similarity is expressed as z: standard deviations above that text's chance level (chanceStats).
 * Presence = 1 / (1 + exp(−slope·(z − presentZ))): 0.5 exactly at the present threshold.
 */
import type { ClapCriticSettings } from '../../config';
import type { Verdict } from '../types';

export interface ReferenceStats {
  /** Mean similarity of the text to sounds that do not hold its event ("chance"). */
  readonly level: number;
  /** Standard deviation of that chance similarity, floored at minSpread. */
  readonly spread: number;
}

/**
 * Chance for one text: the mean and standard deviation of its similarities to the `nearest` sounds
 * most like it among those that do not hold its event (the critic has already dropped every
 * reference the model describes as the event). The near misses decide, not the bulk: a hum is what
 * "low rumble" must rise above, not a 4 kHz tone that no rumble text would ever match.
 */
export function chanceStats(similarities: readonly number[], minSpread: number, nearest: number): ReferenceStats {
  if (!similarities.length) throw new Error('chanceStats needs at least one similarity');
  const top = [...similarities].sort((a, b) => b - a).slice(0, Math.max(1, nearest));
  const mean = top.reduce((a, b) => a + b, 0) / top.length;
  const variance = top.reduce((a, b) => a + (b - mean) ** 2, 0) / top.length;
  return { level: mean, spread: Math.max(Math.sqrt(variance), minSpread) };
}

export function zScore(similarity: number, ref: ReferenceStats): number {
  return (similarity - ref.level) / ref.spread;
}

export function presenceOfZ(z: number, s: Pick<ClapCriticSettings, 'presentZ' | 'slope'>): number {
  return 1 / (1 + Math.exp(-s.slope * (z - s.presentZ)));
}

export function verdictOfZ(z: number, s: Pick<ClapCriticSettings, 'presentZ' | 'weakZ'>): Verdict {
  return z >= s.presentZ ? 'present' : z >= s.weakZ ? 'weak' : 'missing';
}

/** Verdict from a probability-like presence (the LALM critic). */
export function verdictOfPresence(p: number, s: { presentAt: number; weakAt: number }): Verdict {
  return p >= s.presentAt ? 'present' : p >= s.weakAt ? 'weak' : 'missing';
}

/** The overall score: the mean of the events' presences, so one missing event of two halves it. */
export function overallScore(presences: readonly number[]): number {
  return presences.length ? presences.reduce((a, b) => a + b, 0) / presences.length : 0;
}
