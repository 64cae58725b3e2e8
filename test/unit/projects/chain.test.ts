import { describe, expect, it } from 'vitest';
import type { ExportSettings } from '../../../preload/contract/projects';
import { measureLoudness } from '../../../main/engine/audio/loudness';
import type { DecodedAudio } from '../../../main/engine/audio/types';
import {
  applyFades,
  convertChannels,
  cutRegion,
  fadeGain,
  normalize,
  processAudio,
  resampleAudio,
  trimSilence,
  type ItemEdits,
} from '../../../main/engine/export/chain';

const SR = 48_000;

function tone(seconds: number, freq = 1000, amp = 0.5, sr = SR): Float32Array {
  const n = Math.round(seconds * sr);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / sr);
  return x;
}

function ramp(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i);
}

const peak = (x: Float32Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const db = (a: number) => 20 * Math.log10(a);

const noEdits: ItemEdits = { window: null, trimIn: 0, trimOut: null, fadeIn: 0, fadeOut: 0, fadeInCurve: 'linear', fadeOutCurve: 'linear' };

const settings = (over: Partial<ExportSettings> = {}): ExportSettings => ({
  format: { container: 'wav', sample: 'float32' },
  sampleRate: 48_000,
  channels: 'keep',
  trimSilenceDb: null,
  fadeIn: 0,
  fadeOut: 0,
  normalize: { mode: 'none' },
  variations: { count: 0, amount: 0.04, seed: 1 },
  creatorId: null,
  sourceId: null,
  designer: null,
  library: null,
  fxNameMaxLength: 25,
  ...over,
});

describe('export chain: trim and window', () => {
  it('cuts the window, then trims relative to it', () => {
    const audio: DecodedAudio = { sampleRate: 10, channels: [ramp(100)] };
    expect(Array.from(cutRegion(audio, { window: null, trimIn: 1, trimOut: 2 }).channels[0])).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const w = cutRegion(audio, { window: { start: 5, end: 8 }, trimIn: 0.5, trimOut: null });
    expect(w.channels[0][0]).toBe(55);
    expect(w.channels[0].length).toBe(25);
    // trimOut past the window's end stops at the window.
    expect(cutRegion(audio, { window: { start: 5, end: 6 }, trimIn: 0, trimOut: 9 }).channels[0].length).toBe(10);
  });

  it('never writes into the source', () => {
    const src = new Float32Array(10).fill(1);
    const cut = cutRegion({ sampleRate: 10, channels: [src] }, { window: null, trimIn: 0, trimOut: null });
    applyFades(cut, 0.5, 0, 'linear', 'linear');
    expect(Array.from(src)).toEqual(new Array(10).fill(1));
  });
});

describe('export chain: fades', () => {
  it('fade curves start at 0 and end at 1', () => {
    for (const c of ['linear', 'equalPower', 'exponential'] as const) {
      expect(fadeGain(c, 0)).toBe(0);
      expect(fadeGain(c, 1)).toBe(1);
    }
    expect(fadeGain('linear', 0.5)).toBeCloseTo(0.5, 12);
    expect(fadeGain('equalPower', 0.5)).toBeCloseTo(Math.SQRT1_2, 12);
    // Exponential is linear in dB over 60 dB: halfway is about −30 dB (less the offset that makes it start at 0).
    expect(fadeGain('exponential', 0.5)).toBeCloseTo((Math.sqrt(1000) - 1) / 999, 12);
    expect(db(fadeGain('exponential', 0.75)) - db(fadeGain('exponential', 0.5))).toBeCloseTo(15, 0);
  });

  it('fades in from silence and out to silence', () => {
    const audio: DecodedAudio = { sampleRate: 100, channels: [new Float32Array(100).fill(1), new Float32Array(100).fill(-1)] };
    applyFades(audio, 0.1, 0.2, 'linear', 'equalPower');
    const [l, r] = audio.channels;
    expect(l[0]).toBe(0);
    expect(l[5]).toBeCloseTo(0.5, 6);
    expect(l[10]).toBe(1);
    expect(l[99]).toBe(0);
    expect(l[89]).toBeCloseTo(Math.sin((10 / 20) * (Math.PI / 2)), 6);
    expect(r[5]).toBeCloseTo(-0.5, 6);
  });
});

describe('export chain: channel modes', () => {
  const l = Float32Array.from([1, 0.5]);
  const r = Float32Array.from([0, -0.5]);
  it('mono averages, stereo duplicates mono, keep keeps', () => {
    expect(Array.from(convertChannels({ sampleRate: SR, channels: [l, r] }, 'mono').channels[0])).toEqual([0.5, 0]);
    const st = convertChannels({ sampleRate: SR, channels: [l] }, 'stereo');
    expect(st.channels).toHaveLength(2);
    expect(Array.from(st.channels[1])).toEqual([1, 0.5]);
    expect(st.channels[0]).not.toBe(st.channels[1]);
    expect(convertChannels({ sampleRate: SR, channels: [l, r, l] }, 'keep').channels).toHaveLength(3);
  });
  it('stereo folds more channels: even ones left, odd ones right', () => {
    const c = (v: number) => Float32Array.from([v]);
    const st = convertChannels({ sampleRate: SR, channels: [c(1), c(0.2), c(0.5), c(0.4)] }, 'stereo');
    expect(st.channels[0][0]).toBeCloseTo(0.75, 6);
    expect(st.channels[1][0]).toBeCloseTo(0.3, 6);
  });
});

describe('export chain: resampling and variations', () => {
  it('resamples 44.1 kHz to 48 kHz keeping the length and the pitch', async () => {
    const out = await resampleAudio({ sampleRate: 44_100, channels: [tone(1, 1000, 0.5, 44_100)] }, 48_000, 1);
    expect(out.sampleRate).toBe(48_000);
    expect(out.channels[0].length).toBe(48_000);
    expect(zeroCrossingHz(out.channels[0].subarray(4800, 43200), 48_000)).toBeCloseTo(1000, 0);
  });

  it('a variation speed plays faster: shorter and higher by the same factor', async () => {
    const out = await resampleAudio({ sampleRate: SR, channels: [tone(1, 1000)] }, SR, 1.03);
    expect(out.channels[0].length).toBe(Math.round(48_000 / 1.03));
    expect(zeroCrossingHz(out.channels[0].subarray(4000, 40000), SR)).toBeCloseTo(1030, 0);
    await expect(resampleAudio({ sampleRate: SR, channels: [tone(0.1)] }, SR, 1.005)).rejects.toThrow(/whole percent/);
  });

  it('stops between blocks when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(resampleAudio({ sampleRate: 44_100, channels: [tone(3, 100, 0.5, 44_100)] }, 48_000, 1, ac.signal)).rejects.toThrow(/cancelled/);
  });
});

