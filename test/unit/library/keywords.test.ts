import { describe, expect, it } from 'vitest';
import { ftsDocument, ftsQuery, splitWords } from '../../../main/engine/library/keywords';
import type { FileMeta } from '../../../main/engine/audio/types';

describe('keywords', () => {
  it('splits file names into words', () => {
    expect(splitWords('DoorSlam_Heavy-02.final')).toBe('Door Slam Heavy 02 final');
    expect(splitWords('WIND_howl3')).toBe('WIND howl 3');
  });

  it('builds a quoted OR query with the last word as a prefix, or null for no words', () => {
    expect(ftsQuery('heavy wooden door')).toBe('"heavy" OR "wooden" OR "door"*');
    expect(ftsQuery('door "slam" AND -x')).toBe('"door" OR "slam" OR "and" OR "x"*');
    expect(ftsQuery('  ...  ')).toBeNull();
  });

  it('puts names, folders, descriptions and other metadata in their columns', () => {
    const meta = {
      format: { container: 'wav', codec: 'pcm_s24le', sampleRate: 48000, channels: 2, bitsPerSample: 24, frames: 1, duration: 1 },
      bext: {
        description: 'Oak door slammed hard', originator: 'Sound Devices', originatorReference: 'REF1',
        originationDate: '', originationTime: '', timeReference: 0, version: 1, umid: '', loudnessValue: null,
        loudnessRange: null, maxTruePeakLevel: null, maxMomentaryLoudness: null, maxShortTermLoudness: null, codingHistory: '',
      },
      ixml: { PROJECT: 'Harbour', TRACK_LIST: { TRACK: [{ NAME: 'boom mic' }] } },
      info: { ICMT: 'recorded at dusk', ISFT: 'Wavelab' },
      cues: [{ id: 1, position: 0, label: 'impact' }],
      sampler: null,
      warnings: [],
    } satisfies FileMeta;
    const doc = ftsDocument('/lib/Foley/DoorsWood/DoorSlam_01.wav', '/lib', meta);
    expect(doc.name).toContain('Door Slam 01');
    expect(doc.folder).toContain('Doors Wood');
    expect(doc.description).toContain('Oak door slammed hard');
    expect(doc.description).toContain('recorded at dusk');
    expect(doc.metadata).toContain('Harbour');
    expect(doc.metadata).toContain('boom mic');
    expect(doc.metadata).toContain('impact');
    expect(doc.metadata).toContain('Wavelab');
  });
});
