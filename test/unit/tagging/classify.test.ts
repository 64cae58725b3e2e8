import { describe, expect, it } from 'vitest';
import { UcsClassifier } from '../../../main/engine/tagging/classify';
import { categoryPrompts } from '../../../main/engine/tagging/classify-prompts';
import { evidenceWords, fileWords, UcsWordIndex } from '../../../main/engine/tagging/classify-words';
import { catalogueFrom } from '../../../main/engine/ucs/catalogue';
import { carriedCatId, ucsNameCatId } from '../../../main/engine/ucs/carried';
import type { FileMeta } from '../../../main/engine/audio/types';

const ucs = catalogueFrom([
  { Category: 'WEATHER', SubCategory: 'THUNDER', CatID: 'THUN', CatShort: 'WTHR', Explanations: 'Thunder and lightning.', Synonyms: ['boom', 'storm'] },
  { Category: 'BEEPS', SubCategory: 'GENERAL', CatID: 'BEEP', CatShort: 'BEEP', Explanations: 'Beep sounds.', Synonyms: ['bleep', 'storm'] },
  { Category: 'WATER', SubCategory: 'STEAM', CatID: 'WATRStm', CatShort: 'WATR', Explanations: 'Hot wet steam.', Synonyms: ['hiss', 'storm'] },
]);

/** Class vectors: unit axes 0, 1, 2 of a 4-d space. */
const classes = { matrix: new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]), dim: 4, space: 'test' };
const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / n));
};

describe('UCS classifier', () => {
  it('ranks by the best window, gives three alternatives with softmax confidences, and sharpens with a lower temperature', () => {
    const c = new UcsClassifier(ucs, classes, new UcsWordIndex(ucs), { temperature: 0.1, wordWeight: 2 });
    // A first window mostly thunder, a second mostly steam: steam's best window is better.
    const r = c.classify([unit(0.8, 0.1, 0.3, 0), unit(0.1, 0, 0.95, 0.1)], [])!;
    expect(r.top.map((t) => t.catId)).toEqual(['WATRStm', 'THUN', 'BEEP']);
    expect(r.top[0].audio).toBeCloseTo(unit(0.1, 0, 0.95, 0.1)[2], 5);
    const sum = r.top.reduce((s, t) => s + t.confidence, 0);
    expect(sum).toBeCloseTo(1, 6);
    const sharp = new UcsClassifier(ucs, classes, new UcsWordIndex(ucs), { temperature: 0.02, wordWeight: 2 }).classify([unit(0.8, 0.1, 0.3, 0), unit(0.1, 0, 0.95, 0.1)], [])!;
    expect(sharp.top[0].confidence).toBeGreaterThan(r.top[0].confidence);
  });

  it('adds file-word evidence, counting a word that names several CatIDs less', () => {
    const c = new UcsClassifier(ucs, classes, new UcsWordIndex(ucs), { temperature: 0.1, wordWeight: 2 });
    const flat = [unit(1, 1, 1, 0)];
    const byName = c.classify(flat, evidenceWords('Thunder_Far_03'))!;
    expect(byName.top[0]).toMatchObject({ catId: 'THUN', words: ['thunder'] });
    // "storm" names all three: it moves nothing.
    const shared = c.classify(flat, evidenceWords('storm'))!;
    expect(shared.top[0].confidence).toBeCloseTo(1 / 3, 6);
    // Without audio the words alone classify; with neither, nothing does.
    expect(c.classify(null, evidenceWords('beeps'))!.top[0].catId).toBe('BEEP');
    expect(c.classify(null, evidenceWords('Take_0412'))).toBeNull();
  });

  it('fits the temperature by maximum likelihood on labelled files, and keeps the default with too few', () => {
    const c = new UcsClassifier(ucs, classes, new UcsWordIndex(ucs), { temperature: 0.5, wordWeight: 2 });
    // Labelled files whose own class is clearly the best: a sharp softmax is likelier.
    const labelled = Array.from({ length: 30 }, (_, i) => ({ windows: [unit(i % 3 === 0 ? 1 : 0.2, i % 3 === 1 ? 1 : 0.2, i % 3 === 2 ? 1 : 0.2, 0)], catId: ['THUN', 'BEEP', 'WATRStm'][i % 3] }));
    expect(c.fitTemperature(labelled.slice(0, 5), 20)).toBe(0.5);
    const t = c.fitTemperature(labelled, 20);
    expect(t).toBeLessThan(0.5);
    expect(c.currentTemperature).toBe(t);
    // Labels that contradict the audio half the time call for a softer softmax than clean ones.
    const noisy = labelled.map((l, i) => (i % 2 ? { ...l, catId: 'THUN' } : l));
    const soft = new UcsClassifier(ucs, classes, new UcsWordIndex(ucs), { temperature: 0.5, wordWeight: 2 }).fitTemperature(noisy, 20);
    expect(soft).toBeGreaterThan(t);
  });

  it('builds a prompt ensemble from the name, the explanation and the synonyms', () => {
    const thun = ucs.lookup('THUN')!;
    expect(categoryPrompts(thun, 6)).toEqual([
      'the sound of weather thunder',
      'thunder sound effect, weather',
      'Thunder and lightning.',
      'sounds like boom, storm',
    ]);
    expect(categoryPrompts(ucs.lookup('BEEP')!, 2)).toEqual(['the sound of beeps', 'general sound effect, beeps']);
  });

  it('reads a CatID the file carries from iXML, ASWG or a UCS file name, and only a known one', () => {
    expect(ucsNameCatId('THUN_Distant Roll_JD_LIB', ucs)).toBe('THUN');
    expect(ucsNameCatId('Take_0412_A_B', ucs)).toBeNull();
    expect(ucsNameCatId('THUN_short', ucs)).toBeNull();
    const meta = (ixml: Record<string, unknown>) => ({ ixml }) as unknown as FileMeta;
    expect(carriedCatId('/l/Take_01.wav', meta({ USER: { CATID: 'watrstm' } }), ucs)).toEqual({ catId: 'WATRStm', from: 'ixml' });
    expect(carriedCatId('/l/Take_01.wav', meta({ ASWG: { catId: 'BEEP' } }), ucs)).toEqual({ catId: 'BEEP', from: 'aswg' });
    expect(carriedCatId('/l/Take_01.wav', meta({ USER: { CATID: 'NOPE' } }), ucs)).toBeNull();
    expect(carriedCatId('/l/THUN_Roll_JD_LIB.wav', null, ucs)).toEqual({ catId: 'THUN', from: 'ucs-name' });
  });

  it('takes file words from the name, the folders below the library folder and metadata, not the library folder itself', () => {
    const meta = { ixml: { NOTE: 'steam leak' }, info: { IART: 'Jane' } } as unknown as FileMeta;
    expect(fileWords('/lib/thunder/Take_0412.wav', '/lib', meta)).toEqual(['thunder', 'steam', 'leak', 'jane']);
    expect(fileWords('/lib/Take_0412.wav', '/lib', null)).toEqual([]);
  });
});
