/**
 * Mono as the average of all channels (a new array, never one of the inputs). Averaging, not
 * summing, keeps full-scale input in [-1, 1]; channels of different lengths use the shortest.
 */
export function toMono(channels: Float32Array[]): Float32Array {
  const n = channels.length;
  if (!n) return new Float32Array(0);
  const len = Math.min(...channels.map((c) => c.length));
  const out = new Float32Array(len);
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
  return out;
}
