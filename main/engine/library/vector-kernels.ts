/**
 * The hot loops of the vector store: Hamming distance of one sign-bit code against every stored
 * code, picking the codes under a distance threshold, and the sign-dot score of the picked codes
 * (a table lookup per code byte). They run as a tiny WebAssembly module
 * assembled here from its opcodes (no toolchain, no binary file to ship): WebAssembly has a real
 * 64-bit popcount instruction, which makes the scan of 1,000,000 512-bit codes take a few
 * milliseconds where the same loop in JavaScript (SWAR popcount on 32-bit words) takes tens.
 * A JavaScript fallback with the same results is kept for hosts without WebAssembly.
 *
 * Memory layout, all inside the module's own memory (see `BitCodeArena`):
 *   [ query code | histogram (bits+1) u32 | sign-dot table bytes×256 f32 | codes cap×codeBytes
 *     | distances cap×u16 | picked cap×u32 | scores cap×f32 ]
 * Codes are little-endian 64-bit words, bit j of the vector at word j>>6, bit j&63 (byte j>>3, bit j&7).
 */

import { F32, I32, I64, body, compileModule, moduleOf, name, section, sleb, uleb, vec, wasmApi, type WasmMemory, type WasmModule } from '../wasm/assemble';

// Opcodes used below.
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: (l: number) => [0x0c, ...uleb(l)],
  brIf: (l: number) => [0x0d, ...uleb(l)],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  i64: (n: number) => [0x42, ...sleb(n)],
  i32Load: [0x28, 2, 0],
  i64Load: [0x29, 3, 0],
  i32Load8u: [0x2d, 0, 0],
  i32Load16u: [0x2f, 1, 0],
  f32Load: [0x2a, 2, 0],
  f32Store: [0x38, 2, 0],
  f32Zero: [0x43, 0, 0, 0, 0],
  f32Add: [0x92],
  i32Mul: [0x6c],
  i32Store: [0x36, 2, 0],
  i32Store16: [0x3b, 1, 0],
  i32Eqz: [0x45],
  i32Eq: [0x46],
  i32LtU: [0x49],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Shl: [0x74],
  i64Popcnt: [0x7b],
  i64Add: [0x7c],
  i64Xor: [0x85],
  i32WrapI64: [0xa7],
};

/**
 * hamming(codes, n, words, q, dist, hist): for each of n codes of `words` u64 words,
 * dist[i] = popcount(code_i XOR q) as u16 and hist[dist[i]] += 1 (hist is zeroed by the caller).
 */
