/** Min/max peak pairs, as a waveform or a slice of one carries them. */
export interface Peaks {
  min: ArrayLike<number>;
  max: ArrayLike<number>;
}

/**
 * Sizes a canvas's backing store for the screen's pixel ratio (whole ratios keep 1 px columns
 * sharp) and clears it; drawing afterwards is in CSS pixels.
 */
export function prepareCanvas(canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, width: number, height: number): void {
  const dpr = Math.max(1, Math.round(window.devicePixelRatio || 1));
  if (canvas.width !== width * dpr || canvas.height !== height * dpr) {
    canvas.width = width * dpr;
    canvas.height = height * dpr;
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
}

/** The gain that lifts the loudest peak to `target` of full scale, never more than `maxGain`. */
export function normalizingGain(peaks: Peaks, target: number, maxGain: number): number {
  let peak = 0;
  for (let i = 0; i < peaks.max.length; i++) peak = Math.max(peak, peaks.max[i], -peaks.min[i]);
  return peak > 0 ? Math.min(maxGain, target / peak) : 1;
}

/** Calls `draw` for each pixel column of a `width`-wide drawing with the lowest and highest peak under it. */
export function forEachColumn(peaks: Peaks, width: number, draw: (x: number, lo: number, hi: number) => void): void {
  const n = peaks.max.length;
  for (let x = 0; x < width; x++) {
    const a = Math.floor((x / width) * n);
    const b = Math.max(a + 1, Math.floor(((x + 1) / width) * n));
    let lo = 0;
    let hi = 0;
    for (let i = a; i < b && i < n; i++) {
      if (peaks.min[i] < lo) lo = peaks.min[i];
      if (peaks.max[i] > hi) hi = peaks.max[i];
    }
    draw(x, lo, hi);
  }
}
