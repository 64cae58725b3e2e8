/**
 * The renderer's pure helpers (no DOM): list windowing and formatting. They live in
 * renderer/src/lib and are bundled by Vite; these checks run in Node.
 */
import { describe, expect, it } from 'vitest';
import { baseName, dirName, fileUrl, formatChannels, formatCodec, formatDepth, formatDuration, formatEta, formatRate, relativeTo } from '../../renderer/src/lib/format';
import { pageSize, scrollToReveal, visibleRange } from '../../renderer/src/lib/virtual';
import { forEachColumn, normalizingGain } from '../../renderer/src/lib/peaks';
import { WAVEFORM_POINTS, WaveformLoader } from '../../renderer/src/lib/waveforms';
import type { Transport } from '../../renderer/src/lib/transport';

describe('list windowing', () => {
  it('renders a bounded window whatever the length of the list', () => {
    for (const count of [10, 1000, 100_000, 1_000_000]) {
      const r = visibleRange(46 * 5000, 600, 46, count, 6);
      expect(r.end - r.start).toBeLessThanOrEqual(Math.ceil(600 / 46) + 1 + 12);
      expect(r.start).toBeGreaterThanOrEqual(0);
      expect(r.end).toBeLessThanOrEqual(count);
    }
  });

  it('covers the rows on screen, clamps at both ends, and handles empty lists', () => {
    expect(visibleRange(0, 460, 46, 100, 0)).toEqual({ start: 0, end: 11 });
    expect(visibleRange(46 * 95, 460, 46, 100, 6)).toEqual({ start: 89, end: 100 });
    expect(visibleRange(-50, 460, 46, 3, 6)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(0, 460, 46, 0)).toEqual({ start: 0, end: 0 });
  });

  it('scrolls only as far as needed to reveal a row', () => {
    expect(scrollToReveal(5, 0, 460, 46)).toBeNull();
    expect(scrollToReveal(20, 0, 460, 46)).toBe(21 * 46 - 460);
    expect(scrollToReveal(2, 46 * 10, 460, 46)).toBe(92);
    expect(pageSize(460, 46)).toBe(9);
  });
});

describe('formatting', () => {
  it('formats paths on both platforms', () => {
    expect(baseName('/a/b/c.wav')).toBe('c.wav');
    expect(baseName('C:\\lib\\x.wav')).toBe('x.wav');
    expect(dirName('/a/b/c.wav')).toBe('/a/b');
    expect(relativeTo('/lib', '/lib/field/rain')).toBe('field/rain');
    expect(relativeTo('/lib', '/library2')).toBe('/library2');
  });

  it('builds file:// URLs that survive spaces, #, % and drive letters', () => {
    expect(fileUrl('/tmp/a b#1%.wav')).toBe('file:///tmp/a%20b%231%25.wav');
    expect(fileUrl('C:\\Sounds\\Door Slam.wav')).toBe('file:///C:/Sounds/Door%20Slam.wav');
    expect(fileUrl('\\\\nas\\sfx\\a b.wav')).toBe('file://nas/sfx/a%20b.wav');
  });

  it('formats audio facts densely', () => {
    expect(formatDuration(2.5)).toBe('0:02.50');
    expect(formatDuration(125.257)).toBe('2:05.26');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatRate(44100)).toBe('44.1k');
    expect(formatRate(48000)).toBe('48k');
    expect(formatRate(22050)).toBe('22.05k');
    expect(formatChannels(1)).toBe('mono');
    expect(formatChannels(6)).toBe('6 ch');
    expect(formatDepth(24, 'pcm_s24le')).toBe('24-bit');
    expect(formatDepth(null, 'vorbis')).toBe('Vorbis');
    expect(formatCodec('pcm_f32le')).toBe('float');
    expect(formatCodec('pcm_s16le')).toBe('PCM');
    expect(formatCodec('FLAC')).toBe('FLAC');
    expect(formatEta(0.4)).toBe('about 1 s');
    expect(formatEta(190)).toBe('3 min 10 s');
    expect(formatEta(null)).toBe('');
  });
});

describe('peak drawing', () => {
  it('lifts the loudest peak to the target, within the gain limit', () => {
    expect(normalizingGain({ min: [-0.2, -0.45], max: [0.3, 0.1] }, 0.9, 6)).toBeCloseTo(2);
    expect(normalizingGain({ min: [-0.01], max: [0.01] }, 0.9, 6)).toBe(6);
    expect(normalizingGain({ min: [0, 0], max: [0, 0] }, 0.9, 6)).toBe(1);
  });

  it('gives every pixel column the extremes of the peaks under it', () => {
    const peaks = { min: [-0.1, -0.5, -0.2, -0.3], max: [0.4, 0.2, 0.9, 0.1] };
    const narrow: [number, number, number][] = [];
    forEachColumn(peaks, 2, (x, lo, hi) => narrow.push([x, lo, hi]));
    expect(narrow).toEqual([
      [0, -0.5, 0.4],
      [1, -0.3, 0.9],
    ]);
    // Wider than the peaks: each column shows the one peak under it.
    const wide: [number, number][] = [];
    forEachColumn(peaks, 8, (_x, lo, hi) => wide.push([lo, hi]));
    expect(wide.map(([, hi]) => hi)).toEqual([0.4, 0.4, 0.2, 0.2, 0.9, 0.9, 0.1, 0.1]);
  });
});

describe('waveform loader', () => {
  function fakeTransport() {
    const calls: { path: string; points: number }[] = [];
    const transport = {
      invoke: async (_channel: string, input: { path: string; points: number }) => {
        calls.push(input);
        return { ok: true, value: { duration: 1, min: new Array(input.points).fill(-0.5), max: new Array(input.points).fill(0.5) } };
      },
    } as unknown as Transport;
    return { transport, calls };
  }

  it('caches peaks by path and width, so thumbnails and the large views share one loader', async () => {
    const { transport, calls } = fakeTransport();
    const loader = new WaveformLoader(transport);
    const signal = new AbortController().signal;
    const thumb = await loader.load('/a.wav', signal);
    const large = await loader.load('/a.wav', signal, 1024);
    expect(thumb?.max).toHaveLength(WAVEFORM_POINTS);
    expect(large?.max).toHaveLength(1024);
    expect(await loader.load('/a.wav', signal, 1024)).toBe(large);
    expect(loader.cached('/a.wav')).toBe(thumb);
    expect(loader.cached('/a.wav', 1024)).toBe(large);
    expect(calls).toEqual([
      { path: '/a.wav', points: WAVEFORM_POINTS },
      { path: '/a.wav', points: 1024 },
    ]);
  });
});