describe('export chain: silence trim', () => {
  it('drops head and tail below the threshold', () => {
    const x = new Float32Array(1000);
    x.fill(0.0001, 0, 100); // −80 dBFS
    x.fill(0.5, 100, 900);
    x.fill(0.0005, 900, 1000); // −66 dBFS
    const out = trimSilence({ sampleRate: SR, channels: [x, new Float32Array(1000)] }, -60);
    expect(out.channels[0].length).toBe(800);
    expect(out.channels[1].length).toBe(800);
    expect(trimSilence({ sampleRate: SR, channels: [x] }, -70).channels[0].length).toBe(900);
  });
});

describe('export chain: normalisation', () => {
  it('peak: the sample peak lands on the target', async () => {
    const audio = { sampleRate: SR, channels: [tone(1, 997, 0.25)] };
    const r = await normalize(audio, { mode: 'peak', peakDb: -1 });
    expect(db(peak(r.audio.channels[0]))).toBeCloseTo(-1, 3);
    expect(r.gainDb).toBeCloseTo(-1 - db(0.25), 2);
    expect(r.loudness.samplePeak).toBeCloseTo(-1, 3);
  });

  it('loudness: integrated loudness lands on the target when the ceiling allows', async () => {
    const audio = { sampleRate: SR, channels: [tone(3, 1000, 0.05), tone(3, 1000, 0.05)] };
    const r = await normalize(audio, { mode: 'loudness', lufs: -23, truePeakDb: -1 });
    expect(r.ceilingLimited).toBe(false);
    expect(r.loudness.integrated).toBeCloseTo(-23, 1);
    expect(measureLoudness(r.audio).integrated).toBeCloseTo(-23, 1);
  });

  it('loudness: the true-peak ceiling lowers the gain (no limiter) and says so', async () => {
    // Sparse clicks: very high crest factor, so −10 LUFS would need peaks far above 0 dBTP.
    const x = new Float32Array(SR * 3);
    for (let i = 0; i < x.length; i += SR / 4) for (let k = 0; k < 24; k++) x[i + k] = 0.1 * Math.sin((Math.PI * k) / 24);
    const r = await normalize({ sampleRate: SR, channels: [x] }, { mode: 'loudness', lufs: -10, truePeakDb: -1 });
    expect(r.ceilingLimited).toBe(true);
    expect(r.loudness.truePeak!).toBeLessThanOrEqual(-1 + 0.01);
    expect(r.loudness.truePeak!).toBeGreaterThan(-1.1);
    expect(r.loudness.integrated!).toBeLessThan(-10);
    expect(r.note).toMatch(/ceiling/);
  });

  it('loudness: too short for gated loudness is left alone with a note', async () => {
    const r = await normalize({ sampleRate: SR, channels: [tone(0.2)] }, { mode: 'loudness', lufs: -23, truePeakDb: -1 });
    expect(r.gainDb).toBe(0);
    expect(r.note).toMatch(/0\.4 s/);
  });
});

