import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRootPairs } from '../../../main/cli/team';
import { relativeToRoot } from '../../../main/engine/catalog/catalog-index';
import { checkTeamUrl, databaseOf, redactUrl, teamError } from '../../../main/engine/catalog/postgres/connect';
import { checkRelPath } from '../../../main/engine/catalog/types';

/** Portable paths, root mappings and team URLs: the parts of the team library that need no server. */
describe('team library paths and URLs', () => {
  it('stores paths relative to their root with / separators, and refuses one that leaves it', () => {
    expect(relativeToRoot('/mnt/nas/sfx', '/mnt/nas/sfx/doors/Slam 01.wav')).toBe('doors/Slam 01.wav');
    expect(relativeToRoot('/mnt/nas/sfx', '/mnt/nas/music/a.wav')).toBeNull();
    expect(relativeToRoot('/mnt/nas/sfx', '/mnt/nas/sfx')).toBeNull();
    expect(checkRelPath('doors\\Slam.wav')).toBe('doors/Slam.wav');
    for (const bad of ['', '/abs.wav', 'C:/x.wav', 'a/../../b.wav', 'a//b.wav']) {
      expect(() => checkRelPath(bad)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    }
  });

  it('reads NAME=PATH root mappings and names what is wrong with a bad one', () => {
    const usage = (m: string) => new Error(m);
    expect(parseRootPairs(['SFX=/Volumes/sfx', 'MUSIC = /Volumes/music'], '--root-map', usage)).toEqual(
      new Map([
        ['SFX', path.resolve('/Volumes/sfx')],
        ['MUSIC', path.resolve('/Volumes/music')],
      ]),
    );
    expect(() => parseRootPairs(['/Volumes/sfx'], '--root-map', usage)).toThrow(/--root-map takes NAME=PATH \(got "\/Volumes\/sfx"\)/);
    expect(() => parseRootPairs(['SFX='], '--root', usage)).toThrow(/--root takes NAME=PATH/);
    expect(() => parseRootPairs(['A=/x', 'A=/y'], '--root', usage)).toThrow(/names root "A" twice/);
  });

  it('never shows a password, and says what a bad URL lacks', () => {
    expect(redactUrl('postgres://alice:s3cret@db:5432/lib')).toBe('postgres://alice:***@db:5432/lib');
    expect(databaseOf('postgres://alice@db/studio%20lib')).toBe('studio lib');
    expect(() => checkTeamUrl('mysql://db/lib')).toThrow(/must start with postgres:\/\//);
    expect(() => checkTeamUrl('postgres://db:5432')).toThrow(/names no database/);
    const e = teamError(Object.assign(new Error('password authentication failed for user "alice"'), { code: '28P01' }), 'postgres://alice:s3cret@db/lib');
    expect(e.code).toBe('forbidden');
    expect(e.message).not.toContain('s3cret');
    expect(teamError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })).message).toMatch(/took too long.*statement timeout/);
    expect(teamError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).message).toMatch(/offline/);
  });
});
