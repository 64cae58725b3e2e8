/**
 * The byte-level pieces of a WebAssembly binary, shared by the kernels that assemble their modules
 * from opcodes at run time (no toolchain is available at build time, and no binary file ships):
 * main/engine/audio/resample-kernel.ts, main/engine/models/clap-features-wasm.ts and
 * main/engine/library/vector-kernels.ts. Each kernel keeps its own opcode table; only the
 * encodings, the module framing and the slice of the JS API they use live here.
 */

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

/** Signed LEB128 (i32 range). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
/** A length-prefixed UTF-8 name (import and export names). */
export const name = (s: string): number[] => [...uleb(s.length), ...new TextEncoder().encode(s)];
/** A function body: its byte length, then locals and code. */
export const body = (b: number[]): number[] => [...uleb(b.length), ...b];

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** The magic number and version 1, then the sections in order. */
export function moduleOf(...sections: number[][]): Uint8Array {
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...sections.flat()]);
}

/** The slice of the WebAssembly JS API used here (the project's TS libs, ES2023 without DOM, do not declare it). */
export interface WasmModule {
  readonly __wasmModule?: never;
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (mod: WasmModule, imports: object) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number }) => WasmMemory;
}

/** The host's WebAssembly, or undefined where it has none. */
export const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/**
 * Compiles assembled bytes; null where the host lacks WebAssembly or rejects the module (SIMD
 * unavailable), so that the caller runs its JavaScript fallback.
 */
export function compileModule(assemble: () => Uint8Array): WasmModule | null {
  try {
    const bytes = assemble();
    return wasmApi?.validate(bytes) ? new wasmApi.Module(bytes) : null;
  } catch {
    return null;
  }
}
