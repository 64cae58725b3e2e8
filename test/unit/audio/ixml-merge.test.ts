import { describe, expect, it } from 'vitest';
import { parseIxml } from '../../../main/engine/audio/ixml';
import { mergeIxml, newIxml, type IxmlEdit } from '../../../main/engine/audio/ixml-merge';

const EDIT: IxmlEdit = {
  USER: [
    ['DESCRIPTION', 'Rain on a tin roof & <wind>'],
    ['CATID', 'RAINMetl'],
  ],
  ASWG: [['catId', 'RAINMetl']],
};
const parse = (s: string) => parseIxml(Buffer.from(s, 'utf8'));

describe('mergeIxml', () => {
  it('replaces fields in place, adds missing ones at the end of their block, and keeps every other character', () => {
    const xml = `<?xml version="1.0"?>\n<BWFXML>\n  <SCENE>12</SCENE>\n  <!-- a <USER> in a comment -->\n  <USER>\n    <DESCRIPTION>old</DESCRIPTION>\n    <EMBEDDER attr="a>b">Soundminer</EMBEDDER>\n  </USER>\n  <TRACK_LIST><TRACK><NAME>Boom</NAME></TRACK></TRACK_LIST>\n</BWFXML>\n`;
    const out = mergeIxml(xml, EDIT);
    expect(out).toBe(
      `<?xml version="1.0"?>\n<BWFXML>\n  <SCENE>12</SCENE>\n  <!-- a <USER> in a comment -->\n  <USER>\n    <DESCRIPTION>Rain on a tin roof &amp; &lt;wind&gt;</DESCRIPTION>\n    <EMBEDDER attr="a>b">Soundminer</EMBEDDER>\n    <CATID>RAINMetl</CATID>\n  </USER>\n  <TRACK_LIST><TRACK><NAME>Boom</NAME></TRACK></TRACK_LIST>\n  <ASWG>\n    <catId>RAINMetl</catId>\n  </ASWG>\n</BWFXML>\n`,
    );
    expect(parse(out)).toMatchObject({ SCENE: '12', USER: { DESCRIPTION: 'Rain on a tin roof & <wind>', CATID: 'RAINMetl', EMBEDDER: 'Soundminer' }, TRACK_LIST: { TRACK: { NAME: 'Boom' } } });
  });

  it('drops later duplicates of an edited field so it reads back as one value, and fills self-closing elements', () => {
    const xml = `<BWFXML><USER><CATID>A</CATID><CATID>B</CATID><DESCRIPTION/></USER><ASWG/></BWFXML>`;
    const out = mergeIxml(xml, EDIT);
    expect(parse(out)).toMatchObject({ USER: { CATID: 'RAINMetl', DESCRIPTION: 'Rain on a tin roof & <wind>' }, ASWG: { catId: 'RAINMetl' } });
  });

  it('refuses text that is not well-formed rather than guessing', () => {
    expect(() => mergeIxml('<BWFXML><USER><CATID>x</USER></BWFXML>', EDIT)).toThrow(/not well-formed/);
    expect(() => mergeIxml('<BWFXML><SCENE>1</SCENE>', EDIT)).toThrow(/never closed/);
    expect(() => mergeIxml('<A></A><B></B>', EDIT)).toThrow(/more than one root/);
  });

  it('an empty chunk becomes a new document', () => {
    expect(mergeIxml('  ', EDIT)).toBe(newIxml(EDIT));
    expect(parse(newIxml(EDIT))).toMatchObject({ IXML_VERSION: '2.10', USER: { CATID: 'RAINMetl' }, ASWG: { catId: 'RAINMetl' } });
  });

  it('walks documents nested far deeper than a recursive parser could go, keeping them whole', () => {
    const depth = 100_000;
    const deep = `${'<N>'.repeat(depth)}x${'</N>'.repeat(depth)}`;
    const xml = `<BWFXML><HISTORY>${deep}</HISTORY><USER></USER></BWFXML>`;
    const out = mergeIxml(xml, EDIT);
    expect(out.startsWith(`<BWFXML><HISTORY>${deep}</HISTORY><USER>`)).toBe(true);
    expect(out).toContain('<CATID>RAINMetl</CATID>');
  });
});
