/**
 * Mono as the average of all channels (a new array, never one of the inputs). Averaging, not
 * summing, keeps full-scale input in [-1, 1]; channels of different lengths use the shortest.
 */
export function toMono(channels: Float32Array[]): Float32Array {
  const n = channels.length;
  if (!n) return new Float32Array(0);
  const out = new Float32Array(Math.min(...channels.map((c) => c.length)));
  toMonoInto(channels, out);
  return out;
}

/**
 * toMono into `out` (at least as long as the shortest channel): returns the number of samples
 * written. Lets a caller reuse one buffer when the mono samples are consumed at once.
 */
export function toMonoInto(channels: Float32Array[], out: Float32Array): number {
  const n = channels.length;
  if (!n) return 0;
  let len = channels[0].length;
  for (let c = 1; c < n; c++) len = Math.min(len, channels[c].length);
  if (out.length < len) throw new RangeError(`toMonoInto needs ${len} samples of room, got ${out.length}`);
  if (n === 1) {
    out.set(channels[0].subarray(0, len));
  } else if (n === 2) {
    const [a, b] = channels;
    for (let i = 0; i < len; i++) out[i] = (a[i] + b[i]) * 0.5;
  } else {
    const scale = 1 / n;
    for (let i = 0; i < len; i++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += channels[c][i];
      out[i] = s * scale;
    }
  }
  return len;
}
