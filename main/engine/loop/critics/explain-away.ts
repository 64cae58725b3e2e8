/**
 * Explaining away the plan's other events (README "Critics"). Where an event sounds together with
 * others the plan names (an overlap, a bed), a window's embedding mixes them, and its cosine to the
 * event's text drops below what the near misses score. The critic knows which other events the plan
 * expects in each window; it removes the component of the embedding along their text directions
 * (projection onto the orthogonal complement of their span) and judges what is left. The event's
 * chance is measured on references given the same projection, so no reference holds the event and
 * the calibration still compares like with like.
 *
 * Text directions reach only part of what another event adds: a sound never lies exactly along
 * its description (and a real CLAP's audio and text embeddings lie apart, the modality gap). So an
 * other event is also represented on the audio side, by the reference sounds the model itself
 * describes as that event (otherEventDirections).
 */
import type { EventContrast } from './contrast-bank';

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** A reference sound as the critic holds it: its embedding and its cosines to the contrast bank. */
export interface HeldReference {
  readonly v: Float32Array;
  readonly sims: Float32Array;
}

/** How the model describes sounds as one event: its text, contrast (contrast-bank.ts) and rank. */
export interface EventReading {
  readonly text: Float32Array;
  readonly contrast: EventContrast;
  readonly rank: number;
}

/**
 * The directions that stand for another plan event when it is explained away: its text, and the
 * `count` reference sounds the model describes as that event (highest cosine to its text first),
 * less any the model also describes as the judged event (removing those would remove the judged
 * event too). With none described as the other event, its text alone.
 */
export function otherEventDirections(other: EventReading, judged: EventReading, references: readonly HeldReference[], count: number): Float32Array[] {
  const describes = (e: EventReading, r: HeldReference) => e.contrast.describesAs(dot(r.v, e.text), r.sims, e.rank);
  const exemplars = references
    .filter((r) => describes(other, r) && !describes(judged, r))
    .sort((a, b) => dot(b.v, other.text) - dot(a.v, other.text))
    .slice(0, Math.max(0, count));
  return [other.text, ...exemplars.map((r) => r.v)];
}

/** Removes the span of some directions (the other events' texts) from embeddings. */
export class OtherEventsProjection {
  private readonly basis: Float32Array[] = [];

  /** @param minUnexplained share of an embedding's length that must remain for the remainder to mean anything. */
  constructor(
    directions: readonly Float32Array[],
    private readonly minUnexplained: number,
  ) {
    // Gram–Schmidt: an orthonormal basis of the directions' span (near-parallel ones add nothing).
    for (const d of directions) {
      const q = Float32Array.from(d);
      for (const b of this.basis) {
        const p = dot(q, b);
        for (let i = 0; i < q.length; i++) q[i] -= p * b[i];
      }
      const n = Math.sqrt(dot(q, q));
      if (n < 1e-3) continue;
      for (let i = 0; i < q.length; i++) q[i] /= n;
      this.basis.push(q);
    }
  }

  get empty(): boolean {
    return this.basis.length === 0;
  }

  /**
   * The embedding less its component along the other events, renormalised to unit length so its
   * cosines stay cosines; null where less than minUnexplained of its length remains. A sound that
   * is nothing but the other events leaves a small remainder of whatever the text directions miss;
   * renormalised, that would be a blown-up direction of noise that can score as anything.
   */
  apply(v: Float32Array): Float32Array | null {
    if (this.empty) return v;
    const r = Float32Array.from(v);
    for (const b of this.basis) {
      const p = dot(r, b);
      for (let i = 0; i < r.length; i++) r[i] -= p * b[i];
    }
    const n = Math.sqrt(dot(r, r));
    const before = Math.sqrt(dot(v, v));
    if (n < this.minUnexplained * before || n < 1e-9) return null;
    for (let i = 0; i < r.length; i++) r[i] /= n;
    return r;
  }
}
