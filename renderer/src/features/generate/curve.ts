import type { CritiqueValue } from '../../../../preload/contract';

type EventCritique = CritiqueValue['events'][number];

/**
 * The value range a critique's curves are drawn against. Presence probabilities (0..1) keep their
 * absolute scale so a weak curve looks weak; other scores (CLAP similarities, which sit in a narrow
 * band) are stretched over the lowest and highest value of all events, so lanes compare.
 */
export function curveRange(events: readonly EventCritique[]): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of events) for (const v of e.curve.values) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  if (!Number.isFinite(lo)) return { lo: 0, hi: 1 };
  if (lo >= 0 && hi <= 1) return { lo: 0, hi: 1 };
  return hi - lo < 1e-6 ? { lo: lo - 0.5, hi: hi + 0.5 } : { lo, hi };
}

/**
 * An SVG path in a (seconds, 0..1) box for one event's curve: each value sits at the centre of its
 * window; `area` closes it down to the baseline for a fill. Empty string when there is no curve.
 */
export function curvePath(e: EventCritique, range: { lo: number; hi: number }, duration: number, area = false): string {
  const { hop, window, values } = e.curve;
  if (!values.length || duration <= 0) return '';
  const span = range.hi - range.lo || 1;
  const pts = values.map((v, i) => {
    const x = Math.min(duration, i * hop + window / 2);
    const y = 1 - Math.max(0, Math.min(1, (v - range.lo) / span));
    return [x, y] as const;
  });
  // A single window still draws as a flat segment across it.
  if (pts.length === 1) pts.unshift([Math.max(0, pts[0][0] - window / 2), pts[0][1]]);
  const line = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(3)} ${y.toFixed(3)}`).join(' ');
  if (!area) return line;
  return `${line} L${pts.at(-1)![0].toFixed(3)} 1 L${pts[0][0].toFixed(3)} 1 Z`;
}

/** Tick marks for a time ruler: about one every 60 px, on round seconds. */
export function rulerTicks(duration: number, width: number): number[] {
  if (duration <= 0 || width <= 0) return [];
  const want = duration / Math.max(1, width / 60);
  const step = [0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60].find((s) => s >= want) ?? 120;
  const out: number[] = [];
  for (let t = 0; t <= duration + 1e-9; t += step) out.push(Math.round(t * 1000) / 1000);
  return out;
}
