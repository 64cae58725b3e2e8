import { F32, F64, I32, V128, body, compileModule, moduleOf, name, section, sleb, uleb, vec, wasmApi as wasm, type WasmModule } from '../wasm/assemble';
import type { PolyphaseFilter } from './resample-filter';

/**
 * The resampler's inner loop. JavaScript manages about one multiply-add per nanosecond here, which
 * makes a 112-tap filter cost ~50 ms per 10 s of audio; WebAssembly SIMD (4 lanes, 4 accumulators)
 * brings that to a few ms. No toolchain is available at build time, so the module is assembled
 * from bytes below; a plain JS loop computing the same sums is the fallback.
 *
 * Both kernels read a padded input buffer `x` and write `count` outputs starting at output phase
 * `rem` (n*M mod L), advancing the input by M/L per output in exact integer steps.
 */
export interface Kernel {
  /** Input region (capacity `inputCapacity` floats); re-read after construction only. */
  readonly input: Float32Array;
  readonly output: Float32Array;
  /** Computes `count` outputs into `output[0..count)`; the first uses input from `input[start]`. */
  run(start: number, count: number, rem: number): void;
}

// ---- the module, assembled from its opcodes --------------------------------------------------

const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br_if: (d: number) => [0x0d, d],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  i32_eqz: [0x45],
  i32_ge_u: [0x4f],
  i32_add: [0x6a],
  i32_sub: [0x6b],
  i32_mul: [0x6c],
  i32_shl: [0x74],
  f32_add: [0x92],
  f32_sub: [0x93],
  f32_mul: [0x94],
  f32_store: [0x38, 2, 0],
  f64_mul: [0xa2],
  f64_sub: [0xa1],
  i32_trunc_f64_u: [0xab],
  f64_convert_i32_u: [0xb8],
  f32_demote_f64: [0xb6],
  v128_load: (offset: number) => [0xfd, 0x00, 0, ...uleb(offset)],
  v128_zero: [0xfd, 0x0c, ...new Array(16).fill(0)],
  f32x4_extract: (lane: number) => [0xfd, 0x1f, lane],
  f32x4_add: [0xfd, 0xe4, 0x01],
  f32x4_mul: [0xfd, 0xe6, 0x01],
};

/** acc += load(a + off) * load(b + off) */
const mac = (acc: number, a: number, b: number, off: number) => [
  ...op.get(acc),
  ...op.get(a),
  ...op.v128_load(off),
  ...op.get(b),
  ...op.v128_load(off),
  ...op.f32x4_mul,
  ...op.f32x4_add,
  ...op.set(acc),
];

/** Horizontal sum of a + b + c + d (4-lane vectors) as one f32 on the stack, in a fixed order. */
const hsum = (a: number, b: number, c: number, d: number, tmp: number) => [
  ...op.get(a),
  ...op.get(b),
  ...op.f32x4_add,
  ...op.get(c),
  ...op.get(d),
  ...op.f32x4_add,
  ...op.f32x4_add,
  ...op.tee(tmp),
  ...op.f32x4_extract(0),
  ...op.get(tmp),
  ...op.f32x4_extract(1),
  ...op.f32_add,
  ...op.get(tmp),
  ...op.f32x4_extract(2),
  ...op.get(tmp),
  ...op.f32x4_extract(3),
  ...op.f32_add,
  ...op.f32_add,
];

/** x += sInt*4; rem += sRem; if (rem >= L) { rem -= L; x += 4 } */
const advance = (x: number, sInt: number, sRem: number, rem: number, L: number) => [
  ...op.get(x), ...op.get(sInt), ...op.i32(2), ...op.i32_shl, ...op.i32_add, ...op.set(x),
  ...op.get(rem), ...op.get(sRem), ...op.i32_add, ...op.tee(rem), ...op.get(L), ...op.i32_ge_u,
  ...op.if,
  ...op.get(rem), ...op.get(L), ...op.i32_sub, ...op.set(rem),
  ...op.get(x), ...op.i32(4), ...op.i32_add, ...op.set(x),
  ...op.end,
]; // prettier-ignore

/**
 * exact(x, h, y, n, tv, L, sInt, sRem, rem): one table row per output.
 * tv = taps/4 (a multiple of 4); pointers are byte addresses.
 */
