/**
 * The WebAssembly SIMD kernel of FastClapFeatures: windowing, FFT, power, mel filters and dB for
 * all frames of one window, in float64 (f64x2), two frames per vector: lane 0 holds frame f and
 * lane 1 frame f + 1, so the FFT is the scalar algorithm run on vectors, with no shuffles. Float32
 * (f32x4, four frames) would be twice as wide but is not accurate enough: on a pure tone the
 * float32 FFT's noise floor lies above the Hann window's far sidelobes, and high mel bands then
 * differ from ClapFeatureExtractor (which transforms in float64) by ~0.02 dB.
 *
 * Per pair of frames (nFft = 2 * half points each, a real FFT via one half-length complex FFT):
 *   1. load + window + the first two radix-2 stages (4-point DFTs of 4 slots; 8-point DFTs of
 *      8 slots when the count of stages is odd), reading the even/odd samples of both frames in
 *      bit-reversed order;
 *   2. radix-4 decimation-in-time passes (3 complex multiplications per 4 points);
 *   3. the untangling of the packed transform into the real input's spectrum and its power, only
 *      for bins some mel filter uses;
 *   4. each slaney mel filter over its non-zero bins only; the sum rounded to float32 and floored
 *      at fround(1e-10) as the reference's Float32Array and Math.max do, stored as float32 straight
 *      into the [frames x nMels] output.
 * Then, over the whole output in one streaming loop (so that the long dependency chains of
 * successive values overlap; inside the mel loop they did not, and cost a third of the time):
 *   5. 10 * log10 by exponent extraction and an atanh series in float64 (error ~1e-14 dB, far below
 *      float32 rounding; Math.log10 in JS alone would take ~1 ms per window), stored as float32.
 * No toolchain is available at build time, so the module is assembled from its opcodes below
 * (as main/engine/audio/resample-kernel.ts does), specialised to one configuration: sizes and
 * table offsets are constants in the code.
 */

import { I32, V128, body, compileModule, moduleOf, name, section, sleb, uleb, vec, wasmApi as wasm, type WasmModule } from '../wasm/assemble';

// ---- opcodes ---------------------------------------------------------------------------------

const simd = (sub: number, ...rest: number[]) => [0xfd, ...uleb(sub), ...rest];
const f32Bits = (v: number) => new Uint32Array(new Float32Array([v]).buffer)[0];
const f64Bytes = (v: number) => [...new Uint8Array(new Float64Array([v]).buffer)];

const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)],
  br_if: (d: number) => [0x0d, ...uleb(d)],
  select: [0x1b],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32_load: (offset = 0) => [0x28, 2, ...uleb(offset)],
  i32: (v: number) => [0x41, ...sleb(v)],
  i32_eqz: [0x45],
  i32_ne: [0x47],
  i32_lt_u: [0x49],
  i32_ge_u: [0x4f],
  i32_add: [0x6a],
  i32_and: [0x71],
  i32_shr_u: [0x76],
  i32_sub: [0x6b],
  i32_mul: [0x6c],
  v128_load: (offset = 0) => simd(0x00, 4, ...uleb(offset)),
  v128_load64_splat: (offset = 0) => simd(0x0a, 3, ...uleb(offset)),
  v128_store: (offset = 0) => simd(0x0b, 4, ...uleb(offset)),
  v128_store32_lane: (lane: number, offset = 0) => simd(0x5a, 2, ...uleb(offset), lane),
  v128_store64_lane: (lane: number, offset = 0) => simd(0x5b, 3, ...uleb(offset), lane),
  v128_load32_zero: (offset = 0) => simd(0x5c, 2, ...uleb(offset)),
  v128_load64_zero: (offset = 0) => simd(0x5d, 3, ...uleb(offset)),
  f64x2_const: (a: number, b = a) => simd(0x0c, ...f64Bytes(a), ...f64Bytes(b)),
  i32x4_const: (a: number) => simd(0x0c, ...[a, a, a, a].flatMap((v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff])),
  /** [a.lane0, b.lane0] of two f64x2 */
  lo2: simd(0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23),
  /** [a.lane1, b.lane1] of two f64x2 */
  hi2: simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31),
  v128_and: simd(0x4e),
  v128_or: simd(0x50),
  v128_bitselect: simd(0x52),
  f64x2_lt: simd(0x49),
  f64x2_gt: simd(0x4a),
  f32x4_demote: simd(0x5e),
  f64x2_promote: simd(0x5f),
  i32x4_shr_u: simd(0xad),
  i32x4_sub: simd(0xb1),
  f32x4_max: simd(0xe9),
  f64x2_add: simd(0xf0),
  f64x2_sub: simd(0xf1),
  f64x2_mul: simd(0xf2),
  f64x2_div: simd(0xf3),
  f64x2_convert_low_i32x4_s: simd(0xfe),
};

