import { describe, expect, it } from 'vitest';
import type { DecodedAudio } from '../../../main/engine/audio/types';
import { dbToGain, fitToTake, gainToDb, gatedRms, matchChannels, mixPlacements, peak, PEAK_CEILING, trimLeadingSilence } from '../../../main/engine/loop/mix';
import { defaultStrategy, STRATEGIES, strategyFor, supportedStrategies } from '../../../main/engine/loop/strategies';
import type { EventSound, StrategyRun } from '../../../main/engine/loop/strategies';
import { PlacementCache } from '../../../main/engine/loop/strategies/place';
import type { SoundEvent } from '../../../main/engine/loop/types';
import { addAt, planOf, settingsOf, sine, ToneGenerator } from './fakes';

const RATE = 16_000;
const mono = (x: Float32Array, rate = RATE): DecodedAudio => ({ sampleRate: rate, channels: [x] });
const rmsOf = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

/** Amplitude of `freq` in x (single-bin DFT). */
function toneAmp(x: Float32Array, freq: number, rate: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.length; i++) {
    re += x[i] * Math.cos((2 * Math.PI * freq * i) / rate);
    im -= x[i] * Math.sin((2 * Math.PI * freq * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

const event = (id: string, start: number, end: number, text = 'a whistle'): SoundEvent => ({ id, text, start, end, relation: 'sequence', count: 1 });

describe('fitting a sound to a take', () => {
  it('resamples, matches channels, trims to the span and fades both ends', () => {
    const src: DecodedAudio = { sampleRate: 48_000, channels: [sine(1000, 2, 0.5, 48_000), sine(1000, 2, 0.5, 48_000)] };
    const fitted = fitToTake(src, { sampleRate: 16_000, channels: 1, maxSeconds: 0.5, fadeSeconds: 0.01 });
    expect(fitted.sampleRate).toBe(16_000);
    expect(fitted.channels).toHaveLength(1);
    expect(fitted.channels[0].length).toBe(8000);
    expect(fitted.channels[0][0]).toBe(0);
    expect(Math.abs(fitted.channels[0][7999])).toBeLessThan(0.01);
    // Still a 1 kHz tone at the same level after resampling.
    expect(toneAmp(fitted.channels[0].subarray(1000, 7000), 1000, 16_000)).toBeCloseTo(0.5, 2);
  });

  it('copies mono to every channel and folds more channels down by averaging', () => {
    const a = Float32Array.from([1, 1, 1]);
    const b = Float32Array.from([0, 0, 0]);
    expect(matchChannels([a], 2).map((c) => [...c])).toEqual([[1, 1, 1], [1, 1, 1]]);
    expect(matchChannels([a, b], 1).map((c) => [...c])).toEqual([[0.5, 0.5, 0.5]]);
    expect(matchChannels([a, b, a, b], 2).map((c) => [...c])).toEqual([[1, 1, 1], [0, 0, 0]]);
  });

  it('skips leading silence and slices by seconds', () => {
    const x = new Float32Array(RATE);
    addAt(x, sine(500, 0.5), RATE / 2);
    const trimmed = trimLeadingSilence(mono(x));
    expect(trimmed.channels[0].length).toBeLessThan(RATE / 2 + 40);
    expect(trimmed.channels[0].length).toBeGreaterThan(RATE / 2 - 40);
  });
});

describe('mixing placed sounds', () => {
  it('sets a placed sound to the take loudness plus the level, at the event time, without touching the take', () => {
    const take = sine(220, 3, 0.2);
    const before = take.slice();
    const ref = mono(sine(3000, 1, 0.9));
    const { audio, gains, ceilingGain } = mixPlacements(mono(take), [{ sound: ref, at: 2 }], -6);
    expect([...take]).toEqual([...before]);
    expect(ceilingGain).toBe(1);
    const placed = audio.channels[0].subarray(2 * RATE, 3 * RATE);
    const amp = toneAmp(placed, 3000, RATE);
    // 3 kHz at the take's RMS minus 6 dB, only from 2 s on.
    expect(gainToDb((amp / Math.SQRT2) / rmsOf(take))).toBeCloseTo(-6, 1);
    expect(toneAmp(audio.channels[0].subarray(0, 2 * RATE), 3000, RATE)).toBeLessThan(1e-3);
    expect(gains[0]).toBeCloseTo((rmsOf(take) * dbToGain(-6)) / gatedRms(ref), 5);
  });

  it('scales the whole mix under the ceiling when the sum would clip', () => {
    const take = sine(220, 1, 0.95);
    const { audio, ceilingGain } = mixPlacements(mono(take), [{ sound: mono(sine(220, 1, 0.5)), at: 0 }], 0);
    expect(ceilingGain).toBeLessThan(0.6);
    expect(peak(audio)).toBeLessThanOrEqual(PEAK_CEILING + 1e-6);
  });

  it('gated loudness ignores silence', () => {
    const x = new Float32Array(RATE * 4);
    x.set(sine(440, 1, 0.5), 0);
    expect(gatedRms(mono(x))).toBeCloseTo(0.5 / Math.SQRT2, 2);
    expect(gatedRms(mono(new Float32Array(RATE)))).toBe(0);
  });
});

describe('regeneration strategies', () => {
  const plan = planOf('a beep then a hum then a whistle', 3);
  const whistle: EventSound = { event: plan.events[2], referenceId: 11, sound: { sampleRate: 48_000, channels: [sine(3000, 2, 0.3, 48_000)] } };
  const parent = (() => {
    const x = new Float32Array(3 * RATE);
    addAt(x, sine(1000, 1, 0.5), 0);
    addAt(x, sine(220, 1, 0.5), RATE);
    return mono(x);
  })();

  const runOf = (over: Partial<StrategyRun> & { generator: ToneGenerator }): StrategyRun => ({
    plan,
    settings: settingsOf({ referenceStrength: 0.7, initStrength: 0.4, layerLevelDb: -3 }),
    parent,
    flagged: [plan.events[2]],
    references: [whistle],
    candidate: 0,
    seed: 3,
    signal: new AbortController().signal,
    onStep: () => undefined,
    memo: new Map(),
    placement: new PlacementCache(),
    ...over,
  });

  it('adapter: passes each reference fitted to the generator, at its event start, with strength λ', async () => {
    const generator = new ToneGenerator();
    await STRATEGIES.adapter.run(runOf({ generator }));
    const req = generator.requests[0];
    expect(req.prompt).toBe(plan.prompt);
    expect(req.seed).toBe(3);
    expect(req.init).toBeUndefined();
    expect(req.references).toHaveLength(1);
    const ref = req.references![0];
    expect(ref.start).toBe(2);
    expect(ref.strength).toBe(0.7);
    expect(ref.audio.sampleRate).toBe(RATE);
    expect(ref.audio.channels).toHaveLength(1);
    expect(ref.audio.channels[0].length).toBe(RATE);
  });

  it('audio2audio: starts from the take with the reference mixed in at the event time, at the chosen strength', async () => {
    const generator = new ToneGenerator();
    await STRATEGIES.audio2audio.run(runOf({ generator }));
    const req = generator.requests[0];
    expect(req.references).toBeUndefined();
    expect(req.init!.strength).toBe(0.4);
    const init = req.init!.audio.channels[0];
    expect(toneAmp(init.subarray(2 * RATE + 200, 3 * RATE - 200), 3000, RATE)).toBeGreaterThan(0.1);
    expect(toneAmp(init.subarray(0, 2 * RATE), 3000, RATE)).toBeLessThan(1e-3);
    // The take's own events are still there for the encoder.
    expect(toneAmp(init.subarray(0, RATE), 1000, RATE)).toBeCloseTo(0.5, 1);
  });

  it('layer: needs no model; the reference lands in the event span at the take loudness plus the level', async () => {
    const generator = new ToneGenerator();
    const out = await STRATEGIES.layer.run(runOf({ generator }));
    expect(generator.requests).toHaveLength(0);
    const span = out.channels[0].subarray(2 * RATE + 400, 3 * RATE - 400);
    const level = gainToDb(toneAmp(span, 3000, RATE) / Math.SQRT2 / gatedRms(parent));
    expect(level).toBeCloseTo(-3, 0);
    expect(peak(out)).toBeLessThanOrEqual(PEAK_CEILING);
  });

  it('layer: further candidates try other accepted references, then other levels', async () => {
    const second: EventSound = { ...whistle, referenceId: 12, sound: { sampleRate: 48_000, channels: [sine(3100, 2, 0.3, 48_000)] } };
    const generator = new ToneGenerator();
    const outs = await Promise.all([0, 1, 2].map((candidate) => STRATEGIES.layer.run(runOf({ generator, references: [whistle, second], candidate }))));
    const span = (a: DecodedAudio) => a.channels[0].subarray(2 * RATE + 400, 3 * RATE - 400);
    expect(toneAmp(span(outs[0]), 3000, RATE)).toBeGreaterThan(10 * toneAmp(span(outs[0]), 3100, RATE));
    expect(toneAmp(span(outs[1]), 3100, RATE)).toBeGreaterThan(10 * toneAmp(span(outs[1]), 3000, RATE));
    // Candidate 2 wraps to the first reference 4 dB quieter.
    const l0 = toneAmp(span(outs[0]), 3000, RATE);
    const l2 = toneAmp(span(outs[2]), 3000, RATE);
    expect(gainToDb(l2 / l0)).toBeCloseTo(-4, 0);
  });

  it('layer with a focused source generates each flagged event alone and places it', async () => {
    const generator = new ToneGenerator();
    const out = await STRATEGIES.layer.run(runOf({ generator, references: [], settings: settingsOf({ layerSource: 'focused', layerLevelDb: 0 }) }));
    expect(generator.requests.map((r) => [r.prompt, r.seconds])).toEqual([['a whistle', 1]]);
    expect(toneAmp(out.channels[0].subarray(2 * RATE + 400, 3 * RATE - 400), 3000, RATE)).toBeGreaterThan(0.1);
  });

  it('chooses per pack capability and refuses clearly what a pack cannot do', () => {
    const s = settingsOf();
    const full = new ToneGenerator().capabilities;
    const plain = new ToneGenerator({ audioConditioning: false, audioToAudio: false }).capabilities;
    expect(supportedStrategies(full, s)).toEqual(['adapter', 'audio2audio', 'layer']);
    expect(supportedStrategies(plain, s)).toEqual(['layer']);
    expect(defaultStrategy(full)).toBe('adapter');
    expect(defaultStrategy({ audioConditioning: false, audioToAudio: true })).toBe('audio2audio');
    expect(defaultStrategy(plain)).toBe('layer');
    expect(() => strategyFor('audio2audio', plain, s, 'tiny')).toThrow(
      'Generator pack "tiny": this generator pack has no latent encoder (strategy "audio2audio"); choose adapter or layer',
    );
    expect(strategyFor('layer', plain, s, 'tiny').id).toBe('layer');
  });
});
