/**
 * The tagging screen's draft rule (renderer/src/lib/tag-draft.ts, pure, runs in Node): which of
 * the artist's edits count as a change to save with `tagging.set`, and which leave the suggestion
 * to be accepted as it is.
 */
import { describe, expect, it } from 'vitest';
import { changedFields } from '../../renderer/src/lib/tag-draft';

const row = { caption: 'designed drone', catId: 'DSGNDron', keywords: ['drone', 'hum'] };

describe('tag drafts', () => {
  it('finds no change without a draft, or with one that repeats the tag', () => {
    expect(changedFields(row, undefined)).toEqual({});
    expect(changedFields(row, { caption: '  designed drone ', catId: 'dsgndron', keywords: ['drone', 'hum'] })).toEqual({});
  });

  it('sends only the fields that differ, the caption trimmed', () => {
    expect(changedFields(row, { caption: ' low drone ', catId: 'DSGNDron' })).toEqual({ caption: 'low drone' });
    expect(changedFields(row, { catId: 'ELECBuzz', keywords: ['drone', 'hum'] })).toEqual({ catId: 'ELECBuzz' });
    expect(changedFields(row, { keywords: ['hum', 'drone'] })).toEqual({ keywords: ['hum', 'drone'] });
    expect(changedFields(row, { keywords: [] })).toEqual({ keywords: [] });
  });

  it('never sends an emptied caption or CatID (the engine refuses an empty caption)', () => {
    expect(changedFields(row, { caption: '   ', catId: '' })).toEqual({});
  });

  it('treats anything typed for an untagged file as a change', () => {
    const untagged = { caption: null, catId: null, keywords: [] };
    expect(changedFields(untagged, { caption: 'metal door slam', catId: 'DOORMetl' })).toEqual({ caption: 'metal door slam', catId: 'DOORMetl' });
  });
});
