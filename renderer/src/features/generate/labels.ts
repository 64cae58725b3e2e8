import type { Take } from '../../../../preload/contract';

/** Words and colours for the generate screen (colours are app.css variables). */

export type Verdict = 'present' | 'weak' | 'missing';

export const VERDICT_LABEL: Record<Verdict, string> = { present: 'present', weak: 'weak', missing: 'missing' };
export const VERDICT_COLOR: Record<Verdict, string> = { present: 'var(--green)', weak: 'var(--amber)', missing: 'var(--red)' };

export const ORIGIN_LABEL: Record<Take['origin'], string> = {
  initial: 'text only',
  adapter: 'audio-conditioned',
  audio2audio: 'audio-to-audio',
  layer: 'layered',
};

/** What a regeneration changed (Take.change.kind), as a short tag. */
export const CHANGE_LABEL: Record<NonNullable<Take['change']>['kind'], string> = {
  reference: 'reference',
  'next-reference': 'next reference',
  level: 'louder',
  focused: 'focused',
  strategy: 'strategy',
  variation: 'variation',
  user: 'asked',
};

export const STRATEGY_LABEL: Record<'adapter' | 'audio2audio' | 'layer', string> = {
  adapter: 'Audio-conditioned',
  audio2audio: 'Audio-to-audio',
  layer: 'Layer reference',
};

export const STRATEGY_HINT: Record<'adapter' | 'audio2audio' | 'layer', string> = {
  adapter: 'Generate again with the accepted references fed to the model’s audio-conditioning input',
  audio2audio: 'Start the sampler from the take with the references placed at their events’ times',
  layer: 'Mix the reference into the take at the event’s time (needs no model feature)',
};

export const STRATEGY_MISSING: Record<'adapter' | 'audio2audio' | 'layer', string> = {
  adapter: 'this pack has no audio-conditioning input',
  audio2audio: 'this pack has no latent encoder for audio-to-audio',
  layer: '',
};

/** "it 2 · c 1" (1-based candidate). */
export function takeLabel(t: Take): string {
  return `Iteration ${t.iteration}, candidate ${t.candidate + 1}`;
}

export function score(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(2);
}