// ---- layout ------------------------------------------------------------------------------------

export interface KernelConfig {
  nFft: number;
  hop: number;
  nMels: number;
  frames: number;
  /** Length of the padded signal the frames are cut from (maxSamples + nFft). */
  paddedLength: number;
  /** Mel filter m covers bins [start[m], start[m] + length[m]), weights at offset[m] in weights. */
  filterStart: Int32Array;
  filterLength: Int32Array;
  filterOffset: Int32Array;
  filterWeights: Float64Array;
  window: Float64Array;
  /** Bins any mel filter uses: [binLo, binHi]. */
  binLo: number;
  binHi: number;
}

interface Layout {
  half: number;
  /** Radix-4 passes: half-size h of the blocks they combine, and their twiddle table. */
  passes: { h: number; tw: number }[];
  /** Points of the first pass's DFTs: 4, or 8 when the count of radix-2 stages is odd. */
  first: number;
  work: number;
  pow: number;
  src: number;
  win: number;
  untangle: number;
  melDesc: number;
  melWeights: number;
  out: number;
  x: number;
  bytes: number;
}

function layout(c: KernelConfig): Layout {
  const half = c.nFft / 2;
  let at = 0;
  const take = (bytes: number) => {
    const p = at;
    at += Math.ceil(bytes / 16) * 16;
    return p;
  };
  const work = take(32 * half); // slot k: re (f64x2) at 32k, im at 32k + 16
  const pow = take(16 * (half + 1));
  const src = take(4 * half);
  const win = take(16 * half);
  const passes: { h: number; tw: number }[] = [];
  const first = Math.round(Math.log2(half)) % 2 ? 8 : 4;
  for (let h = first; h < half; h *= 4) passes.push({ h, tw: take(48 * h) });
  const untangle = take(16 * (half + 1));
  const melDesc = take(12 * c.nMels);
  const melWeights = take(8 * c.filterWeights.length);
  const out = take(4 * c.frames * c.nMels);
  const x = take(8 * c.paddedLength + 16);
  return { half, passes, first, work, pow, src, win, untangle, melDesc, melWeights, out, x, bytes: at };
}

// ---- code --------------------------------------------------------------------------------------

