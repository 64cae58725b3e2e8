/**
 * Synthetic unit vectors shaped like CLAP window embeddings for the search benches: clusters whose
 * centres share a common offset (real embeddings sit in a narrow cone), each with a low-rank spread
 * and isotropic noise. search.bench.ts and team.bench.ts draw from the same generator so their
 * figures are comparable.
 */
import { Prng } from '../fixtures/prng';

export interface ClusterShape {
  seed: number;
  dim: number;
  clusters: number;
  rank: number;
  spread: number;
  noise: number;
  offset: number;
}

export class Gauss {
  private spare: number | null = null;
  constructor(private readonly r: Prng) {}
  next(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.r.next() - 1;
      v = 2 * this.r.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    return u * m;
  }
}

export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s) || 1;
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/** The clusters, then `point` writes one vector of cluster c into `out`; `pick` draws a cluster. */
export function clusteredVectors(shape: ClusterShape) {
  const { dim: D, clusters, rank, spread, noise, offset } = shape;
  const r = new Prng(shape.seed);
  const g = new Gauss(r);
  const shared = normalize(Float32Array.from({ length: D }, () => g.next()));
  const centres: Float32Array[] = [];
  const bases: Float32Array[] = [];
  for (let c = 0; c < clusters; c++) {
    const u = normalize(Float32Array.from({ length: D }, () => g.next()));
    for (let i = 0; i < D; i++) u[i] += offset * shared[i];
    centres.push(normalize(u));
    bases.push(Float32Array.from({ length: rank * D }, () => g.next() / Math.sqrt(D)));
  }
  const point = (out: Float32Array, c: number, spreadAt = spread, noiseAt = noise) => {
    const centre = centres[c];
    const basis = bases[c];
    const sd = noiseAt / Math.sqrt(D);
    for (let i = 0; i < D; i++) out[i] = centre[i] + sd * g.next();
    for (let j = 0; j < rank; j++) {
      const z = (spreadAt * g.next()) / Math.sqrt(rank);
      for (let i = 0, o = j * D; i < D; i++, o++) out[i] += z * basis[o];
    }
    return normalize(out);
  };
  const pick = () => Math.floor(r.next() * clusters);
  return { random: r, point, pick };
}
