import { describe, expect, it } from 'vitest';
import { WindowPlanner, type AudioWindow } from '../../../main/engine/library/windows';

/** A ramp makes every sample identify its own position. */
function ramp(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

function plan(total: number, blockSize: number, sr = 10, win = 10, hop: number | null = null): AudioWindow[] {
  const p = new WindowPlanner(sr, win, hop);
  const src = ramp(total);
  const out: AudioWindow[] = [];
  for (let i = 0; i < total; i += blockSize) out.push(...p.push(src.subarray(i, Math.min(total, i + blockSize))));
  out.push(...p.finish());
  return out;
}

describe('WindowPlanner', () => {
  it('gives one window of the sound’s own length when it is shorter than a window', () => {
    const w = plan(37, 8);
    expect(w.map((x) => [x.start, x.end])).toEqual([[0, 3.7]]);
    expect(Array.from(w[0].samples)).toEqual(Array.from(ramp(37)));
  });

  it('cuts back-to-back windows and one end-aligned tail window', () => {
    const w = plan(250, 7); // 25 s at 10 Hz, 10 s windows
    expect(w.map((x) => [x.start, x.end])).toEqual([
      [0, 10],
      [10, 20],
      [15, 25],
    ]);
    for (const x of w) {
      expect(x.samples.length).toBe(100);
      expect(x.samples[0]).toBe(x.start * 10);
      expect(x.samples[99]).toBe(x.end * 10 - 1);
    }
  });

  it('adds no tail window when the windows end exactly at the end', () => {
    expect(plan(200, 33).map((x) => [x.start, x.end])).toEqual([
      [0, 10],
      [10, 20],
    ]);
  });

  it('honours a hop shorter than the window', () => {
    const w = plan(200, 50, 10, 10, 5);
    expect(w.map((x) => [x.start, x.end])).toEqual([
      [0, 10],
      [5, 15],
      [10, 20],
    ]);
  });

  it('is independent of block size', () => {
    const a = plan(1234, 1);
    const b = plan(1234, 1000);
    expect(a.map((x) => [x.start, x.end, x.samples[0], x.samples.length])).toEqual(
      b.map((x) => [x.start, x.end, x.samples[0], x.samples.length]),
    );
  });

  it('gives nothing for an empty stream', () => {
    expect(plan(0, 10)).toEqual([]);
  });
});
