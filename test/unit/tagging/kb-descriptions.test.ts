import { describe, expect, it } from 'vitest';
import type { FileMeta } from '../../../main/engine/audio/types';
import { descriptiveText, fileDescription } from '../../../main/engine/tagging/kb/descriptions';
import { ucsFxName } from '../../../main/engine/tagging/kb/ucs-name';

const CATIDS = new Set(['doorwood', 'amb', 'dsgnrmbl']);
const isCatId = (id: string) => CATIDS.has(id.toLowerCase());

function meta(over: Partial<FileMeta>): FileMeta {
  return {
    format: { container: 'wav', codec: 'pcm_s16le', sampleRate: 48000, channels: 1, bitsPerSample: 16, frames: 1, duration: 0 },
    bext: null,
    ixml: null,
    info: {},
    cues: [],
    sampler: null,
    warnings: [],
    ...over,
  };
}

const bext = (description: string) =>
  ({ description, originator: '', originatorReference: '', originationDate: '', originationTime: '', timeReference: 0, version: 1, umid: '',
    loudnessValue: null, loudnessRange: null, maxTruePeakLevel: null, maxMomentaryLoudness: null, maxShortTermLoudness: null, codingHistory: '' }) as FileMeta['bext'];

describe('which text describes a file', () => {
  it('skips production data, encoder boilerplate, placeholders and names repeated as titles', () => {
    // Sound Devices and Pro Tools keep scene/take data in the bext description (../shared/corpus).
    expect(descriptiveText('sSPEED=023.976-ND\r\nsTAKE=1\r\nsSCENE=A101\r\nsNOTE=\r\n', 'A101_1')).toBeNull();
    expect(descriptiveText('dUBITS=12311804\r\ndSCENE=A101\r\ndTAKE=4\r\n', 'x')).toBeNull();
    expect(descriptiveText('Processed by SoX', 'x')).toBeNull();
    expect(descriptiveText('Comments', 'x')).toBeNull();
    expect(descriptiveText('  ', 'x')).toBeNull();
    expect(descriptiveText('A1 #2', 'x')).toBeNull();
    expect(descriptiveText('Take 0412', 'Take_0412')).toBeNull();
    expect(descriptiveText(42, 'x')).toBeNull();
    expect(descriptiveText('Heavy wooden door\r\nslams shut', 'x')).toBe('Heavy wooden door slams shut');
    expect(descriptiveText('camera bumb 1', 'soundgrinder_new_camera bumb 1')).toBe('camera bumb 1');
  });

  it('prefers the iXML description, then bext, comments, FXName fields, the UCS name, then titles', () => {
    const full = meta({
      bext: bext('Door slam, bext'),
      ixml: { USER: { DESCRIPTION: 'Door slam, iXML', FXNAME: 'Door Slam' }, ASWG: { fxName: 'Door Slam ASWG' } },
      info: { COMMENT: 'Door slam, comment', TITLE: 'Door title' },
    });
    expect(fileDescription('/l/DOORWood_Slam_JD_LIB.wav', full, isCatId)).toEqual({ caption: 'Door slam, iXML', source: 'ixml-description' });
    const noIxml = meta({ ...full, ixml: null });
    expect(fileDescription('/l/x.wav', noIxml, isCatId)).toEqual({ caption: 'Door slam, bext', source: 'bext' });
    // A field recorder's bext holds production data: the comment describes the sound.
    const recorder = meta({ bext: bext('sSCENE=12\r\nsTAKE=3\r\n'), info: { COMMENT: 'Rain on a tin roof' } });
    expect(fileDescription('/l/x.wav', recorder, isCatId)).toEqual({ caption: 'Rain on a tin roof', source: 'comment' });
    expect(fileDescription('/l/x.wav', meta({ ixml: { ASWG: { fxName: 'Metal Creak' } } }), isCatId)).toEqual({ caption: 'Metal Creak', source: 'fxname' });
    expect(fileDescription('/l/DOORWood-Barn_Heavy Slam_JD_LIB_take2.wav', meta({ info: { TITLE: 'Title' } }), isCatId)).toEqual({
      caption: 'Heavy Slam',
      source: 'ucs-name',
    });
    expect(fileDescription('/l/x.wav', meta({ info: { INAM: 'Crowd cheer' } }), isCatId)).toEqual({ caption: 'Crowd cheer', source: 'title' });
    expect(fileDescription('/l/Take_0412.wav', meta({ info: { INAM: 'Take_0412', COMMENT: 'Processed by SoX' } }), isCatId)).toBeNull();
    expect(fileDescription('/l/Take_0412.wav', null, isCatId)).toBeNull();
  });

  it('reads a UCS name’s FXName only when the first block starts with a known CatID', () => {
    expect(ucsFxName('DSGNRmbl_Sci-Fi Sub Drop_JD_LIB', isCatId)).toBe('Sci Fi Sub Drop');
    expect(ucsFxName('AMB-City_Traffic Night_JD_LIB_01', isCatId)).toBe('Traffic Night');
    expect(ucsFxName('Take_0412_A_B', isCatId)).toBeNull();
    expect(ucsFxName('DOORWood_Slam', isCatId)).toBeNull();
  });
});
