import type { ItemFields } from '../../../../preload/contract';

/** The shortest region trim handles may leave, seconds. */
export const MIN_REGION = 0.01;

export type Handle = 'trimIn' | 'trimOut' | 'fadeIn' | 'fadeOut';

export type TrimFields = Pick<ItemFields, 'trimIn' | 'trimOut' | 'fadeIn' | 'fadeOut'>;

/** The end of the exported region (trimOut, or the end of the audio). */
export function regionEnd(f: TrimFields, duration: number): number {
  return f.trimOut === null ? duration : Math.min(f.trimOut, duration);
}

const round = (s: number) => Math.round(s * 1000) / 1000;

/**
 * Moves one handle to a time (seconds into the item's audio) and returns the fields that change.
 * Handles hold each other back: trim in stays before trim out, fades stay inside the region and
 * never overlap; a trim that shrinks the region shortens the fades with it. Trim out at the very
 * end is stored as null ("the end"), so it follows the audio.
 */
export function moveHandle(f: TrimFields, duration: number, handle: Handle, time: number): Partial<TrimFields> {
  const end = regionEnd(f, duration);
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  switch (handle) {
    case 'trimIn': {
      const trimIn = round(clamp(time, 0, end - MIN_REGION));
      return { trimIn, ...fitFades(f, end - trimIn) };
    }
    case 'trimOut': {
      const t = round(clamp(time, f.trimIn + MIN_REGION, duration));
      const trimOut = t >= duration - 0.0005 ? null : t;
      return { trimOut, ...fitFades(f, (trimOut ?? duration) - f.trimIn) };
    }
    case 'fadeIn':
      return { fadeIn: round(clamp(time - f.trimIn, 0, end - f.trimIn - f.fadeOut)) };
    case 'fadeOut':
      return { fadeOut: round(clamp(end - time, 0, end - f.trimIn - f.fadeIn)) };
  }
}

/** Shortens the fades (fade out first) so both fit a region of this length. */
function fitFades(f: TrimFields, length: number): Partial<TrimFields> {
  let { fadeIn, fadeOut } = f;
  if (fadeIn + fadeOut <= length) return {};
  fadeOut = Math.max(0, length - fadeIn);
  if (fadeIn > length) fadeIn = length;
  return { fadeIn: round(fadeIn), fadeOut: round(fadeOut) };
}

/** Where a handle sits on the item's timeline, seconds. */
export function handleTime(f: TrimFields, duration: number, handle: Handle): number {
  const end = regionEnd(f, duration);
  if (handle === 'trimIn') return f.trimIn;
  if (handle === 'trimOut') return end;
  if (handle === 'fadeIn') return f.trimIn + f.fadeIn;
  return end - f.fadeOut;
}
