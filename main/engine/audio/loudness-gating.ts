/**
 * The statistics of BS.1770-4 / EBU R128 over block powers (channel-weighted mean squares of the
 * K-weighted signal): gated integrated loudness and EBU Tech 3342 loudness range.
 */

/** Absolute gate (LUFS) for both integrated loudness and loudness range. */
export const ABSOLUTE_GATE = -70;
/** Integrated loudness: blocks more than 10 LU below the absolutely gated mean are dropped. */
export const INTEGRATED_RELATIVE_GATE = -10;
/** Loudness range: short-term blocks more than 20 LU below the absolutely gated mean are dropped. */
export const RANGE_RELATIVE_GATE = -20;

/** LUFS of a block power; −Infinity for silence. */
export function powerToLufs(power: number): number {
  return -0.691 + 10 * Math.log10(power);
}

function lufsToPower(lufs: number): number {
  return 10 ** ((lufs + 0.691) / 10);
}

function mean(values: number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Blocks that pass the absolute gate and then the relative gate `relativeGate` LU below their mean. */
function gate(powers: readonly number[], relativeGate: number): number[] {
  const absolute = lufsToPower(ABSOLUTE_GATE);
  const loud = powers.filter((p) => p > absolute);
  if (!loud.length) return [];
  const relative = lufsToPower(powerToLufs(mean(loud)) + relativeGate);
  return loud.filter((p) => p > relative);
}

/** Integrated loudness (LUFS) of 400 ms block powers; null when no block passes the gates. */
export function integratedLoudness(blockPowers: readonly number[]): number | null {
  const kept = gate(blockPowers, INTEGRATED_RELATIVE_GATE);
  return kept.length ? powerToLufs(mean(kept)) : null;
}

/**
 * Loudness range (LU) of 3 s short-term block powers: the spread between the 10th and 95th percentiles
 * of the gated short-term loudness, percentile index rounded as in EBU Tech 3342's reference code.
 * null when no block passes the gates.
 */
export function loudnessRange(shortTermPowers: readonly number[]): number | null {
  const kept = gate(shortTermPowers, RANGE_RELATIVE_GATE)
    .map(powerToLufs)
    .sort((a, b) => a - b);
  if (!kept.length) return null;
  const at = (fraction: number) => kept[Math.round((kept.length - 1) * fraction)];
  return at(0.95) - at(0.1);
}

/** The loudest block (LUFS); null when there is no block or all are silent. */
export function maxLoudness(powers: readonly number[]): number | null {
  let max = 0;
  for (const p of powers) if (p > max) max = p;
  return max > 0 ? powerToLufs(max) : null;
}
