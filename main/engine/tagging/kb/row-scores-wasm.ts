/**
 * The hot loop of knowledge-base retrieval, <v, row i> for every row of a row-major float matrix,
 * as a WebAssembly SIMD kernel (f32x4: four products per instruction) assembled from opcodes like
 * the vector store's and the feature extractor's kernels. Retrieval reads every refined pair once
 * per query (seed 001's pair-to-pair score is exact here), so this loop is its cost; measured in
 * bench:kb against the JavaScript loop. Sums are in float32 (the JavaScript loop sums in float64):
 * scores differ by about 1e-7, which reorders only pairs that tie to that precision.
 *
 * Memory, the module's own: [ query (dim f32) | scores (cap f32) | rows (cap × dim f32) ].
 */
import { I32, V128, body, compileModule, moduleOf, name, section, sleb, uleb, vec, wasmApi, type WasmMemory, type WasmModule } from '../../wasm/assemble';

const simd = (sub: number, ...rest: number[]) => [0xfd, ...uleb(sub), ...rest];
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (l: number) => [0x0c, ...uleb(l)],
  brIf: (l: number) => [0x0d, ...uleb(l)],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  f32Store: [0x38, 2, 0],
  f32Add: [0x92],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  v128Load: simd(0x00, 4, 0),
  v128Zero: simd(0x0c, ...new Array<number>(16).fill(0)),
  f32x4ExtractLane: (lane: number) => simd(0x1f, lane),
  f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6),
};

/** rows(mat, n, dim, v, out): out[i] = Σ_j mat[i·dim + j]·v[j]; dim a multiple of 4, all pointers 16-byte aligned. */
function rowsBody(): number[] {
  // params 0 mat, 1 n, 2 dim, 3 v, 4 out; locals 5 i, 6 j, 7 p, 8 q (i32), 9 acc (v128)
  const [mat, n, dim, v, out, i, j, p, q, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const code = [
    ...op.get(mat), ...op.set(p),
    ...op.block,
    ...op.loop,
    ...op.get(i), ...op.get(n), ...op.i32GeU, ...op.brIf(1),
    ...op.v128Zero, ...op.set(acc),
    ...op.get(v), ...op.set(q),
    ...op.get(dim), ...op.set(j),
    ...op.loop,
    // acc += load(p) * load(q); p += 16; q += 16; j -= 4
    ...op.get(acc), ...op.get(p), ...op.v128Load, ...op.get(q), ...op.v128Load, ...op.f32x4Mul, ...op.f32x4Add, ...op.set(acc),
    ...op.get(p), ...op.i32(16), ...op.i32Add, ...op.set(p),
    ...op.get(q), ...op.i32(16), ...op.i32Add, ...op.set(q),
    ...op.get(j), ...op.i32(4), ...op.i32Sub, ...op.tee(j), ...op.brIf(0),
    ...op.end,
    // out[i] = lane 0 + lane 1 + lane 2 + lane 3
    ...op.get(out), ...op.get(i), ...op.i32(4), ...[0x6c], ...op.i32Add,
    ...op.get(acc), ...op.f32x4ExtractLane(0), ...op.get(acc), ...op.f32x4ExtractLane(1), ...op.f32Add,
    ...op.get(acc), ...op.f32x4ExtractLane(2), ...op.f32Add, ...op.get(acc), ...op.f32x4ExtractLane(3), ...op.f32Add,
    ...op.f32Store,
    ...op.get(i), ...op.i32(1), ...op.i32Add, ...op.set(i),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
  return [...vec([[4, I32], [1, V128]]), ...code, ...op.end];
}

function moduleBytes(): Uint8Array {
  const types = section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])]]));
  const funcs = section(3, vec([[0]]));
  const memory = section(5, vec([[0x00, ...uleb(1)]]));
  const exports = section(7, vec([
    [...name('rows'), 0x00, 0],
    [...name('memory'), 0x02, 0],
  ]));
  const code = section(10, vec([body(rowsBody())]));
  return moduleOf(types, funcs, memory, exports, code);
}

let compiled: WasmModule | null | undefined;

const PAGE = 65536;
const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** A matrix held in WebAssembly memory, scored against query vectors with the SIMD kernel. */
export class WasmRowScorer {
  private readonly rowsFn: (mat: number, n: number, dim: number, v: number, out: number) => void;
  private readonly memory: WasmMemory;
  private readonly outOff: number;
  private readonly matOff: number;

  /** Null where WebAssembly SIMD is unavailable, the dimension is not a multiple of 4, or memory cannot be had. */
  static create(matrix: Float32Array, dim: number): WasmRowScorer | null {
    if (dim % 4 !== 0 || !wasmApi) return null;
    if (compiled === undefined) compiled = compileModule(moduleBytes);
    if (!compiled) return null;
    try {
      return new WasmRowScorer(compiled, matrix, dim);
    } catch {
      return null; // no memory for the copy: the JavaScript loop needs none
    }
  }

  private constructor(mod: WasmModule, matrix: Float32Array, readonly dim: number) {
    const exports = new wasmApi!.Instance(mod, {}).exports;
    this.rowsFn = exports.rows as WasmRowScorer['rowsFn'];
    this.memory = exports.memory as WasmMemory;
    this.rows = matrix.length / dim;
    this.outOff = align16(dim * 4);
    this.matOff = align16(this.outOff + this.rows * 4);
    const need = this.matOff + matrix.length * 4;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    new Float32Array(this.memory.buffer, this.matOff, matrix.length).set(matrix);
  }

  readonly rows: number;

  /** <v, row i> for every row, in a new array. */
  scores(v: Float32Array): Float32Array {
    new Float32Array(this.memory.buffer, 0, this.dim).set(v);
    this.rowsFn(this.matOff, this.rows, this.dim, 0, this.outOff);
    return new Float32Array(this.memory.buffer, this.outOff, this.rows).slice();
  }
}
