/**
 * Test signals and metadata for the export encoders: deterministic (seeded), with the character of
 * real material so compression figures mean something.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DecodedAudio } from '../../../main/engine/audio/types';
import type { ExportMetadata } from '../../../main/engine/export/metadata';
import { seededRandom } from '../../../main/engine/seeded-random';

/** Decaying partials per channel (a struck, tonal sound), different per channel. */
export function tones(sampleRate: number, channels: number, seconds: number): DecodedAudio {
  const n = Math.round(sampleRate * seconds);
  return {
    sampleRate,
    channels: Array.from({ length: channels }, (_, c) => {
      const a = new Float32Array(n);
      const f0 = 220 * (1 + c * 0.25);
      for (let i = 0; i < n; i++) {
        const t = i / sampleRate;
        const env = Math.exp(-3 * t);
        a[i] = env * (0.5 * Math.sin(2 * Math.PI * f0 * t) + 0.2 * Math.sin(2 * Math.PI * 2.01 * f0 * t) + 0.1 * Math.sin(2 * Math.PI * 3.03 * f0 * t));
      }
      return a;
    }),
  };
}

/** White noise at the given peak (nearly incompressible: the worst case for a lossless coder). */
export function noise(sampleRate: number, channels: number, seconds: number, peak = 0.25, seed = 7): DecodedAudio {
  const random = seededRandom(seed);
  const n = Math.round(sampleRate * seconds);
  return { sampleRate, channels: Array.from({ length: channels }, () => Float32Array.from({ length: n }, () => peak * (2 * random() - 1))) };
}

/**
 * Speech-like: a glottal pulse train with a wandering pitch through three formant resonators,
 * shaped into syllables with pauses between them.
 */
export function speech(sampleRate: number, seconds: number, seed = 11): DecodedAudio {
  const random = seededRandom(seed);
  const n = Math.round(sampleRate * seconds);
  const out = new Float32Array(n);
  const formants = [
    [700, 130],
    [1220, 70],
    [2600, 160],
  ].map(([f, bw]) => {
    const r = Math.exp((-Math.PI * bw) / sampleRate);
    return { a1: 2 * r * Math.cos((2 * Math.PI * f) / sampleRate), a2: -r * r, y1: 0, y2: 0 };
  });
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const f0 = 120 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += f0 / sampleRate;
    let x = 0;
    if (phase >= 1) {
      phase -= 1;
      x = 1;
    }
    x += 0.02 * (random() - 0.5); // breath
    let y = 0;
    for (const f of formants) {
      const v = x + f.a1 * f.y1 + f.a2 * f.y2;
      f.y2 = f.y1;
      f.y1 = v;
      y += v;
    }
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 3 * t)) ** 2 * (Math.floor(t * 1.5) % 3 === 2 ? 0 : 1);
    out[i] = 0.02 * y * syllable;
  }
  return { sampleRate, channels: [out] };
}

export function fullMetadata(over: Partial<ExportMetadata> = {}): ExportMetadata {
  return {
    title: 'Door Slam <Heavy> & "Oak"',
    description: "Heavy oak door slams shut, 'boomy' tail",
    keywords: ['door', 'slam', 'oak', 'wood'],
    designer: 'Zoë Ruiz',
    library: 'Cuebank Foley',
    project: 'Project Ember',
    notes: 'Recorded <close> & dry',
    originator: 'Ember Audio',
    originatorReference: 'EMB-0042',
    origination: new Date(Date.UTC(2025, 2, 4, 5, 6, 7)),
    loudness: { integrated: -18.234, range: 4.56, truePeak: -1.04, samplePeak: -1.3, momentaryMax: -12.5, shortTermMax: -15.25 },
    ucs: {
      catId: 'DOORWood',
      category: 'DOORS',
      subCategory: 'WOOD',
      fxName: 'Heavy Oak Slam',
      creatorId: 'ZR',
      sourceId: 'EMB',
      userCategory: 'INT',
      vendorCategory: 'Foley',
      userData: 'take 3',
    },
    isLoop: false,
    isGenerated: true,
    source: '/Users/zoe/Library/Foley/door_slam_03.wav',
    ...over,
  };
}

let dir: string | null = null;
export function tempFile(name: string): string {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-export-'));
  return path.join(dir, name);
}
export function removeTemp(): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
}
