import type { BitWriter } from './bit-writer';

/**
 * One FLAC subframe (one channel of one block), planned before it is written so the frame can pick
 * the cheapest stereo decorrelation: CONSTANT, VERBATIM, or FIXED prediction of order 0–4 with a
 * Rice-coded residual whose partition order and parameters are searched.
 */
export interface SubframePlan {
  /** Size of the subframe in bits (exact for CONSTANT/VERBATIM, the Rice estimate for FIXED). */
  bits: number;
  write(w: BitWriter): void;
}

const MAX_FIXED_ORDER = 4;
/** libFLAC's highest preset searches up to 8; more partitions rarely pay for their parameters. */
const MAX_PARTITION_ORDER = 8;
/** RICE (method 0) has 4-bit parameters up to 14 (15 escapes); RICE2 (method 1) 5-bit up to 30. */
const RICE1_MAX = 14;
const RICE2_MAX = 30;

export function planSubframe(x: Int32Array, bps: number): SubframePlan {
  const n = x.length;
  let constant = true;
  for (let i = 1; i < n && constant; i++) constant = x[i] === x[0];
  if (constant) {
    return {
      bits: 8 + bps,
      write: (w) => {
        w.write(0b00000000, 8);
        w.writeSigned(x[0], bps);
      },
    };
  }
  let best: SubframePlan = {
    bits: 8 + n * bps,
    write: (w) => {
      w.write(0b00000010, 8);
      for (let i = 0; i < n; i++) w.writeSigned(x[i], bps);
    },
  };
  // e holds the order-k differences; e[i] is only meaningful for i >= k.
  let e = Int32Array.from(x);
  for (let order = 0; order <= Math.min(MAX_FIXED_ORDER, n - 1); order++) {
    if (order > 0) {
      const next = new Int32Array(n);
      for (let i = order; i < n; i++) next[i] = e[i] - e[i - 1];
      e = next;
    }
    const residual = e.subarray(order);
    const rice = planRice(residual, n, order);
    const bits = 8 + order * bps + rice.bits;
    if (bits < best.bits) {
      const o = order;
      best = {
        bits,
        write: (w) => {
          w.write(0b00010000 | (o << 1), 8);
          for (let i = 0; i < o; i++) w.writeSigned(x[i], bps);
          writeRice(w, residual, rice);
        },
      };
    }
  }
  return best;
}

interface RicePlan {
  /** Bits of the whole residual section: method, partition order, parameters and codes. */
  bits: number;
  method: 0 | 1;
  partitionOrder: number;
  /** Values per partition (blockSize >> partitionOrder); the first partition has `order` fewer. */
  partSize: number;
  order: number;
  params: number[];
}

const zigzag = (r: number) => (r >= 0 ? r * 2 : -r * 2 - 1);

const POW2 = Array.from({ length: RICE2_MAX + 1 }, (_, j) => 2 ** j);

/** Cost of `count` zigzagged values summing to `sum` with parameter k (sum(u >> k) ≈ sum / 2^k). */
function riceCost(sum: number, count: number, k: number): number {
  return count * (k + 1) + Math.floor(sum / POW2[k]);
}

/**
 * The cheapest parameter. The cost is (near enough) convex in k with its minimum close to
 * log2(mean), so a walk from there finds it in a few evaluations instead of trying all 31 — this
 * runs for every partition of every predictor order of every channel option.
 */
function bestParam(sum: number, count: number): { k: number; bits: number } {
  const mean = count ? sum / count : 0;
  let k = mean >= 1 ? Math.min(RICE2_MAX, Math.floor(Math.log2(mean))) : 0;
  let bits = riceCost(sum, count, k);
  while (k > 0) {
    const b = riceCost(sum, count, k - 1);
    if (b > bits) break;
    bits = b;
    k--;
  }
  while (k < RICE2_MAX) {
    const b = riceCost(sum, count, k + 1);
    if (b >= bits) break;
    bits = b;
    k++;
  }
  return { k, bits };
}

/**
 * Chooses the partition order (2^p partitions; the first one is short by the predictor order) and
 * a parameter per partition, estimating each partition's cost from the sum of its values.
 */
function planRice(residual: Int32Array, blockSize: number, order: number): RicePlan {
  let maxP = 0;
  while (
    maxP < MAX_PARTITION_ORDER &&
    blockSize % (1 << (maxP + 1)) === 0 &&
    blockSize >> (maxP + 1) > order
  ) maxP++;
  // Sums per partition at the finest order, merged pairwise for coarser ones.
  const finest = 1 << maxP;
  const part = blockSize >> maxP;
  let sums = new Float64Array(finest);
  let counts = new Float64Array(finest);
  for (let i = 0; i < residual.length; i++) {
    const slot = Math.floor((i + order) / part);
    sums[slot] += zigzag(residual[i]);
    counts[slot]++;
  }
  let best: RicePlan | undefined;
  for (let p = maxP; p >= 0; p--) {
    if (p < maxP) {
      const s = new Float64Array(1 << p);
      const c = new Float64Array(1 << p);
      for (let i = 0; i < s.length; i++) {
        s[i] = sums[2 * i] + sums[2 * i + 1];
        c[i] = counts[2 * i] + counts[2 * i + 1];
      }
      sums = s;
      counts = c;
    }
    const params: number[] = [];
    let bits = 0;
    for (let i = 0; i < sums.length; i++) {
      const r = bestParam(sums[i], counts[i]);
      params.push(r.k);
      bits += r.bits;
    }
    const method: 0 | 1 = params.some((k) => k > RICE1_MAX) ? 1 : 0;
    bits += 2 + 4 + params.length * (method ? 5 : 4);
    if (!best || bits < best.bits) best = { bits, method, partitionOrder: p, partSize: blockSize >> p, order, params };
  }
  // p = 0 always qualifies (order < blockSize), so a plan exists.
  const plan = best!;
  plan.bits = exactRiceBits(residual, plan);
  return plan;
}

function exactRiceBits(residual: Int32Array, plan: RicePlan): number {
  let bits = 2 + 4 + plan.params.length * (plan.method ? 5 : 4);
  let at = 0;
  for (let p = 0; p < plan.params.length; p++) {
    const k = plan.params[p];
    const count = p === 0 ? plan.partSize - plan.order : plan.partSize;
    const div = 2 ** k;
    bits += count * (k + 1);
    for (let i = 0; i < count; i++) bits += Math.floor(zigzag(residual[at + i]) / div);
    at += count;
  }
  return bits;
}

function writeRice(w: BitWriter, residual: Int32Array, plan: RicePlan): void {
  w.write(plan.method, 2);
  w.write(plan.partitionOrder, 4);
  let at = 0;
  for (let p = 0; p < plan.params.length; p++) {
    const k = plan.params[p];
    const count = p === 0 ? plan.partSize - plan.order : plan.partSize;
    w.write(k, plan.method ? 5 : 4);
    for (let i = 0; i < count; i++) w.writeRice(zigzag(residual[at + i]), k);
    at += count;
  }
}
