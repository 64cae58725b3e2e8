/**
 * The renderer's pure helpers (no DOM): list windowing and formatting. They live in
 * renderer/src/lib and are bundled by Vite; these checks run in Node.
 */
import { describe, expect, it } from 'vitest';
import { baseName, dirName, fileUrl, formatChannels, formatCodec, formatDepth, formatDuration, formatEta, formatRate, relativeTo } from '../../renderer/src/lib/format';
import { pageSize, scrollToReveal, visibleRange } from '../../renderer/src/lib/virtual';

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