/** run(first, count): log-mel frames [first, first + count) into the output region. */
function runBody(c: KernelConfig, L: Layout): number[] {
  const { half } = L;
  // params
  const first = 0;
  const count = 1;
  // i32 locals
  const [f, fb, end, pA, pB, oA, oB, p, q, w, g, j, tw, m, n, pp, wp, md] = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
  const nI32 = 18;
  // v128 locals
  let next = 2 + nI32;
  const v = () => next++;
  const [ar, ai, br, bi, cr, ci, dr, di] = [v(), v(), v(), v(), v(), v(), v(), v()];
  const [t1r, t1i, t2r, t2i, t3r, t3i, acc, tmp, e, mm, s, wr, wi] = [v(), v(), v(), v(), v(), v(), v(), v(), v(), v(), v(), v(), v()];
  const nV = next - 2 - nI32;

  const code: number[] = [];
  const emit = (...parts: number[][]) => {
    for (const part of parts) code.push(...part);
  };
  const loadRe = (ptr: number, off: number) => [...op.get(ptr), ...op.v128_load(off)];
  const loadIm = (ptr: number, off: number) => [...op.get(ptr), ...op.v128_load(off + 16)];
  const store = (ptr: number, off: number, value: number[]) => [...op.get(ptr), ...value, ...op.v128_store(off)];
  const add = (a: number, b: number) => [...op.get(a), ...op.get(b), ...op.f64x2_add];
  const sub = (a: number, b: number) => [...op.get(a), ...op.get(b), ...op.f64x2_sub];
  const splat = (ptr: number, off: number) => [...op.get(ptr), ...op.v128_load64_splat(off)];
  /** (xr + i xi) * (w at twp+off, w at twp+off+8) into (outR, outI) */
  const cmul = (xr: number, xi: number, twp: number, off: number, outR: number, outI: number) => [
    ...splat(twp, off), ...op.set(wr), ...splat(twp, off + 8), ...op.set(wi),
    ...op.get(xr), ...op.get(wr), ...op.f64x2_mul, ...op.get(xi), ...op.get(wi), ...op.f64x2_mul, ...op.f64x2_sub,
    ...op.get(xr), ...op.get(wi), ...op.f64x2_mul, ...op.get(xi), ...op.get(wr), ...op.f64x2_mul, ...op.f64x2_add,
    ...op.set(outI), ...op.set(outR),
  ]; // prettier-ignore
  /**
   * Radix-2^2 / radix-4 combination of t0 = (ar, ai), t1, t2, t3 (already twiddled) into the four
   * slots at p + o0..o3: X0 = s02 + s13, X2 = s02 - s13, X1 = d02 - i d13, X3 = d02 + i d13.
   */
  const radix4Out = (a: [number, number], b: [number, number], c4: [number, number], d: [number, number], offs: number[]) => [
    // s02 -> (a), d02 -> (b); s13 -> (c4), d13 -> (d)
    ...add(a[0], b[0]), ...sub(a[0], b[0]), ...op.set(b[0]), ...op.set(a[0]),
    ...add(a[1], b[1]), ...sub(a[1], b[1]), ...op.set(b[1]), ...op.set(a[1]),
    ...add(c4[0], d[0]), ...sub(c4[0], d[0]), ...op.set(d[0]), ...op.set(c4[0]),
    ...add(c4[1], d[1]), ...sub(c4[1], d[1]), ...op.set(d[1]), ...op.set(c4[1]),
    ...store(p, offs[0], add(a[0], c4[0])), ...store(p, offs[0] + 16, add(a[1], c4[1])),
    ...store(p, offs[2], sub(a[0], c4[0])), ...store(p, offs[2] + 16, sub(a[1], c4[1])),
    ...store(p, offs[1], add(b[0], d[1])), ...store(p, offs[1] + 16, sub(b[1], d[0])),
    ...store(p, offs[3], sub(b[0], d[1])), ...store(p, offs[3] + 16, add(b[1], d[0])),
  ]; // prettier-ignore

  // f = first; end = first + count
  emit(op.get(first), op.set(f), op.get(first), op.get(count), op.i32_add, op.set(end));
  emit(op.block, op.loop);
  emit(op.get(f), op.get(end), op.i32_ge_u, op.br_if(1));
  // fb = f + 1 < end ? f + 1 : f (an odd last frame is computed twice, in both lanes)
  emit(op.get(f), op.i32(1), op.i32_add, op.get(f), op.get(f), op.i32(1), op.i32_add, op.get(end), op.i32_lt_u, op.select, op.set(fb));
  emit(op.get(f), op.i32(8 * c.hop), op.i32_mul, op.i32(L.x), op.i32_add, op.set(pA));
  emit(op.get(fb), op.i32(8 * c.hop), op.i32_mul, op.i32(L.x), op.i32_add, op.set(pB));
  emit(op.get(f), op.i32(4 * c.nMels), op.i32_mul, op.i32(L.out), op.i32_add, op.set(oA));
  emit(op.get(fb), op.i32(4 * c.nMels), op.i32_mul, op.i32(L.out), op.i32_add, op.set(oB));

  // 1. load, window, and the first 2 (or 3) radix-2 stages: 4-point (or 8-point) DFTs of
  //    consecutive slots, whose inputs are the frames' even/odd samples in bit-reversed order.
  const regs: [number, number][] = [
    [ar, ai],
    [br, bi],
    [cr, ci],
    [dr, di],
  ];
  /** 4-point DFT of slots k0..k0+3 (inputs at src/win + k0) into registers: X0 (ar, ai), X2 (cr, ci), X1 (br, bi), X3 (dr, di). */
  const quad = (k0: number) => {
    regs.forEach(([re, im], k) => {
      // tmp = x[A + s .. +1] * (we, wo); acc = x[B + s ..] * (we, wo)
      const s4 = 4 * (k0 + k);
      emit(op.get(pA), op.get(q), op.i32_load(s4), op.i32_add, op.v128_load(), op.get(w), op.v128_load(4 * s4), op.f64x2_mul, op.set(tmp));
      emit(op.get(pB), op.get(q), op.i32_load(s4), op.i32_add, op.v128_load(), op.get(w), op.v128_load(4 * s4), op.f64x2_mul, op.set(acc));
      emit(op.get(tmp), op.get(acc), op.lo2, op.set(re), op.get(tmp), op.get(acc), op.hi2, op.set(im));
    });
    // size-2 butterflies (a, b), (c, d); then size 4, twiddle -i on the odd element
    emit(
      add(ar, br), sub(ar, br), op.set(br), op.set(ar),
      add(ai, bi), sub(ai, bi), op.set(bi), op.set(ai),
      add(cr, dr), sub(cr, dr), op.set(dr), op.set(cr),
      add(ci, di), sub(ci, di), op.set(di), op.set(ci),
      add(ar, cr), sub(ar, cr), op.set(cr), op.set(ar),
      add(ai, ci), sub(ai, ci), op.set(ci), op.set(ai),
      add(br, di), sub(br, di), op.set(tmp), op.set(acc),
      sub(bi, dr), add(bi, dr), op.set(di), op.set(bi),
      op.get(acc), op.set(br), op.get(tmp), op.set(dr),
    ); // prettier-ignore
  };
  const firstSlots = L.first;
  emit(op.i32(L.work), op.set(p), op.i32(L.src), op.set(q), op.i32(L.win), op.set(w));
  emit(op.loop);
  quad(0);
  emit(store(p, 0, [...op.get(ar)]), store(p, 16, [...op.get(ai)]), store(p, 32, [...op.get(br)]), store(p, 48, [...op.get(bi)]));
  emit(store(p, 64, [...op.get(cr)]), store(p, 80, [...op.get(ci)]), store(p, 96, [...op.get(dr)]), store(p, 112, [...op.get(di)]));
  if (firstSlots === 8) {
    // X[j] = P[j] + W8^j Q[j], X[j + 4] = P[j] - W8^j Q[j]: P stored at slots 0..3, Q in registers
    quad(4);
    const c8 = op.f64x2_const(Math.SQRT1_2);
    // t = W8^j Q[j] as (t1r, t1i): j = 0: Q0; 1: ((x + y) + i (y - x)) / sqrt 2; 2: y - i x; 3: ((y - x) - i (x + y)) / sqrt 2
    const combine = (j: number, tr: number[], ti: number[]) => {
      emit(tr, op.set(t1r), ti, op.set(t1i), loadRe(p, 32 * j), op.set(t2r), loadIm(p, 32 * j), op.set(t2i));
      emit(store(p, 32 * j, add(t2r, t1r)), store(p, 32 * j + 16, add(t2i, t1i)));
      emit(store(p, 32 * (j + 4), sub(t2r, t1r)), store(p, 32 * (j + 4) + 16, sub(t2i, t1i)));
    };
    combine(0, op.get(ar), op.get(ai));
    combine(1, [...add(br, bi), ...c8, ...op.f64x2_mul], [...sub(bi, br), ...c8, ...op.f64x2_mul]);
    combine(2, op.get(ci), [...op.f64x2_const(0), ...op.get(cr), ...op.f64x2_sub]);
    combine(3, [...sub(di, dr), ...c8, ...op.f64x2_mul], [...op.f64x2_const(0), ...add(dr, di), ...op.f64x2_sub, ...c8, ...op.f64x2_mul]);
  }
  emit(op.get(q), op.i32(4 * firstSlots), op.i32_add, op.set(q), op.get(w), op.i32(16 * firstSlots), op.i32_add, op.set(w));
  emit(op.get(p), op.i32(32 * firstSlots), op.i32_add, op.tee(p), op.i32(L.work + 32 * half), op.i32_ne, op.br_if(0), op.end);

  // 2. radix-4 passes: blocks A, B, C, D of length h (DFTs of x[4n], x[4n+2], x[4n+1], x[4n+3]);
  //    t1 = W^j C, t2 = W^2j B, t3 = W^3j D with W = exp(-2 pi i / 4h).
  for (const { h, tw: twBase } of L.passes) {
    emit(op.i32(L.work), op.set(p), op.i32(half / (4 * h)), op.set(g));
    emit(op.loop);
    emit(op.i32(twBase), op.set(tw), op.i32(h), op.set(j));
    emit(op.loop);
    emit(loadRe(p, 0), op.set(ar), loadIm(p, 0), op.set(ai));
    emit(loadRe(p, 32 * h), loadIm(p, 32 * h), op.set(bi), op.set(br));
    emit(loadRe(p, 64 * h), loadIm(p, 64 * h), op.set(ci), op.set(cr));
    emit(loadRe(p, 96 * h), loadIm(p, 96 * h), op.set(di), op.set(dr));
    emit(cmul(cr, ci, tw, 0, t1r, t1i), cmul(br, bi, tw, 16, t2r, t2i), cmul(dr, di, tw, 32, t3r, t3i));
    emit(radix4Out([ar, ai], [t2r, t2i], [t1r, t1i], [t3r, t3i], [0, 32 * h, 64 * h, 96 * h]));
    emit(op.get(tw), op.i32(48), op.i32_add, op.set(tw), op.get(p), op.i32(32), op.i32_add, op.set(p));
    emit(op.get(j), op.i32(1), op.i32_sub, op.tee(j), op.br_if(0), op.end);
    emit(op.get(p), op.i32(96 * h), op.i32_add, op.set(p));
    emit(op.get(g), op.i32(1), op.i32_sub, op.tee(g), op.br_if(0), op.end);
  }
  // 3. power of the real input's spectrum for bins [binLo, binHi].
  const half05 = op.f64x2_const(0.5);
  if (c.binLo === 0 || c.binHi === half) {
    emit(op.i32(L.work), op.set(p), loadRe(p, 0), op.set(ar), loadIm(p, 0), op.set(ai));
    if (c.binLo === 0) emit(op.i32(L.pow), add(ar, ai), op.tee(tmp), op.get(tmp), op.f64x2_mul, op.v128_store());
    if (c.binHi === half) emit(op.i32(L.pow + 16 * half), sub(ar, ai), op.tee(tmp), op.get(tmp), op.f64x2_mul, op.v128_store());
  }
  const kLo = Math.max(1, c.binLo);
  const kHi = Math.min(c.binHi, half - 1);
  if (kLo <= kHi) {
    // p: slot k, q: slot half - k, tw: untangle twiddle k, w: power k
    emit(op.i32(L.work + 32 * kLo), op.set(p), op.i32(L.work + 32 * (half - kLo)), op.set(q));
    emit(op.i32(L.untangle + 16 * kLo), op.set(tw), op.i32(L.pow + 16 * kLo), op.set(w), op.i32(kHi - kLo + 1), op.set(j));
    emit(op.loop);
    emit(loadRe(p, 0), op.set(ar), loadIm(p, 0), op.set(ai), loadRe(q, 0), op.set(br), loadIm(q, 0), op.set(bi));
    // er = .5 (zr + cr), ei = .5 (zi - ci'), or = .5 (zi + ci'), oi = -.5 (zr - cr) = .5 (cr - zr)
    emit(add(ar, br), half05, op.f64x2_mul, op.set(cr));
    emit(sub(ai, bi), half05, op.f64x2_mul, op.set(ci));
    emit(add(ai, bi), half05, op.f64x2_mul, op.set(dr));
    emit(sub(br, ar), half05, op.f64x2_mul, op.set(di));
    // xr = er + twr * or - twi * oi; xi = ei + twr * oi + twi * or
    emit(splat(tw, 0), op.set(wr), splat(tw, 8), op.set(wi));
    emit(op.get(cr), op.get(dr), op.get(wr), op.f64x2_mul, op.f64x2_add, op.get(di), op.get(wi), op.f64x2_mul, op.f64x2_sub, op.set(t1r));
    emit(op.get(ci), op.get(di), op.get(wr), op.f64x2_mul, op.f64x2_add, op.get(dr), op.get(wi), op.f64x2_mul, op.f64x2_add, op.set(t1i));
    emit(op.get(w), op.get(t1r), op.get(t1r), op.f64x2_mul, op.get(t1i), op.get(t1i), op.f64x2_mul, op.f64x2_add, op.v128_store());
    emit(op.get(p), op.i32(32), op.i32_add, op.set(p), op.get(q), op.i32(32), op.i32_sub, op.set(q));
    emit(op.get(tw), op.i32(16), op.i32_add, op.set(tw), op.get(w), op.i32(16), op.i32_add, op.set(w));
    emit(op.get(j), op.i32(1), op.i32_sub, op.tee(j), op.br_if(0), op.end);
  }

  // 4. mel filters, float32 rounding, floor.
  const ln10 = Math.LN10;
  const dbPerLn = 10 / ln10;
  const dbPerOctave = (10 * Math.LN2) / ln10;
  // ln m = 2 atanh(s) = s * sum 2 z^k / (2k + 1), s = (m - 1) / (m + 1), z = s^2, |s| <= 0.1716
  const coeffs = Array.from({ length: 10 }, (_, k) => (dbPerLn * 2) / (2 * k + 1));
  emit(op.i32(L.melDesc), op.set(md), op.i32(0), op.set(m));
  emit(op.loop);
  emit(op.f64x2_const(0), op.set(acc));
  emit(op.get(md), op.i32_load(0), op.set(pp), op.get(md), op.i32_load(8), op.set(wp));
  emit(op.block, op.get(md), op.i32_load(4), op.tee(n), op.i32_eqz, op.br_if(0), op.loop);
  emit(op.get(acc), splat(wp, 0), op.get(pp), op.v128_load(), op.f64x2_mul, op.f64x2_add, op.set(acc));
  emit(op.get(pp), op.i32(16), op.i32_add, op.set(pp), op.get(wp), op.i32(8), op.i32_add, op.set(wp));
  emit(op.get(n), op.i32(1), op.i32_sub, op.tee(n), op.br_if(0), op.end, op.end);
  // v = max(fround(acc), fround(1e-10)) as the reference's Float32Array holds it; dB comes later
  emit(op.get(acc), op.f32x4_demote, op.i32x4_const(f32Bits(1e-10)), op.f32x4_max, op.set(tmp));
  emit(op.get(oA), op.get(tmp), op.v128_store32_lane(0), op.get(oB), op.get(tmp), op.v128_store32_lane(1));
  emit(op.get(oA), op.i32(4), op.i32_add, op.set(oA), op.get(oB), op.i32(4), op.i32_add, op.set(oB));
  emit(op.get(md), op.i32(12), op.i32_add, op.set(md));
  emit(op.get(m), op.i32(1), op.i32_add, op.tee(m), op.i32(c.nMels), op.i32_ne, op.br_if(0), op.end);

  emit(op.get(f), op.i32(2), op.i32_add, op.set(f), op.br(0));
  emit(op.end, op.end);

  // 5. dB of the floored mel powers in place, two at a time (a streaming loop: the iterations'
  //    long dependency chains overlap). v: f32x4 of (v0, v1, 0, 0).
  const toDb = (load: number[], storeOp: number[]) => {
    emit(op.get(p), load, op.set(tmp));
    emit(op.get(tmp), op.f64x2_promote, op.set(s));
    // exponent e = (bits >>> 23) - 127 as f64; mantissa m in [1, 2)
    emit(op.get(tmp), op.i32(23), op.i32x4_shr_u, op.i32x4_const(127), op.i32x4_sub, op.f64x2_convert_low_i32x4_s, op.set(e));
    emit(op.get(tmp), op.i32x4_const(0x007fffff), op.v128_and, op.i32x4_const(0x3f800000), op.v128_or, op.f64x2_promote, op.set(mm));
    // m > sqrt 2: m /= 2, e += 1
    emit(op.get(mm), op.f64x2_const(Math.SQRT2), op.f64x2_gt, op.set(acc));
    emit(op.get(mm), op.f64x2_const(0.5), op.f64x2_mul, op.get(mm), op.get(acc), op.v128_bitselect, op.set(mm));
    emit(op.get(e), op.get(acc), op.f64x2_const(1), op.v128_and, op.f64x2_add, op.set(e));
    // s' = (m - 1) / (m + 1); dB = e * 10 log10(2) + s' * P(s'^2)
    emit(op.get(mm), op.f64x2_const(1), op.f64x2_sub, op.get(mm), op.f64x2_const(1), op.f64x2_add, op.f64x2_div, op.tee(mm));
    emit(op.get(mm), op.f64x2_mul, op.set(acc)); // z
    emit(op.f64x2_const(coeffs[coeffs.length - 1]));
    for (let k = coeffs.length - 2; k >= 0; k--) emit(op.get(acc), op.f64x2_mul, op.f64x2_const(coeffs[k]), op.f64x2_add);
    emit(op.get(mm), op.f64x2_mul, op.get(e), op.f64x2_const(dbPerOctave), op.f64x2_mul, op.f64x2_add, op.set(acc));
    // non-finite v (inf, NaN): log10 gives v itself
    emit(op.get(p), op.get(acc), op.get(s), op.get(s), op.f64x2_const(Infinity), op.f64x2_lt, op.v128_bitselect, op.f32x4_demote, storeOp);
  };
  // p: value pointer, j: pairs left
  emit(op.get(first), op.i32(4 * c.nMels), op.i32_mul, op.i32(L.out), op.i32_add, op.set(p));
  emit(op.get(count), op.i32(c.nMels), op.i32_mul, op.tee(n), op.i32(1), op.i32_shr_u, op.set(j));
  emit(op.block, op.get(j), op.i32_eqz, op.br_if(0), op.loop);
  toDb(op.v128_load64_zero(), op.v128_store64_lane(0));
  emit(op.get(p), op.i32(8), op.i32_add, op.set(p));
  emit(op.get(j), op.i32(1), op.i32_sub, op.tee(j), op.br_if(0), op.end, op.end);
  emit(op.get(n), op.i32(1), op.i32_and, op.if);
  toDb(op.v128_load32_zero(), op.v128_store32_lane(0));
  emit(op.end);
  emit(op.end);
  return [...vec([[nI32, I32], [nV, V128]]), ...code];
}

