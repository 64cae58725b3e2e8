/**
 * Calibration of raw CLAP cosines into presence (README "Critics"). A cosine means nothing on its
 * own: its scale differs between models and between texts ("rain" scores higher against any noise
 * than "a dog barks" does). So each event's text is scored against a reference set of sounds that
 * do not contain any particular event (reference-sounds.ts, plus a sample of library windows), and
 * a window's similarity is expressed as z: standard deviations above that text's chance level,
 * estimated robustly from the references (referenceStats). Presence = 1 / (1 + exp(−slope·(z − presentZ))): 0.5 exactly at the present threshold.
 */
import type { ClapCriticSettings } from '../../config';
import type { Verdict } from '../types';

export interface ReferenceStats {
  /** Estimated mean similarity of the text to sounds that do not hold it ("chance"). */
  readonly level: number;
  /** Estimated standard deviation of that chance similarity, floored at minSpread. */
  readonly spread: number;
}

/** Quantile q of sorted values, linear between neighbours. */
function quantile(sorted: readonly number[], q: number): number {
  const x = q * (sorted.length - 1);
  const i = Math.floor(x);
  return i + 1 < sorted.length ? sorted[i] + (x - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/** Standard normal quantiles at 0.1 and 0.3. */
const Z10 = -1.2816;
const Z30 = -0.5244;

/**
 * Robust and one-sided: a reference set can only be contaminated upwards, by sounds that do hold
 * the text's event (a library full of thunder for "thunder", brown noise for "rumble"), so the
 * chance distribution N(level, spread²) is fitted to the lower part of the references only, their
 * 10th and 30th percentiles: up to about 70 % of the references may match without moving it.
 */
export function referenceStats(similarities: readonly number[], minSpread: number): ReferenceStats {
  if (!similarities.length) throw new Error('referenceStats needs at least one similarity');
  const s = [...similarities].sort((a, b) => a - b);
  const q10 = quantile(s, 0.1);
  const q30 = quantile(s, 0.3);
  const spread = Math.max((q30 - q10) / (Z30 - Z10), minSpread);
  return { level: q30 - Z30 * spread, spread };
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
