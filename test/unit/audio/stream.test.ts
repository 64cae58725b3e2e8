import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createResampler, decodeFile, openMonoStream, resample, toMono } from '../../../main/engine/audio';
import { corpusFiles, hasCorpus } from '../../helpers/corpus';
import { chunk, comm, flacVerbatim, fmt, form, intSignal, pcmBE, pcmLE, riff, ssnd, tempFile, removeTempFiles } from './build';

afterAll(removeTempFiles);

async function collect(blocks: AsyncIterable<Float32Array>): Promise<{ all: Float32Array; sizes: number[] }> {
  const parts: Float32Array[] = [];
  for await (const b of blocks) parts.push(b);
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return { all, sizes: parts.map((p) => p.length) };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Open file descriptors of this process that point at `file` (Linux /proc; null elsewhere). */
function openCount(file: string): number | null {
  try {
    const real = fs.realpathSync(file);
    return fs.readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`) === real;
      } catch {
        return false;
      }
    }).length;
  } catch {
    return null;
  }
}

const stereo = (seconds: number, rate: number, bits = 24, channels = 2) => {
  const n = Math.round(seconds * rate);
  const data = Array.from({ length: channels }, (_, c) => intSignal(n, bits, 31 + c));
  return tempFile(`s${rate}.wav`, riff([fmt({ channels, rate, bits }), chunk('data', pcmLE(data, bits))]));
};
const stereo24 = (seconds: number, rate: number) => stereo(seconds, rate);

describe('openMonoStream', () => {
  it('WAV: blocks equal the one-shot mono resample of the decoded file, in 1-10 s blocks', async () => {
    const file = stereo24(7.3, 44100);
    const timings: Record<string, number> = {};
    const { meta, blocks } = await openMonoStream(file, { targetRate: 48000, timings });
    expect(meta.format).toMatchObject({ sampleRate: 44100, channels: 2, frames: Math.round(7.3 * 44100) });
    const { all, sizes } = await collect(blocks);
    const { audio } = await decodeFile(file);
    const expected = resample(toMono(audio.channels), 44100, 48000);
    expect(all.length).toBe(Math.round((meta.format.frames * 48000) / 44100));
    expect(maxDiff(all, expected)).toBe(0);
    for (const s of sizes.slice(0, -1)) {
      expect(s).toBeGreaterThanOrEqual(48000 * 1 - 1000);
      expect(s).toBeLessThanOrEqual(48000 * 10);
    }
    expect(timings.decode).toBeGreaterThan(0);
    expect(timings.resample).toBeGreaterThan(0);
  });

  for (const [bits, channels] of [
    [8, 2],
    [16, 1],
    [16, 2],
    [24, 2],
    [32, 2],
    [24, 6],
  ]) {
    it(`WAV ${bits}-bit ${channels} ch at the target rate: exactly the average of the decoded channels`, async () => {
      const file = stereo(2.5, 48000, bits, channels);
      const { all } = await collect((await openMonoStream(file, { targetRate: 48000 })).blocks);
      const { audio } = await decodeFile(file);
      expect(maxDiff(all, toMono(audio.channels))).toBe(0);
      expect(all.length).toBe(audio.channels[0].length);
    });
  }

  it('AIFF and FLAC stream the same samples as decodeFile', async () => {
    const n = 30000;
    const a = intSignal(n, 16, 33);
    const aiff = tempFile('x.aiff', form('AIFF', [comm(1, n, 16, 22050), ssnd(pcmBE([a], 16))]));
    const flac = tempFile('x.flac', flacVerbatim([a, a], 22050, 16));
    for (const file of [aiff, flac]) {
      const { meta, blocks } = await openMonoStream(file, { targetRate: 16000 });
      const { all } = await collect(blocks);
      const { audio } = await decodeFile(file);
      expect(meta.format.frames).toBe(n);
      expect(all.length).toBe(Math.round((n * 16000) / 22050));
      expect(maxDiff(all, resample(toMono(audio.channels), 22050, 16000))).toBeLessThan(1e-6);
    }
  });

  it('FLAC at the target rate: exactly the average of the decoded channels (rescaling fused into the mixdown)', async () => {
    for (const [bits, channels] of [
      [16, 1],
      [16, 2],
      [24, 2],
      [24, 3],
      [8, 2],
    ]) {
      const data = Array.from({ length: channels }, (_, c) => intSignal(30011, bits, 50 + c));
      const file = tempFile(`m${bits}x${channels}.flac`, flacVerbatim(data, 48000, bits));
      const { all } = await collect((await openMonoStream(file, { targetRate: 48000 })).blocks);
      const { audio } = await decodeFile(file);
      expect(all.length).toBe(30011);
      expect(maxDiff(all, toMono(audio.channels)), `${bits}-bit ${channels} ch`).toBe(0);
      // And resampled: exactly the one-shot resample of that mono.
      const r = (await collect((await openMonoStream(file, { targetRate: 44100, passbandHz: 14000 })).blocks)).all;
      expect(maxDiff(r, resample(toMono(audio.channels), 48000, 44100, { passbandHz: 14000 }))).toBe(0);
    }
  });

  it('a stream that is never iterated holds no file open; one left early closes its file', async () => {
    const file = stereo24(5, 48000);
    const before = openCount(file);
    if (before === null) return; // no /proc: nothing to observe
    await openMonoStream(file, { targetRate: 16000 });
    expect(openCount(file)).toBe(0);
    const { blocks } = await openMonoStream(file, { targetRate: 16000 });
    for await (const b of blocks) {
      expect(b.length).toBeGreaterThan(0);
      expect(openCount(file)).toBe(1);
      break;
    }
    expect(openCount(file)).toBe(0);
  });

  it('stops with an AbortError when the signal fires between blocks', async () => {
    const file = stereo24(6, 48000);
    const ctl = new AbortController();
    const { blocks } = await openMonoStream(file, { targetRate: 16000, signal: ctl.signal });
    let n = 0;
    await expect(
      (async () => {
        for await (const _ of blocks) {
          if (++n === 1) ctl.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(n).toBe(1);
    await expect(openMonoStream(file, { targetRate: 16000, signal: ctl.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('passbandHz: the analysis resampler, exactly the one-shot analysis resample of the decoded mono', async () => {
    const aiff = (() => {
      const n = 3 * 44100 + 17;
      const a = intSignal(n, 16, 41);
      const b = intSignal(n, 16, 42);
      return tempFile('a.aiff', form('AIFF', [comm(2, n, 16, 44100), ssnd(pcmBE([a, b], 16))]));
    })();
    for (const file of [stereo(5.3, 44100, 16), stereo(4.1, 96000, 24, 1), stereo(2.2, 32000, 24, 3), aiff]) {
      const { audio } = await decodeFile(file);
      const mono = toMono(audio.channels);
      const timings: Record<string, number> = {};
      const { all } = await collect((await openMonoStream(file, { targetRate: 48000, passbandHz: 14000, timings })).blocks);
      expect(maxDiff(all, resample(mono, audio.sampleRate, 48000, { passbandHz: 14000 })), file).toBe(0);
      expect(timings.decode).toBeGreaterThan(0);
      expect(timings.resample).toBeGreaterThan(0);
      // The default is still the strict resampler, and the two differ (above the passband).
      const strict = (await collect((await openMonoStream(file, { targetRate: 48000 })).blocks)).all;
      expect(maxDiff(strict, resample(mono, audio.sampleRate, 48000))).toBe(0);
      expect(maxDiff(strict, all)).toBeGreaterThan(1e-4);
    }
    // Equal rates: the option changes nothing.
    const same = stereo(2.5, 48000);
    const { audio } = await decodeFile(same);
    expect(maxDiff((await collect((await openMonoStream(same, { targetRate: 48000, passbandHz: 14000 })).blocks)).all, toMono(audio.channels))).toBe(0);
  });

  it('rejects a bad passbandHz before touching the file', async () => {
    for (const bad of [0, -5, Number.NaN]) {
      await expect(openMonoStream('/nonexistent/file.wav', { targetRate: 48000, passbandHz: bad })).rejects.toBeInstanceOf(RangeError);
    }
  });

  it('concurrent streams share no buffers or resamplers: interleaved, each gives its own exact result', async () => {
    const files = [stereo(5.5, 44100, 16), stereo(4.5, 44100, 24), stereo(3.3, 96000, 24, 1), stereo(6.1, 48000, 24)];
    const expected = await Promise.all(
      files.map(async (f) => {
        const { audio } = await decodeFile(f);
        return resample(toMono(audio.channels), audio.sampleRate, 48000, { passbandHz: 14000 });
      }),
    );
    for (let round = 0; round < 2; round++) {
      const its = await Promise.all(files.map(async (f) => (await openMonoStream(f, { targetRate: 48000, passbandHz: 14000 })).blocks[Symbol.asyncIterator]()));
      const parts: Float32Array[][] = files.map(() => []);
      let live = files.length;
      while (live) {
        live = 0;
        // One step of every stream in turn, so each holds its buffers and resampler while the others run.
        const steps = await Promise.all(its.map((it) => it.next()));
        steps.forEach((s, i) => {
          if (!s.done) {
            parts[i].push(s.value);
            live++;
          }
        });
      }
      parts.forEach((p, i) => {
        const all = Float32Array.from(p.flatMap((b) => Array.from(b)));
        expect(all.length).toBe(expected[i].length);
        expect(maxDiff(all, expected[i]), files[i]).toBe(0);
      });
    }
  });

  it('a stream left early leaves nothing behind: the next stream of the same rates is exact', async () => {
    const file = stereo(7, 44100, 16);
    const { audio } = await decodeFile(file);
    const expected = resample(toMono(audio.channels), 44100, 48000);
    for (let i = 0; i < 3; i++) {
      const { blocks } = await openMonoStream(file, { targetRate: 48000 });
      for await (const b of blocks) {
        expect(b.length).toBeGreaterThan(0);
        break;
      }
      expect(maxDiff((await collect((await openMonoStream(file, { targetRate: 48000 })).blocks)).all, expected)).toBe(0);
    }
  });

  it('every block yielded is the consumer\'s own: kept blocks are never overwritten by later ones', async () => {
    for (const [file, rate] of [
      [stereo(9, 44100, 16), 48000],
      [stereo(9, 48000), 48000],
      [tempFile('k.flac', flacVerbatim([intSignal(48000 * 9, 16, 5)], 48000, 16)), 44100],
    ] as [string, number][]) {
      const { blocks } = await openMonoStream(file, { targetRate: rate });
      const kept: Float32Array[] = [];
      const copies: Float32Array[] = [];
      for await (const b of blocks) {
        kept.push(b);
        copies.push(b.slice());
      }
      expect(kept.length).toBeGreaterThan(2);
      kept.forEach((b, i) => expect(maxDiff(b, copies[i])).toBe(0));
      // Blocks that share memory do not overlap.
      for (let i = 0; i < kept.length; i++) {
        for (let j = i + 1; j < kept.length; j++) {
          if (kept[i].buffer !== kept[j].buffer) continue;
          const [a, b] = [kept[i], kept[j]];
          expect(a.byteOffset + a.byteLength <= b.byteOffset || b.byteOffset + b.byteLength <= a.byteOffset).toBe(true);
        }
      }
    }
  });

  it('a WAV cut short after it was opened fails with corrupt_file, with the next read already in flight', async () => {
    const file = stereo(9, 48000);
    const { blocks } = await openMonoStream(file, { targetRate: 44100 });
    fs.truncateSync(file, 48000 * 6 * 3);
    let n = 0;
    await expect(
      (async () => {
        for await (const _ of blocks) n++;
      })(),
    ).rejects.toMatchObject({ code: 'corrupt_file', message: expect.stringMatching(/cut short/) });
    expect(n).toBe(1);
    expect(openCount(file) ?? 0).toBe(0);
  });

  it('a streaming resampler matches for the stream path too (sanity of block boundaries)', () => {
    const r = createResampler(96000, 48000);
    const x = new Float32Array(96000 * 3).map((_, i) => Math.sin(i / 7));
    const parts = [r.process(x.subarray(0, 96000 * 2)), r.process(x.subarray(96000 * 2)), r.flush()];
    const whole = resample(x, 96000, 48000);
    expect(parts.reduce((n, p) => n + p.length, 0)).toBe(whole.length);
    expect(maxDiff(Float32Array.from(parts.flatMap((p) => Array.from(p))), whole)).toBe(0);
  });
});

describe.skipIf(!hasCorpus)('lengthAfterStream (the index job: Ogg and MP3 stream as they decode)', () => {
  it('a real Ogg recording gives the same blocks, and the same final length once consumed, as the decode-first stream', async () => {
    const ogg = corpusFiles().find((f) => f.endsWith('.ogg'))!;
    const eager = await openMonoStream(ogg, { targetRate: 48000 });
    const eagerFrames = eager.meta.format.frames;
    const eagerSamples = await collect(eager.blocks);
    const lazy = await openMonoStream(ogg, { targetRate: 48000, lengthAfterStream: true });
    const lazySamples = await collect(lazy.blocks);
    expect(lazy.meta.format.frames).toBe(eagerFrames);
    expect(lazy.meta.format.duration).toBeCloseTo(eager.meta.format.duration, 9);
    expect(lazySamples.all.length).toBe(eagerSamples.all.length);
    expect(maxDiff(lazySamples.all, eagerSamples.all)).toBe(0);
  });
});
