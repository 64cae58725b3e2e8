/**
 * A fast path for CLAP's log-mel features: the same numbers as transformers.js's
 * ClapFeatureExtractor (test/unit/models/clap-features.test.ts proves it within float32 rounding),
 * faster: the reference spends its time in a generic complex FFT, a strided write of the power
 * spectrum, a dense 64 x 513 matmul through an ONNX session (whose threads compete with the model's)
 * and a transpose; this uses a real-input FFT (one 512-point complex FFT per 1024-sample frame),
 * computes power only for bins below frequency_max, and applies each mel filter only over the FFT
 * bins where it is non-zero.
 *
 * Two implementations compute the same sums in float64: a WebAssembly SIMD kernel
 * (clap-features-wasm.ts: two frames per f64x2 vector, radix-4 passes, dB by a series instead of
 * Math.log10) used wherever WebAssembly SIMD exists, and the plain-JS path below (radix-2 stages
 * fused in pairs) as the fallback. Measured on the 2-core dev machine (AMD EPYC), one 10 s window at
 * 48 kHz, min / median: reference ~23 / 25 ms, plain JS ~15 / 16-20 ms, WebAssembly ~2.2 / 2.3-4 ms
 * (`npx tsx test/bench/features.bench.ts`; the first window after start-up takes ~12 ms, before V8
 * has optimised the WebAssembly code).
 *
 * It takes the window and the slaney mel filters from the ClapFeatureExtractor instance itself, so
 * the implementations can only differ in arithmetic order. It handles only what CLAP packs use for
 * Cuebank's already-cut windows (power-of-two FFT, window not longer than nb_max_samples, repeatpad
 * / repeat / zero padding, rand_trunc); anything else falls back to the reference extractor.
 */

import { WasmFeatureKernel } from './clap-features-wasm';

/** The reference floors mel power in a Float32Array: Math.max(1e-10, v) stored as float32. */
const MEL_FLOOR = Math.fround(1e-10);

export interface ClapFeatureConfig {
  sampling_rate: number;
  feature_size: number;
  fft_window_size?: number;
  n_fft?: number;
  hop_length: number;
  nb_max_samples: number;
  padding?: string;
  truncation?: string;
}

/** What the fast path needs from a ClapFeatureExtractor instance (its own window and filters). */
export interface ClapExtractorParts {
  config: ClapFeatureConfig;
  window: ArrayLike<number>;
  mel_filters_slaney: ArrayLike<number>[];
}

export interface FastClapOptions {
  /** false: always the plain-JS path (tests, benchmarks); default: WebAssembly SIMD where available. */
  simd?: boolean;
}

export class FastClapFeatures {
  /** Which implementation extract() runs. */
  readonly kernel: 'wasm-simd' | 'js';
  readonly nFft: number;
  readonly hop: number;
  readonly nMels: number;
  readonly maxSamples: number;
  /** Frames of every (padded) window: 1 + maxSamples / hop. */
  readonly frames: number;
  private readonly padding: string;
  private readonly window: Float64Array;
  /** Mel filter m covers FFT bins [filterStart[m], filterStart[m] + filterLength[m]), weights at filterOffset[m]. */
  private readonly filterStart: Int32Array;
  private readonly filterLength: Int32Array;
  private readonly filterOffset: Int32Array;
  private readonly filterWeights: Float64Array;
  private readonly half: number;
  /** Twiddles of the stage with half-size h at [h, 2h). */
  private readonly stageRe: Float64Array;
  private readonly stageIm: Float64Array;
  /** For FFT slot r: the even input sample 2 * bitrev(r) it takes, and the window values. */
  private readonly srcIndex: Int32Array;
  private readonly winEven: Float64Array;
  private readonly winOdd: Float64Array;
  /** FFT bins any mel filter uses: [binLo, binHi]. */
  private readonly binLo: number;
  private readonly binHi: number;
  private readonly twRe: Float64Array;
  private readonly twIm: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly power: Float64Array;
  /** The padded signal: the WebAssembly kernel's own input region, or a JS array. */
  private readonly padded: Float64Array;
  private readonly wasm: WasmFeatureKernel | null;