function exactBody(): number[] {
  const [x, h, y, n, tv, L, sInt, sRem, rem] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [hp, xp, k, rowB] = [9, 10, 11, 12];
  const [a0, a1, a2, a3] = [13, 14, 15, 16];
  const locals = vec([
    [4, I32],
    [4, V128],
  ]);
  const code = [
    ...op.get(tv), ...op.i32(4), ...op.i32_shl, ...op.set(rowB),
    ...op.block,
    ...op.get(n), ...op.i32_eqz, ...op.br_if(0),
    ...op.loop,
    ...op.get(h), ...op.get(rem), ...op.get(rowB), ...op.i32_mul, ...op.i32_add, ...op.set(hp),
    ...op.get(x), ...op.set(xp),
    ...op.v128_zero, ...op.tee(a0), ...op.tee(a1), ...op.tee(a2), ...op.set(a3),
    ...op.get(tv), ...op.set(k),
    ...op.loop,
    ...mac(a0, hp, xp, 0), ...mac(a1, hp, xp, 16), ...mac(a2, hp, xp, 32), ...mac(a3, hp, xp, 48),
    ...op.get(hp), ...op.i32(64), ...op.i32_add, ...op.set(hp),
    ...op.get(xp), ...op.i32(64), ...op.i32_add, ...op.set(xp),
    ...op.get(k), ...op.i32(4), ...op.i32_sub, ...op.tee(k), ...op.br_if(0),
    ...op.end,
    ...op.get(y), ...hsum(a0, a1, a2, a3, a0), ...op.f32_store,
    ...op.get(y), ...op.i32(4), ...op.i32_add, ...op.set(y),
    ...advance(x, sInt, sRem, rem, L),
    ...op.get(n), ...op.i32(1), ...op.i32_sub, ...op.tee(n), ...op.br_if(0),
    ...op.end,
    ...op.end,
    ...op.end,
  ]; // prettier-ignore
  return [...locals, ...code];
}

/**
 * interp(x, h, y, n, tv, L, sInt, sRem, rem, scale): rows p and p+1 of the fine grid, blended by the
 * fractional grid position rem*scale (scale = GRID/L).
 */
function interpBody(): number[] {
  const [x, h, y, n, tv, L, sInt, sRem, rem, scale] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [hp, hq, xp, k, rowB, p] = [10, 11, 12, 13, 14, 15];
  const pos = 16;
  const frac = 17;
  const [a0, a1, b0, b1, xv] = [18, 19, 20, 21, 22];
  const locals = vec([
    [6, I32],
    [1, F64],
    [1, F32],
    [5, V128],
  ]);
  // a += load(hp+off) * xv; b += load(hq+off) * xv, with xv = load(xp+off)
  const mac2 = (a: number, b: number, off: number) => [
    ...op.get(xp), ...op.v128_load(off), ...op.set(xv),
    ...op.get(a), ...op.get(hp), ...op.v128_load(off), ...op.get(xv), ...op.f32x4_mul, ...op.f32x4_add, ...op.set(a),
    ...op.get(b), ...op.get(hq), ...op.v128_load(off), ...op.get(xv), ...op.f32x4_mul, ...op.f32x4_add, ...op.set(b),
  ]; // prettier-ignore
  const code = [
    ...op.get(tv), ...op.i32(4), ...op.i32_shl, ...op.set(rowB),
    ...op.block,
    ...op.get(n), ...op.i32_eqz, ...op.br_if(0),
    ...op.loop,
    ...op.get(rem), ...op.f64_convert_i32_u, ...op.get(scale), ...op.f64_mul, ...op.tee(pos),
    ...op.i32_trunc_f64_u, ...op.set(p),
    ...op.get(pos), ...op.get(p), ...op.f64_convert_i32_u, ...op.f64_sub, ...op.f32_demote_f64, ...op.set(frac),
    ...op.get(h), ...op.get(p), ...op.get(rowB), ...op.i32_mul, ...op.i32_add, ...op.tee(hp),
    ...op.get(rowB), ...op.i32_add, ...op.set(hq),
    ...op.get(x), ...op.set(xp),
    ...op.v128_zero, ...op.tee(a0), ...op.tee(a1), ...op.tee(b0), ...op.set(b1),
    ...op.get(tv), ...op.set(k),
    ...op.loop,
    ...mac2(a0, b0, 0), ...mac2(a1, b1, 16),
    ...op.get(hp), ...op.i32(32), ...op.i32_add, ...op.set(hp),
    ...op.get(hq), ...op.i32(32), ...op.i32_add, ...op.set(hq),
    ...op.get(xp), ...op.i32(32), ...op.i32_add, ...op.set(xp),
    ...op.get(k), ...op.i32(2), ...op.i32_sub, ...op.tee(k), ...op.br_if(0),
    ...op.end,
  ]; // prettier-ignore
  const sum2 = (a: number, b: number) => [
    ...op.get(a), ...op.get(b), ...op.f32x4_add, ...op.tee(xv),
    ...op.f32x4_extract(0), ...op.get(xv), ...op.f32x4_extract(1), ...op.f32_add,
    ...op.get(xv), ...op.f32x4_extract(2), ...op.get(xv), ...op.f32x4_extract(3), ...op.f32_add,
    ...op.f32_add,
  ]; // prettier-ignore
  // y = da + frac * (db - da)
  code.push(
    ...op.get(y),
    ...sum2(a0, a1),
    ...op.get(frac),
    ...sum2(b0, b1),
    ...sum2(a0, a1),
    ...op.f32_sub,
    ...op.f32_mul,
    ...op.f32_add,
    ...op.f32_store,
    ...op.get(y), ...op.i32(4), ...op.i32_add, ...op.set(y),
    ...advance(x, sInt, sRem, rem, L),
    ...op.get(n), ...op.i32(1), ...op.i32_sub, ...op.tee(n), ...op.br_if(0),
    ...op.end,
    ...op.end,
    ...op.end,
  ); // prettier-ignore
  return [...locals, ...code];
}