function moduleBytes(c: KernelConfig, L: Layout): Uint8Array {
  const types = section(1, vec([[0x60, ...vec([[I32], [I32]]), 0]]));
  const imports = section(2, vec([[...name('e'), ...name('m'), 0x02, 0x00, ...uleb(Math.ceil(L.bytes / 65536))]]));
  const funcs = section(3, vec([[0]]));
  const exports = section(7, vec([[...name('run'), 0, 0]]));
  const code = section(10, vec([body(runBody(c, L))]));
  return moduleOf(types, imports, funcs, exports, code);
}

// ---- the JS side ---------------------------------------------------------------------------------

/** Compiled modules by configuration; null where WebAssembly SIMD is unavailable. */
const compiled = new Map<string, WasmModule | null>();

function compile(c: KernelConfig, L: Layout): WasmModule | null {
  const key = [c.nFft, c.hop, c.nMels, c.frames, c.paddedLength, c.binLo, c.binHi, c.filterWeights.length].join(',');
  let mod = compiled.get(key);
  if (mod !== undefined) return mod;
  mod = compileModule(() => moduleBytes(c, L));
  compiled.set(key, mod);
  return mod;
}

export class WasmFeatureKernel {
  /** The padded signal the frames are cut from: fill it, then run(). */
  readonly x: Float64Array;
  /** [frames x nMels] dB, written by run(). */
  readonly out: Float32Array;
  private readonly fn: (first: number, count: number) => void;