describe('export chain: whole', () => {
  it('trims, converts, fades, resamples, trims silence and normalises in that order', async () => {
    const sr = 44_100;
    const x = new Float32Array(sr * 3);
    x.set(tone(1, 440, 0.3, sr), sr); // one second of tone between two of silence
    const out = await processAudio(
      { sampleRate: sr, channels: [x, x.slice()] },
      { ...noEdits, trimIn: 0.5, fadeIn: 0 },
      settings({ channels: 'mono', trimSilenceDb: -60, fadeOut: 0.1, normalize: { mode: 'peak', peakDb: -3 } }),
      1,
    );
    expect(out.audio.sampleRate).toBe(48_000);
    expect(out.audio.channels).toHaveLength(1);
    // The silence is gone (within the resampler's ringing below −60 dBFS) and the tone's second remains.
    expect(out.audio.channels[0].length / 48_000).toBeGreaterThan(0.99);
    expect(out.audio.channels[0].length / 48_000).toBeLessThan(1.01);
    expect(db(peak(out.audio.channels[0]))).toBeCloseTo(-3, 2);
    expect(Math.abs(out.audio.channels[0][out.audio.channels[0].length - 1])).toBe(0);
  });

  it('fails clearly when everything is below the silence threshold', async () => {
    await expect(processAudio({ sampleRate: SR, channels: [new Float32Array(SR)] }, noEdits, settings({ trimSilenceDb: -60 }), 1)).rejects.toThrow(
      /below the silence threshold/,
    );
  });
});

/** Frequency from the first and last upward zero crossing (interpolated between samples). */
function zeroCrossingHz(x: Float32Array, sr: number): number {
  const times: number[] = [];
  for (let i = 1; i < x.length; i++) if (x[i - 1] < 0 && x[i] >= 0) times.push(i - 1 + x[i - 1] / (x[i - 1] - x[i]));
  return ((times.length - 1) * sr) / (times[times.length - 1] - times[0]);
}