function hammingBody(): number[] {
  // params 0 codes, 1 n, 2 words, 3 q, 4 dist, 5 hist; locals 6 i, 7 w, 8 acc (i64), 9 qp, 10 h
  const [codes, n, words, q, dist, hist, i, w, acc, qp, h] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const code = [
    ...op.block,
    ...op.loop,
    ...op.get(i), ...op.get(n), ...op.i32GeU, ...op.brIf(1),
    ...op.i64(0), ...op.set(acc),
    ...op.get(q), ...op.set(qp),
    ...op.get(words), ...op.set(w),
    ...op.loop,
    ...op.get(acc),
    ...op.get(codes), ...op.i64Load,
    ...op.get(qp), ...op.i64Load,
    ...op.i64Xor, ...op.i64Popcnt, ...op.i64Add, ...op.set(acc),
    ...op.get(codes), ...op.i32(8), ...op.i32Add, ...op.set(codes),
    ...op.get(qp), ...op.i32(8), ...op.i32Add, ...op.set(qp),
    ...op.get(w), ...op.i32(1), ...op.i32Sub, ...op.tee(w), ...op.brIf(0),
    ...op.end,
    ...op.get(acc), ...op.i32WrapI64, ...op.set(h),
    ...op.get(dist), ...op.get(i), ...op.i32(1), ...op.i32Shl, ...op.i32Add, ...op.get(h), ...op.i32Store16,
    ...op.get(hist), ...op.get(h), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.tee(h),
    ...op.get(h), ...op.i32Load, ...op.i32(1), ...op.i32Add, ...op.i32Store,
    ...op.get(i), ...op.i32(1), ...op.i32Add, ...op.set(i),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
  return [...vec([[2, I32], [1, I64], [2, I32]]), ...code, ...op.end];
}

/**
 * collect(dist, n, t, eq, out) -> count: writes to out (u32) every i with dist[i] < t, and the
 * first `eq` ones with dist[i] == t, in order of i.
 */
function collectBody(): number[] {
  // params 0 dist, 1 n, 2 t, 3 eq, 4 out; locals 5 i, 6 c, 7 d
  const [dist, n, t, eq, out, i, c, d] = [0, 1, 2, 3, 4, 5, 6, 7];
  const take = [
    ...op.get(out), ...op.get(c), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.get(i), ...op.i32Store,
    ...op.get(c), ...op.i32(1), ...op.i32Add, ...op.set(c),
  ];
  const code = [
    ...op.block,
    ...op.loop,
    ...op.get(i), ...op.get(n), ...op.i32GeU, ...op.brIf(1),
    ...op.get(dist), ...op.get(i), ...op.i32(1), ...op.i32Shl, ...op.i32Add, ...op.i32Load16u, ...op.set(d),
    ...op.get(d), ...op.get(t), ...op.i32LtU,
    ...op.if,
    ...take,
    ...op.else,
    ...op.get(d), ...op.get(t), ...op.i32Eq,
    ...op.if,
    ...op.get(eq), ...op.i32Eqz, ...op.i32Eqz,
    ...op.if,
    ...take,
    ...op.get(eq), ...op.i32(1), ...op.i32Sub, ...op.set(eq),
    ...op.end,
    ...op.end,
    ...op.end,
    ...op.get(i), ...op.i32(1), ...op.i32Add, ...op.set(i),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.get(c),
  ];
  return [...vec([[3, I32]]), ...code, ...op.end];
}

/**
 * signdot(codes, slots, count, bytes, lut, out): for each of `count` slots (u32), the sum over the
 * code's bytes of lut[b][byte] (f32, 256 per byte position), written to out (f32).
 */
function signDotBody(): number[] {
  // params 0 codes, 1 slots, 2 count, 3 bytes, 4 lut, 5 out; locals 6 c, 7 p, 8 b, 9 lp, 10 s (f32)
  const [codes, slots, count, bytes, lut, out, c, p, b, lp, sum] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const code = [
    ...op.block,
    ...op.loop,
    ...op.get(c), ...op.get(count), ...op.i32GeU, ...op.brIf(1),
    // p = codes + slots[c] * bytes
    ...op.get(codes), ...op.get(slots), ...op.get(c), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.i32Load,
    ...op.get(bytes), ...op.i32Mul, ...op.i32Add, ...op.set(p),
    ...op.f32Zero, ...op.set(sum),
    ...op.get(lut), ...op.set(lp),
    ...op.get(bytes), ...op.set(b),
    ...op.loop,
    // sum += lut[lp + mem[p] * 4]
    ...op.get(sum),
    ...op.get(lp), ...op.get(p), ...op.i32Load8u, ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.f32Load,
    ...op.f32Add, ...op.set(sum),
    ...op.get(p), ...op.i32(1), ...op.i32Add, ...op.set(p),
    ...op.get(lp), ...op.i32(1024), ...op.i32Add, ...op.set(lp),
    ...op.get(b), ...op.i32(1), ...op.i32Sub, ...op.tee(b), ...op.brIf(0),
    ...op.end,
    ...op.get(out), ...op.get(c), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.get(sum), ...op.f32Store,
    ...op.get(c), ...op.i32(1), ...op.i32Add, ...op.set(c),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
  return [...vec([[4, I32], [1, F32]]), ...code, ...op.end];
}

function moduleBytes(): Uint8Array {
  const types = section(1, vec([
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])],
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([[I32]])],
  ]));
  const funcs = section(3, vec([[0], [1], [0]]));
  const memory = section(5, vec([[0x00, ...uleb(1)]]));
  const exports = section(7, vec([
    [...name('hamming'), 0x00, 0],
    [...name('collect'), 0x00, 1],
    [...name('signdot'), 0x00, 2],
    [...name('memory'), 0x02, 0],
  ]));
  const code = section(10, vec([body(hammingBody()), body(collectBody()), body(signDotBody())]));
  return moduleOf(types, funcs, memory, exports, code);
}

interface KernelExports {
  hamming(codes: number, n: number, words: number, q: number, dist: number, hist: number): void;
  collect(dist: number, n: number, t: number, eq: number, out: number): number;
  signdot(codes: number, slots: number, count: number, bytes: number, lut: number, out: number): void;
  memory: WasmMemory;
}

let compiled: WasmModule | null | undefined;

/** The compiled kernel module, or null where WebAssembly is unavailable (then the JS kernel runs). */
function wasmModule(): WasmModule | null {
  if (compiled === undefined) compiled = compileModule(moduleBytes);
  return compiled;
}

// ---- the arena: codes of one vector space, in memory -----------------------------------------

const PAGE = 65536;
const align = (n: number, a: number) => Math.ceil(n / a) * a;