  /** Null where WebAssembly SIMD is unavailable. */
  static create(c: KernelConfig): WasmFeatureKernel | null {
    const half = c.nFft / 2;
    if (half < 8 || (half & (half - 1)) !== 0) return null;
    const L = layout(c);
    const mod = compile(c, L);
    if (!mod) return null;
    try {
      return new WasmFeatureKernel(mod, c, L);
    } catch {
      return null; // no memory for the instance: the JS path needs less
    }
  }

  private constructor(mod: WasmModule, c: KernelConfig, L: Layout) {
    const memory = new wasm!.Memory({ initial: Math.ceil(L.bytes / 65536) });
    const instance = new wasm!.Instance(mod, { e: { m: memory } });
    this.fn = instance.exports.run as (first: number, count: number) => void;
    const buf = memory.buffer;
    const f64 = (at: number, n: number) => new Float64Array(buf, at, n);
    const { half } = L;
    const bits = Math.round(Math.log2(half));
    const src = new Int32Array(buf, L.src, half);
    const win = f64(L.win, 2 * half);
    for (let r = 0; r < half; r++) {
      let rev = 0;
      for (let b = 0; b < bits; b++) rev |= ((r >> b) & 1) << (bits - 1 - b);
      src[r] = 16 * rev; // bytes to samples 2 rev, 2 rev + 1
      win[2 * r] = c.window[2 * rev];
      win[2 * r + 1] = c.window[2 * rev + 1];
    }
    for (const { h, tw } of L.passes) {
      const t = f64(tw, 6 * h);
      for (let j = 0; j < h; j++) {
        for (let p = 1; p <= 3; p++) {
          const a = (-2 * Math.PI * p * j) / (4 * h);
          t[6 * j + 2 * (p - 1)] = Math.cos(a);
          t[6 * j + 2 * (p - 1) + 1] = Math.sin(a);
        }
      }
    }
    const u = f64(L.untangle, 2 * (half + 1));
    for (let k = 0; k <= half; k++) {
      u[2 * k] = Math.cos((2 * Math.PI * k) / c.nFft);
      u[2 * k + 1] = -Math.sin((2 * Math.PI * k) / c.nFft);
    }
    const desc = new Int32Array(buf, L.melDesc, 3 * c.nMels);
    for (let m = 0; m < c.nMels; m++) {
      desc[3 * m] = L.pow + 16 * c.filterStart[m];
      desc[3 * m + 1] = c.filterLength[m];
      desc[3 * m + 2] = L.melWeights + 8 * c.filterOffset[m];
    }
    f64(L.melWeights, c.filterWeights.length).set(c.filterWeights);
    this.out = new Float32Array(buf, L.out, c.frames * c.nMels);
    this.x = f64(L.x, c.paddedLength);
  }

  /** Log-mel frames [first, first + count) into `out`, from `x`. */
  run(first: number, count: number): void {
    this.fn(first, count);
  }
}
