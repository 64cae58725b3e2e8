import fs from 'node:fs';
import type { Waveform } from '../../../preload/contract/library';
import { openMonoStream, readMeta } from '../audio';
import { CuebankError } from '../errors';

const CACHE_LIMIT = 2000;

/**
 * Min/max peaks of a file for thumbnails, read at the file's own rate (no resampling: peaks must
 * not be smoothed). Results are cached by path, size, modification time and point count, since a
 * scrolling list asks for the same files again and again.
 */
export class WaveformCache {
  private readonly cache = new Map<string, Waveform>();

  async get(file: string, points: number): Promise<Waveform> {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      throw new CuebankError('not_found', `File not found: ${file}`);
    }
    const key = `${file}\0${st.size}\0${st.mtimeMs}\0${points}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const waveform = await compute(file, points);
    this.cache.set(key, waveform);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    return waveform;
  }
}

async function compute(file: string, points: number): Promise<Waveform> {
  const meta = await readMeta(file);
  const { format } = meta;
  const min = new Array<number>(points).fill(0);
  const max = new Array<number>(points).fill(0);
  const frames = Math.max(1, format.frames);
  const { blocks } = await openMonoStream(file, { targetRate: format.sampleRate });
  let i = 0;
  for await (const block of blocks) {
    for (let j = 0; j < block.length; j++, i++) {
      const b = Math.min(points - 1, Math.floor((i * points) / frames));
      const v = block[j];
      if (v < min[b]) min[b] = v;
      if (v > max[b]) max[b] = v;
    }
  }
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  return { duration: format.duration, min: min.map(round), max: max.map(round) };
}
