import { describe, expect, it } from 'vitest';
import {
  MAX_BASENAME,
  numberedName,
  plainFileName,
  sanitizeFxName,
  ucsFileName,
  variationFxName,
} from '../../../main/engine/ucs/naming';
import { editDistance, loadUcsCatalogue } from '../../../main/engine/ucs/catalogue';

describe('UCS catalogue', () => {
  it('loads the shipped UCS 8.2.1 list with unique CatIDs', async () => {
    const c = await loadUcsCatalogue();
    expect(c.version).toBe('8.2.1');
    expect(c.categories).toHaveLength(752);
    expect(new Set(c.categories.map((x) => x.catId.toLowerCase())).size).toBe(752);
    expect(c.lookup('DOORWood')).toMatchObject({ catId: 'DOORWood', category: 'DOORS', subCategory: 'WOOD' });
    expect(c.lookup('AIRBrst')).toMatchObject({ category: 'AIR', subCategory: 'BURST', catShort: 'AIR' });
    expect(c.lookup('AIRBrst')!.synonyms).toContain('airgun');
  });

  it('matches CatIDs case-insensitively and answers the canonical casing', async () => {
    const c = await loadUcsCatalogue();
    expect(c.require(' doorwood ').catId).toBe('DOORWood');
    expect(c.lookup('DOORWOOD')?.catId).toBe('DOORWood');
  });

  it('refuses an unknown CatID in one line naming the closest ones', async () => {
    const c = await loadUcsCatalogue();
    let message = '';
    try {
      c.require('DOORWod');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^Unknown UCS CatID "DOORWod"; close matches: DOORWood \(DOORS \/ WOOD\)/);
    expect(c.closeMatches('DOORWod', 5).length).toBeLessThanOrEqual(5);
  });

  it('finds categories from words typed instead of an ID', async () => {
    const c = await loadUcsCatalogue();
    const ids = c.closeMatches('door wood', 5).map((x) => x.catId);
    expect(ids).toContain('DOORWood');
    expect(c.closeMatches('qqqqqqqqqqqqqq', 5)).toEqual([]);
  });

  it('edit distance counts transpositions once', () => {
    expect(editDistance('abcd', 'abdc')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('UCS file names', () => {
  it('builds CatID(-UserCategory)_(VendorCategory-)FXName_CreatorID_SourceID(_UserData)', () => {
    expect(ucsFileName({ catId: 'DOORWood', fxName: 'Front Door Open', creatorId: 'JD', sourceId: 'HARB' }, 25)).toBe(
      'DOORWood_Front Door Open_JD_HARB',
    );
    expect(
      ucsFileName(
        { catId: 'DOORWood', userCategory: 'Creaky', vendorCategory: 'Castle', fxName: 'Gate', creatorId: 'JD', sourceId: 'HARB', userData: 'take 3' },
        25,
      ),
    ).toBe('DOORWood-Creaky_Castle-Gate_JD_HARB_take 3');
  });

  it('never lets a part move a block boundary or break a path', () => {
    const name = ucsFileName(
      { catId: 'DOOR_Wood', userCategory: 'my-cat_x', vendorCategory: 'Ven-dor', fxName: 'Slam_Hard: <loud>/"really"?', creatorId: 'J_D', sourceId: 'SRC-1', userData: 'a_b' },
      40,
    );
    expect(name).toBe('DOORWood-my cat x_Ven dor-Slam Hard loud really_J D_SRC 1_a b');
    expect(name).not.toMatch(/[<>:"/\\|?*\u0000-\u001f]/);
    // Four '_' separators: five blocks, whatever the parts held.
    expect(name.split('_')).toHaveLength(5);
  });

  it('fills missing CreatorID and SourceID with NONE and never ends in a dot or space', () => {
    expect(ucsFileName({ catId: 'AIRHiss', fxName: 'Leak...', creatorId: '', sourceId: '  ' }, 25)).toBe('AIRHiss_Leak_NONE_NONE');
    expect(plainFileName('Boom. ')).toBe('Boom');
    expect(plainFileName('???')).toBe('Untitled');
  });

  it('limits FXName length at a word boundary where one is near', () => {
    expect(sanitizeFxName('Heavy wooden door slam with long reverb tail', 25)).toBe('Heavy wooden door slam');
    expect(sanitizeFxName('Supercalifragilisticexpialidocious', 10)).toBe('Supercalif');
    const long = ucsFileName({ catId: 'DOORWood', fxName: 'x'.repeat(500), creatorId: 'c'.repeat(300), sourceId: 's' }, 100);
    expect(long.length).toBeLessThanOrEqual(MAX_BASENAME);
  });

  it('numbers keep-both names in UCS free text and variations after the FXName', () => {
    expect(numberedName('DOORWood_Slam_JD_HARB', 2, false)).toBe('DOORWood_Slam_JD_HARB_2');
    expect(numberedName('DOORWood_Slam_JD_HARB_take', 3, true)).toBe('DOORWood_Slam_JD_HARB_take-3');
    expect(variationFxName('Door Slam', 1, 25)).toBe('Door Slam 01');
    expect(variationFxName('A very long name for a door', 12, 25)).toBe('A very long name for 12');
  });
});