function moduleBytes(): Uint8Array {
  const exactType = [0x60, ...vec(new Array(9).fill([I32])), 0];
  const interpType = [0x60, ...vec([...new Array(9).fill([I32]), [F64]]), 0];
  const types = section(1, vec([exactType, interpType]));
  const imports = section(2, vec([[...name('e'), ...name('m'), 0x02, 0x00, 1]]));
  const funcs = section(3, vec([[0], [1]]));
  const exports = section(7, vec([[...name('exact'), 0, 0], [...name('interp'), 0, 1]]));
  const code = section(10, vec([body(exactBody()), body(interpBody())]));
  return moduleOf(types, imports, funcs, exports, code);
}

let compiled: WasmModule | null | undefined;

/** The compiled SIMD module, or null where WebAssembly SIMD is unavailable (then JS runs). */
export function simdModule(): WasmModule | null {
  if (compiled === undefined) compiled = compileModule(moduleBytes);
  return compiled;
}

type KernelFn = (x: number, h: number, y: number, n: number, tv: number, L: number, sInt: number, sRem: number, rem: number, scale?: number) => void;

class WasmKernel implements Kernel {
  readonly input: Float32Array;
  readonly output: Float32Array;
  private readonly fn: KernelFn;
  private readonly xPtr: number;
  private readonly yPtr: number;
  private readonly scale: number;

  constructor(
    mod: WasmModule,
    private readonly f: PolyphaseFilter,
    inputCapacity: number,
    outputCapacity: number,
  ) {
    const tableBytes = f.table.length * 4;
    // Inputs are read 16 bytes at a time past the last tap's row, so leave slack after each region.
    const bytes = tableBytes + (inputCapacity + 16) * 4 + (outputCapacity + 16) * 4;
    const memory = new wasm!.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
    const instance = new wasm!.Instance(mod, { e: { m: memory } });
    this.fn = (f.interpolated ? instance.exports.interp : instance.exports.exact) as KernelFn;
    new Float32Array(memory.buffer, 0, f.table.length).set(f.table);
    this.xPtr = tableBytes;
    this.yPtr = this.xPtr + (inputCapacity + 16) * 4;
    this.input = new Float32Array(memory.buffer, this.xPtr, inputCapacity);
    this.output = new Float32Array(memory.buffer, this.yPtr, outputCapacity);
    this.scale = f.interpolated ? (f.rows - 2) / f.L : 0;
  }

  run(start: number, count: number, rem: number): void {
    const f = this.f;
    const sInt = Math.floor(f.M / f.L);
    this.fn(this.xPtr + start * 4, 0, this.yPtr, count, f.taps / 4, f.L, sInt, f.M - sInt * f.L, rem, f.interpolated ? this.scale : f.M);
  }
}

/** Same sums as the WebAssembly kernel, in plain JS (float64 accumulation). */
class JsKernel implements Kernel {
  readonly input: Float32Array;
  readonly output: Float32Array;

  constructor(
    private readonly f: PolyphaseFilter,
    inputCapacity: number,
    outputCapacity: number,
  ) {
    this.input = new Float32Array(inputCapacity);
    this.output = new Float32Array(outputCapacity);
  }

  run(start: number, count: number, rem: number): void {
    const { taps, table: h, L, M, interpolated } = this.f;
    const x = this.input;
    const y = this.output;
    const sInt = Math.floor(M / L);
    const sRem = M - sInt * L;
    const scale = interpolated ? (this.f.rows - 2) / L : 0;
    let xi = start;
    for (let o = 0; o < count; o++) {
      if (!interpolated) {
        const hb = rem * taps;
        let acc = 0;
        for (let k = 0; k < taps; k++) acc += h[hb + k] * x[xi + k];
        y[o] = acc;
      } else {
        const pos = rem * scale;
        const p = Math.floor(pos);
        const frac = pos - p;
        const hb = p * taps;
        let a = 0;
        let b = 0;
        for (let k = 0; k < taps; k++) {
          a += h[hb + k] * x[xi + k];
          b += h[hb + taps + k] * x[xi + k];
        }
        y[o] = a + frac * (b - a);
      }
      xi += sInt;
      rem += sRem;
      if (rem >= L) {
        rem -= L;
        xi++;
      }
    }
  }
}

export function createKernel(f: PolyphaseFilter, inputCapacity: number, outputCapacity: number, forceJs = false): Kernel {
  const mod = forceJs ? null : simdModule();
  return mod ? new WasmKernel(mod, f, inputCapacity, outputCapacity) : new JsKernel(f, inputCapacity, outputCapacity);
}