/** JavaScript stand-in for the WebAssembly exports, on a plain growable ArrayBuffer. */
class JsKernel implements KernelExports {
  memory: WasmMemory;
  private buffer: ArrayBuffer;

  constructor() {
    // A WebAssembly.Memory-shaped object; only `buffer` and `grow` are used.
    this.buffer = new ArrayBuffer(PAGE);
    const self = this;
    this.memory = {
      get buffer() {
        return self.buffer;
      },
      grow(pages: number) {
        const old = self.buffer;
        self.buffer = new ArrayBuffer(old.byteLength + pages * PAGE);
        new Uint8Array(self.buffer).set(new Uint8Array(old));
        return old.byteLength / PAGE;
      },
    };
  }

  hamming(codes: number, n: number, words: number, q: number, dist: number, hist: number): void {
    const w32 = words * 2;
    const c = new Int32Array(this.buffer, codes, n * w32);
    const qq = new Int32Array(this.buffer, q, w32);
    const d = new Uint16Array(this.buffer, dist, n);
    const hs = new Uint32Array(this.buffer, hist);
    for (let i = 0, o = 0; i < n; i++) {
      let acc = 0;
      for (let j = 0; j < w32; j++, o++) {
        let v = c[o] ^ qq[j];
        v = v - ((v >>> 1) & 0x55555555);
        v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
        acc += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
      }
      d[i] = acc;
      hs[acc]++;
    }
  }

  signdot(codes: number, slots: number, count: number, bytes: number, lut: number, out: number): void {
    const mem = new Uint8Array(this.buffer);
    const s = new Uint32Array(this.buffer, slots, count);
    const l = new Float32Array(this.buffer, lut, bytes * 256);
    const o = new Float32Array(this.buffer, out, count);
    for (let c = 0; c < count; c++) {
      const p = codes + s[c] * bytes;
      let sum = 0;
      for (let b = 0; b < bytes; b++) sum = Math.fround(sum + l[b * 256 + mem[p + b]]);
      o[c] = sum;
    }
  }

  collect(dist: number, n: number, t: number, eq: number, out: number): number {
    const d = new Uint16Array(this.buffer, dist, n);
    const o = new Uint32Array(this.buffer, out, n);
    let c = 0;
    for (let i = 0; i < n; i++) {
      const x = d[i];
      if (x < t) o[c++] = i;
      else if (x === t && eq > 0) {
        o[c++] = i;
        eq--;
      }
    }
    return c;
  }
}

/**
 * Sign-bit codes of a growing set of vectors, held in one linear memory, with the scans that find
 * the codes nearest a query. Slots are dense: removing a slot moves the last code into it.
 *
 * Memory: [ query code | histogram | sign-dot table | codes (cap) | distances (cap) | picked slots (cap) | scores (cap) ]
 */
export class BitCodeArena {
  readonly words: number;
  readonly codeBytes: number;
  readonly bits: number;
  readonly kind: 'wasm' | 'js';
  private readonly k: KernelExports;
  private readonly qOff = 0;
  private readonly histOff: number;
  private readonly lutOff: number;
  private readonly codesOff: number;
  private cap = 0;
  private n = 0;
  private picked = 0;
  private bytesView: Uint8Array;

  constructor(dim: number, opts: { kernel?: 'wasm' | 'js' } = {}) {
    this.words = Math.ceil(dim / 64);
    this.codeBytes = this.words * 8;
    this.bits = this.words * 64;
    const mod = opts.kernel === 'js' ? null : wasmModule();
    if (mod && wasmApi) {
      this.k = new wasmApi.Instance(mod, {}).exports as unknown as KernelExports;
      this.kind = 'wasm';
    } else {
      this.k = new JsKernel();
      this.kind = 'js';
    }
    this.histOff = align(this.codeBytes, 64);
    this.lutOff = align(this.histOff + (this.bits + 1) * 4, 64);
    this.codesOff = align(this.lutOff + this.codeBytes * 256 * 4, 64);
    this.bytesView = new Uint8Array(this.k.memory.buffer);
    this.reserve(1024);
  }

  get size(): number {
    return this.n;
  }

  /** Bytes of memory held. */
  get bytes(): number {
    return this.k.memory.buffer.byteLength;
  }

  private get distOff(): number {
    return align(this.codesOff + this.cap * this.codeBytes, 8);
  }

  private get pickedOff(): number {
    return align(this.distOff + this.cap * 2, 8);
  }

  private get scoresOff(): number {
    return this.pickedOff + this.cap * 4;
  }