  /** Null when the configuration is outside what the fast path reproduces exactly. */
  static from(parts: ClapExtractorParts, options: FastClapOptions = {}): FastClapFeatures | null {
    const c = parts.config;
    const nFft = c.fft_window_size ?? c.n_fft;
    if (!nFft || nFft < 16 || (nFft & (nFft - 1)) !== 0) return null;
    if (parts.window.length !== nFft) return null;
    if (c.truncation === 'fusion') return null;
    if (!(c.hop_length > 0) || !(c.nb_max_samples >= nFft)) return null;
    if (parts.mel_filters_slaney.length !== c.feature_size) return null;
    if (parts.mel_filters_slaney.some((f) => f.length !== nFft / 2 + 1)) return null;
    return new FastClapFeatures(parts, nFft, options.simd !== false);
  }

  private constructor(parts: ClapExtractorParts, nFft: number, simd: boolean) {
    const c = parts.config;
    this.nFft = nFft;
    this.hop = c.hop_length;
    this.nMels = c.feature_size;
    this.maxSamples = c.nb_max_samples;
    this.padding = c.padding ?? '';
    this.window = Float64Array.from(parts.window);
    const paddedLength = this.maxSamples + nFft; // reflect padding of nFft/2 on each side
    this.frames = 1 + Math.floor((paddedLength - nFft) / this.hop);
    const nm = c.feature_size;
    this.filterStart = new Int32Array(nm);
    this.filterLength = new Int32Array(nm);
    this.filterOffset = new Int32Array(nm);
    const weights: number[] = [];
    parts.mel_filters_slaney.forEach((row, m) => {
      let a = 0;
      while (a < row.length && row[a] === 0) a++;
      let b = row.length - 1;
      while (b > a && row[b] === 0) b--;
      this.filterStart[m] = a;
      this.filterLength[m] = a < row.length ? b - a + 1 : 0;
      this.filterOffset[m] = weights.length;
      for (let j = 0; j < this.filterLength[m]; j++) weights.push(row[a + j]);
    });
    this.filterWeights = Float64Array.from(weights);

    // Complex FFT of half the length, with the twiddles that turn it into a real FFT.
    const half = (this.half = nFft / 2);
    this.stageRe = new Float64Array(half);
    this.stageIm = new Float64Array(half);
    for (let h = 1; h < half; h <<= 1) {
      for (let j = 0; j < h; j++) {
        this.stageRe[h + j] = Math.cos((Math.PI * j) / h);
        this.stageIm[h + j] = -Math.sin((Math.PI * j) / h);
      }
    }
    const bits = Math.round(Math.log2(half));
    this.srcIndex = new Int32Array(half);
    this.winEven = new Float64Array(half);
    this.winOdd = new Float64Array(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.srcIndex[i] = 2 * r;
      this.winEven[i] = this.window[2 * r];
      this.winOdd[i] = this.window[2 * r + 1];
    }
    let lo = half;
    let hi = 0;
    for (let m = 0; m < nm; m++) {
      if (this.filterLength[m] === 0) continue;
      lo = Math.min(lo, this.filterStart[m]);
      hi = Math.max(hi, this.filterStart[m] + this.filterLength[m] - 1);
    }
    this.binLo = Math.min(lo, hi);
    this.binHi = hi;
    this.twRe = new Float64Array(half + 1);
    this.twIm = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.twRe[k] = Math.cos((2 * Math.PI * k) / nFft);
      this.twIm[k] = -Math.sin((2 * Math.PI * k) / nFft);
    }
    this.re = new Float64Array(half);
    this.im = new Float64Array(half);
    this.power = new Float64Array(half + 1);
    this.wasm = simd
      ? WasmFeatureKernel.create({
          nFft,
          hop: this.hop,
          nMels: nm,
          frames: this.frames,
          paddedLength,
          filterStart: this.filterStart,
          filterLength: this.filterLength,
          filterOffset: this.filterOffset,
          filterWeights: this.filterWeights,
          window: this.window,
          binLo: this.binLo,
          binHi: this.binHi,
        })
      : null;
    this.kernel = this.wasm ? 'wasm-simd' : 'js';
    this.padded = this.wasm ? this.wasm.x : new Float64Array(paddedLength);
  }

  /**
   * Log-mel features of one window, [frames x nMels] row-major in dB, exactly the layout of
   * ClapFeatureExtractor's input_features[0][0]. `out` may be a view into a batch buffer.
   */
  extract(waveform: Float32Array | Float64Array, out: Float32Array = new Float32Array(this.frames * this.nMels)): Float32Array {
    const len = waveform.length;
    if (len === 0) throw new Error('Cannot compute features of an empty window');
    if (len > this.maxSamples) throw new Error(`Window of ${len} samples is longer than ${this.maxSamples}`);
    if (out.length < this.frames * this.nMels) throw new Error('Output buffer too small');
    this.pad(waveform);
    if (this.wasm) {
      this.wasm.run(0, this.frames);
      out.set(this.wasm.out);
      return out;
    }
    const x = this.padded;
    // 3. Frames: window, real FFT, power, mel, dB.
    const { re, im, power, half, twRe, twIm, nMels, srcIndex, winEven, winOdd, binLo, binHi } = this;
    const { filterStart, filterLength, filterOffset, filterWeights } = this;
    for (let f = 0; f < this.frames; f++) {
      const off = f * this.hop;
      for (let r = 0; r < half; r++) {
        const i = off + srcIndex[r];
        re[r] = x[i] * winEven[r];
        im[r] = x[i + 1] * winOdd[r];
      }
      this.fftInPlace();
      // Untangle the packed transform into the real input's spectrum, bins 0..half.
      // Only the bins some mel filter uses (up to frequency_max) are needed.
      power[0] = (re[0] + im[0]) * (re[0] + im[0]);
      power[half] = (re[0] - im[0]) * (re[0] - im[0]);
      const kEnd = Math.min(binHi, half - 1);
      for (let k = Math.max(1, binLo); k <= kEnd; k++) {
        const zr = re[k];
        const zi = im[k];
        const cr = re[half - k];
        const ci = -im[half - k];
        const er = 0.5 * (zr + cr);
        const ei = 0.5 * (zi + ci);
        const orr = 0.5 * (zi - ci);
        const oi = -0.5 * (zr - cr);
        const xr = er + twRe[k] * orr - twIm[k] * oi;
        const xi = ei + twRe[k] * oi + twIm[k] * orr;
        power[k] = xr * xr + xi * xi;
      }
      const o = f * nMels;
      for (let m = 0; m < nMels; m++) {
        const start = filterStart[m];
        const w0 = filterOffset[m];
        const n = filterLength[m];
        let s = 0;
        for (let j = 0; j < n; j++) s += filterWeights[w0 + j] * power[start + j];
        out[o + m] = 10 * Math.log10(Math.max(MEL_FLOOR, Math.fround(s)));
      }
    }
    return out;
  }

  /**
   * Writes the window into the padded signal: padded to maxSamples as ClapFeatureExtractor's
   * _get_input_mel does (same loop bounds), then reflect-padded by nFft/2 on each side as
   * spectrogram(center=true, pad_mode='reflect') does.
   */
  private pad(waveform: Float32Array | Float64Array): void {
    const len = waveform.length;
    const max = this.maxSamples;
    const pad = this.nFft / 2;
    const x = this.padded;
    x.set(waveform, pad);
    let filled = len;
    if (len < max) {
      if (this.padding === 'repeat') {
        for (let i = len; i < max; i += len) x.copyWithin(pad + i, pad, pad + Math.min(len, max - i));
        filled = max;
      } else if (this.padding === 'repeatpad') {
        let i = len;
        for (; i < max - len; i += len) x.copyWithin(pad + i, pad, pad + len);
        filled = i;
      }
    }
    x.fill(0, pad + filled, pad + max);
    for (let i = 1; i <= pad; i++) {
      x[pad - i] = x[pad + i];
      x[pad + max - 1 + i] = x[pad + max - 1 - i];
    }
  }

  /** Iterative radix-2 decimation-in-time FFT of re/im (already in bit-reversed order). */
  private fftInPlace(): void {
    const { re, im, stageRe, stageIm, half } = this;
    // Stages of size 2 and 4 need no multiplications.
    for (let a = 0; a < half; a += 4) {
      const r0 = re[a], i0 = im[a], r1 = re[a + 1], i1 = im[a + 1];
      const r2 = re[a + 2], i2 = im[a + 2], r3 = re[a + 3], i3 = im[a + 3];
      const s0r = r0 + r1, s0i = i0 + i1, d0r = r0 - r1, d0i = i0 - i1;
      const s1r = r2 + r3, s1i = i2 + i3, d1r = r2 - r3, d1i = i2 - i3;
      re[a] = s0r + s1r;
      im[a] = s0i + s1i;
      re[a + 2] = s0r - s1r;
      im[a + 2] = s0i - s1i;
      // twiddle -i for the odd element of the size-4 butterfly
      re[a + 1] = d0r + d1i;
      im[a + 1] = d0i - d1r;
      re[a + 3] = d0r - d1i;
      im[a + 3] = d0i + d1r;
    }
    let h = 4;
    // Two radix-2 stages at a time (half-sizes h and 2h), in registers.
    for (; 2 * h < half; h <<= 2) {
      const size = h << 2;
      for (let start = 0; start < half; start += size) {
        for (let j = 0; j < h; j++) {
          const a = start + j;
          const b = a + h;
          const c = b + h;
          const d = c + h;
          const w1r = stageRe[h + j], w1i = stageIm[h + j];
          const w2r = stageRe[2 * h + j], w2i = stageIm[2 * h + j];
          const ar = re[a], ai = im[a], br0 = re[b], bi0 = im[b];
          const cr = re[c], ci = im[c], dr0 = re[d], di0 = im[d];
          const tbr = br0 * w1r - bi0 * w1i, tbi = br0 * w1i + bi0 * w1r;
          const tdr = dr0 * w1r - di0 * w1i, tdi = dr0 * w1i + di0 * w1r;
          const a1r = ar + tbr, a1i = ai + tbi, b1r = ar - tbr, b1i = ai - tbi;
          const c1r = cr + tdr, c1i = ci + tdi, d1r = cr - tdr, d1i = ci - tdi;
          const tcr = c1r * w2r - c1i * w2i, tci = c1r * w2i + c1i * w2r;
          // W_{4h}^{j+h} = -i W_{4h}^j
          const ur = d1r * w2r - d1i * w2i, ui = d1r * w2i + d1i * w2r;
          const tddr = ui, tddi = -ur;
          re[a] = a1r + tcr;
          im[a] = a1i + tci;
          re[c] = a1r - tcr;
          im[c] = a1i - tci;
          re[b] = b1r + tddr;
          im[b] = b1i + tddi;
          re[d] = b1r - tddr;
          im[d] = b1i - tddi;
        }
      }
    }
    // A last single radix-2 stage when the count of stages is odd.
    if (h < half) {
      for (let j = 0; j < h; j++) {
        const a = j;
        const b = a + h;
        const wr = stageRe[h + j], wi = stageIm[h + j];
        const rb = re[b], ib = im[b];
        const br = rb * wr - ib * wi;
        const bi = rb * wi + ib * wr;
        const ra = re[a], ia = im[a];
        re[b] = ra - br;
        im[b] = ia - bi;
        re[a] = ra + br;
        im[a] = ia + bi;
      }
    }
  }
}
