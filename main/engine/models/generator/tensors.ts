/**
 * Tensor plumbing between graphs: element-type conversion to what a graph declares (exports differ:
 * int32 or int64 token ids, float16 or float32 latents, bool or int masks), and the derived-value
 * operations a manifest may ask for (concat, reshape, token masking).
 */
import { Tensor } from 'onnxruntime-node';
import { CuebankError } from '../../errors';
import { f16ToF32, f32ToF16 } from '../float16';

export type Value = Tensor;

const sizeOf = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** The tensor's elements as plain numbers (any numeric or bool type). */
export function numbersOf(t: Value): Float64Array {
  const n = sizeOf(t.dims);
  const out = new Float64Array(n);
  const d = t.data as ArrayLike<number | bigint | boolean>;
  if (t.type === 'float16' && d instanceof Uint16Array) {
    for (let i = 0; i < n; i++) out[i] = f16ToF32(d[i]);
  } else {
    for (let i = 0; i < n; i++) out[i] = Number(d[i]);
  }
  return out;
}

/** float32 view of a tensor (a copy unless it is float32 already). */
export function float32Of(t: Value): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  return Float32Array.from(numbersOf(t));
}

/** The tensor as `type` (float32, float16, float64, int64, int32, uint8, int8, bool). */
export function toType(t: Value, type: string): Value {
  if (t.type === type) return t;
  const nums = numbersOf(t);
  const dims = t.dims as number[];
  switch (type) {
    case 'float32':
      return new Tensor('float32', Float32Array.from(nums), dims);
    case 'float64':
      return new Tensor('float64', Float64Array.from(nums), dims);
    case 'float16':
      return new Tensor('float16', Uint16Array.from(nums, f32ToF16), dims);
    case 'int64':
      return new Tensor('int64', BigInt64Array.from(nums, (v) => BigInt(Math.round(v))), dims);
    case 'int32':
      return new Tensor('int32', Int32Array.from(nums, Math.round), dims);
    case 'int8':
      return new Tensor('int8', Int8Array.from(nums, Math.round), dims);
    case 'uint8':
      return new Tensor('uint8', Uint8Array.from(nums, Math.round), dims);
    case 'bool':
      return new Tensor('bool', Uint8Array.from(nums, (v) => (v !== 0 ? 1 : 0)), dims);
    default:
      throw new CuebankError('model_error', `Cannot convert a ${t.type} value to ${type}`);
  }
}

export const float32 = (data: Float32Array, dims: number[]): Value => new Tensor('float32', data, dims);
export const int64 = (data: ArrayLike<number>, dims: number[]): Value => new Tensor('int64', BigInt64Array.from(Array.from(data), (v) => BigInt(v)), dims);

export function filled(value: number, dims: number[]): Value {
  return float32(new Float32Array(sizeOf(dims)).fill(value), dims);
}

/** Concatenation along `axis` (negative from the end); every other dimension must agree. */
export function concat(values: Value[], axis: number, name: string): Value {
  const rank = values[0].dims.length;
  const ax = axis < 0 ? rank + axis : axis;
  if (ax < 0 || ax >= rank) throw new CuebankError('model_error', `Value "${name}": axis ${axis} is outside a rank-${rank} tensor`);
  for (const v of values) {
    const same = v.dims.length === rank && v.dims.every((d, i) => i === ax || d === values[0].dims[i]);
    if (!same) {
      throw new CuebankError(
        'model_error',
        `Value "${name}": cannot concatenate shapes ${values.map((x) => `[${x.dims.join(', ')}]`).join(' and ')} along axis ${axis}`,
      );
    }
  }
  const outer = sizeOf(values[0].dims.slice(0, ax));
  const inner = sizeOf(values[0].dims.slice(ax + 1));
  const parts = values.map((v) => ({ data: float32Of(v), len: v.dims[ax] * inner }));
  const total = parts.reduce((a, p) => a + p.len, 0);
  const out = new Float32Array(outer * total);
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (const p of parts) {
      out.set(p.data.subarray(i * p.len, (i + 1) * p.len), o);
      o += p.len;
    }
  }
  const dims = [...values[0].dims];
  dims[ax] = values.reduce((a, v) => a + v.dims[ax], 0);
  return float32(out, dims);
}

/** ONNX Reshape: 0 copies the input's dimension at that index, -1 takes what is left. */
export function reshape(v: Value, shape: number[], name: string): Value {
  const dims = shape.map((d, i) => (d === 0 ? v.dims[i] : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const size = sizeOf(v.dims);
  const inferred = dims.filter((d) => d === -1).length;
  if (inferred > 1 || dims.some((d) => d === undefined) || (inferred ? size % known !== 0 : known !== size)) {
    throw new CuebankError('model_error', `Value "${name}": cannot reshape [${v.dims.join(', ')}] to [${shape.join(', ')}]`);
  }
  const out = dims.map((d) => (d === -1 ? size / known : d));
  return new Tensor(v.type as 'float32', v.data as Float32Array, out);
}

/** [batch, tokens, dim] with the rows where mask [batch, tokens] is 0 zeroed. */
export function maskTokens(v: Value, mask: Value, name: string): Value {
  const [b, s] = v.dims;
  if (v.dims.length !== 3 || mask.dims.length !== 2 || mask.dims[0] !== b || mask.dims[1] !== s) {
    throw new CuebankError('model_error', `Value "${name}": cannot mask [${v.dims.join(', ')}] with a mask of [${mask.dims.join(', ')}]`);
  }
  const d = v.dims[2];
  const m = numbersOf(mask);
  const out = Float32Array.from(float32Of(v));
  for (let r = 0; r < b * s; r++) if (m[r] === 0) out.fill(0, r * d, (r + 1) * d);
  return float32(out, v.dims as number[]);
}