  /** Makes room for at least `n` codes. */
  reserve(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, Math.ceil(this.cap * 1.5));
    const need = align(this.codesOff + cap * this.codeBytes, 8) + cap * 2 + 8 + cap * 8;
    const have = this.k.memory.buffer.byteLength;
    if (need > have) this.k.memory.grow(Math.ceil((need - have) / PAGE));
    this.cap = cap;
    this.picked = 0;
    this.bytesView = new Uint8Array(this.k.memory.buffer);
  }

  /** The code bytes of a vector: bit j set when component j is positive. */
  encode(v: Float32Array, out = new Uint8Array(this.codeBytes)): Uint8Array {
    return signCode(v, out);
  }

  /** Appends a code; returns its slot. */
  push(code: Uint8Array): number {
    if (this.n === this.cap) this.reserve(this.n + 1);
    this.bytesView.set(code.length === this.codeBytes ? code : code.subarray(0, this.codeBytes), this.codesOff + this.n * this.codeBytes);
    return this.n++;
  }

  /** Appends `count` codes stored back to back; returns the first new slot. */
  pushMany(codes: Uint8Array, count: number): number {
    this.reserve(this.n + count);
    this.bytesView.set(codes.subarray(0, count * this.codeBytes), this.codesOff + this.n * this.codeBytes);
    const first = this.n;
    this.n += count;
    return first;
  }

  set(slot: number, code: Uint8Array): void {
    this.bytesView.set(code.subarray(0, this.codeBytes), this.codesOff + slot * this.codeBytes);
  }

  /** Forgets every code (memory is kept for reuse). */
  clear(): void {
    this.n = 0;
    this.picked = 0;
  }

  /** Removes a slot by moving the last code into it; returns the slot that moved (or -1). */
  removeSwap(slot: number): number {
    const last = this.n - 1;
    if (slot !== last) {
      const from = this.codesOff + last * this.codeBytes;
      this.bytesView.copyWithin(this.codesOff + slot * this.codeBytes, from, from + this.codeBytes);
    }
    this.n--;
    this.picked = 0;
    return slot !== last ? last : -1;
  }

  /** A copy of the code bytes of a slot. */
  code(slot: number): Uint8Array {
    const at = this.codesOff + slot * this.codeBytes;
    return this.bytesView.slice(at, at + this.codeBytes);
  }

  /**
   * Picks the slots of the `m` codes nearest the query code in Hamming distance: every code
   * strictly under the m-th distance, then ties in slot order. Returns a view of the picked slots,
   * valid until the arena changes; `signDot` then scores the same pick.
   */
  nearest(qcode: Uint8Array, m: number): Uint32Array {
    const n = this.n;
    this.picked = 0;
    if (n === 0 || m <= 0) return new Uint32Array(0);
    const buf = this.k.memory.buffer;
    this.bytesView.set(qcode.subarray(0, this.codeBytes), this.qOff);
    const hist = new Uint32Array(buf, this.histOff, this.bits + 1);
    hist.fill(0);
    this.k.hamming(this.codesOff, n, this.words, this.qOff, this.distOff, this.histOff);
    m = Math.min(m, n);
    let t = 0;
    let below = 0;
    while (below + hist[t] < m) below += hist[t++];
    this.picked = this.k.collect(this.distOff, n, t, m - below, this.pickedOff);
    return new Uint32Array(buf, this.pickedOff, this.picked);
  }

  /**
   * The asymmetric estimate of q·x for each slot of the last `nearest` pick, up to a constant:
   * the sum of the query components whose sign bit is set in the code (q·sign(x) = 2·that − Σq).
   * Closer to the true ranking than Hamming distance, at one table read per code byte.
   * Returns a view, valid until the arena changes.
   */
  signDot(query: Float32Array): Float32Array {
    const bytes = this.codeBytes;
    const lut = new Float32Array(this.k.memory.buffer, this.lutOff, bytes * 256);
    for (let b = 0; b < bytes; b++) {
      const o = b * 256;
      lut[o] = 0;
      for (let v = 1; v < 256; v++) {
        const low = 31 - Math.clz32(v & -v);
        const j = b * 8 + low;
        lut[o + v] = lut[o + (v & (v - 1))] + (j < query.length ? query[j] : 0);
      }
    }
    this.k.signdot(this.codesOff, this.pickedOff, this.picked, bytes, this.lutOff, this.scoresOff);
    return new Float32Array(this.k.memory.buffer, this.scoresOff, this.picked);
  }
}

/** The sign-bit code of a vector into `out` (bit j set when v[j] > 0), as stored and scanned. */
export function signCode(v: Float32Array, out: Uint8Array): Uint8Array {
  out.fill(0);
  for (let j = 0; j < v.length; j++) if (v[j] > 0) out[j >> 3] |= 1 << (j & 7);
  return out;
}
