import { describe, expect, it } from 'vitest';
import { countOf, isAmbient, typicalSeconds } from '../../../main/engine/loop/decompose-lexicon';
import { splitClauses } from '../../../main/engine/loop/decompose-split';
import { RuleBasedDecomposer } from '../../../main/engine/loop/decompose';
import { isLivingSubject, isSoundNoun, isVerbComplement } from '../../../main/engine/loop/decompose-sound-nouns';
import { CuebankError } from '../../../main/engine/errors';

const d = new RuleBasedDecomposer();
const plan = (prompt: string, duration = 10) => d.decompose(prompt, { duration });
/** [text, start, end, relation, count] per event, for compact assertions. */
const rows = (prompt: string, duration = 10) => plan(prompt, duration).events.map((e) => [e.text, e.start, e.end, e.relation, e.count]);

describe('rule-based decomposition: the issue example', () => {
  it('door creak 0–2 s, door slam from 2 s (subject carried), rain throughout', () => {
    const p = plan('a wooden door creaks open, then slams shut, while rain falls outside');
    expect(p.prompt).toBe('a wooden door creaks open, then slams shut, while rain falls outside');
    expect(p.duration).toBe(10);
    expect(p.events.map((e) => e.id)).toEqual(['e0', 'e1', 'e2']);
    expect(rows('a wooden door creaks open, then slams shut, while rain falls outside')).toEqual([
      ['a wooden door creaks open', 0, 2, 'start', 1],
      ['a wooden door slams shut', 2, 10, 'sequence', 1],
      ['rain falls outside', 0, 10, 'overlap', 1],
    ]);
  });

  it('the same scene with the bed first', () => {
    expect(rows('While rain falls, a door creaks open and then slams shut')).toEqual([
      ['rain falls', 0, 10, 'start', 1],
      ['a door creaks open', 0, 2, 'overlap', 1],
      ['a door slams shut', 2, 10, 'sequence', 1],
    ]);
  });
});

describe('sequence', () => {
  it.each([
    ['then', 'a dog barks then a cat meows'],
    ['and then', 'a dog barks and then a cat meows'],
    ['followed by', 'a dog barks, followed by a cat meows'],
    ['after that', 'a dog barks; after that a cat meows'],
    ['afterwards', 'a dog barks, afterwards a cat meows'],
    ['X before Y', 'a dog barks before a cat meows'],
  ])('"%s" keeps the order', (_, prompt) => {
    const [a, b] = plan(prompt).events;
    expect(a.text).toBe('a dog barks');
    expect(b.text).toBe('a cat meows');
    expect(b.relation).toBe('sequence');
    expect(a.end).toBeCloseTo(b.start, 9);
    expect(a.start).toBe(0);
    expect(b.end).toBe(10);
  });

  it('"X after Y" puts Y first', () => {
    expect(rows('a dog barks after a car door slams')).toEqual([
      ['a car door slams', 0, 1, 'start', 1],
      ['a dog barks', 1, 10, 'sequence', 1],
    ]);
  });

  it('a leading "After Y, X" keeps Y first; a leading "Before Y, X" puts X first', () => {
    expect(rows('After the explosion, debris falls').map((r) => r[0])).toEqual(['the explosion', 'debris falls']);
    expect(rows('Before the glass shatters, a man screams')).toEqual([
      ['a man screams', 0, 1.5, 'start', 1],
      ['the glass shatters', 1.5, 10, 'sequence', 1],
    ]);
  });

  it('each turn takes its typical length; the last runs to the end of the take', () => {
    const [gun, scream, steps] = plan('a gunshot, then a scream, then footsteps').events;
    expect([gun.start, gun.end]).toEqual([0, 0.6]);
    expect([scream.start, scream.end]).toEqual([0.6, 2.1]);
    expect([steps.start, steps.end]).toEqual([2.1, 10]);
  });

  it('turns that do not fit are squeezed proportionally and keep their order', () => {
    // creak 2 + slam 1 + explosion 2.5 = 5.5 s into 2.75 s: every turn halves.
    const e = plan('a door creaks, then slams, then an explosion', 2.75).events;
    expect(e.map((x) => [x.start, x.end])).toEqual([
      [0, 1],
      [1, 1.5],
      [1.5, 2.75],
    ]);
    for (let i = 1; i < e.length; i++) expect(e[i].start).toBeGreaterThanOrEqual(e[i - 1].start);
  });

  it('commas, semicolons and a plain "and" list events in turn', () => {
    expect(rows('a dog barks, a cat meows; a bird sings and a horn honks').map((r) => [r[0], r[3]])).toEqual([
      ['a dog barks', 'start'],
      ['a cat meows', 'sequence'],
      ['a bird sings', 'sequence'],
      ['a horn honks', 'sequence'],
    ]);
  });
});

describe('overlap', () => {
  it.each([
    ['while', 'a man speaks while a car passes'],
    ['whilst', 'a man speaks whilst a car passes'],
    ['as', 'a man speaks as a car passes'],
    ['during', 'a man speaks during a thunderstorm'],
  ])('"%s" at the end of the prompt spans the whole take', (_, prompt) => {
    const [a, b] = plan(prompt).events;
    expect(a.text).toBe('a man speaks');
    expect(b.relation).toBe('overlap');
    expect([b.start, b.end]).toEqual([0, 10]);
  });

  it('"with … in the background" and "throughout" are beds over the whole take, marker removed', () => {
    expect(rows('a man speaks with birds chirping in the background')).toEqual([
      ['a man speaks', 0, 10, 'start', 1],
      ['birds chirping', 0, 10, 'overlap', 1],
    ]);
    expect(rows('three knocks, then a door opens, with wind howling throughout')).toEqual([
      ['three knocks', 0, 1.7, 'start', 3],
      ['a door opens', 1.7, 10, 'sequence', 1],
      ['wind howling', 0, 10, 'overlap', 1],
    ]);
  });

  it('an overlap in the middle shares only the turn it joins', () => {
    expect(rows('a car passes as a dog barks, then a horn honks')).toEqual([
      ['a car passes', 0, 4, 'start', 1],
      ['a dog barks', 0, 4, 'overlap', 1],
      ['a horn honks', 4, 10, 'sequence', 1],
    ]);
  });

  it('"with" that adds a quality, and "as" in a comparison, do not split', () => {
    expect(rows('a door creaks with a high pitch').map((r) => r[0])).toEqual(['a door creaks with a high pitch']);
    expect(rows('a kettle whistles as loud as a train').map((r) => r[0])).toEqual(['a kettle whistles as loud as a train']);
    expect(rows('sounds such as rain').map((r) => r[0])).toEqual(['sounds such as rain']);
  });

  it('an ambient bed in a plain list spans the take; the events around it take turns', () => {
    expect(rows('rain, a door slam and distant thunder')).toEqual([
      ['rain', 0, 10, 'start', 1],
      ['a door slam', 0, 1, 'overlap', 1],
      ['distant thunder', 1, 10, 'sequence', 1],
    ]);
  });

  it('an ambient sound followed by "then" takes its turn like any event', () => {
    expect(rows('rain falls, then a door slams').map((r) => [r[0], r[1], r[2]])).toEqual([
      ['rain falls', 0, 2],
      ['a door slams', 2, 10],
    ]);
  });
});

describe('counts', () => {
  it.each([
    ['three knocks', 3],
    ['three loud knocks on a door', 3],
    ['2 gunshots', 2],
    ['a dog barks twice', 2],
    ['a bell rings thrice', 3],
    ['someone knocks 4 times', 4],
    ['knocks five times', 5],
    ['a couple of claps', 2],
    ['a dog barks', 1],
    ['one gunshot', 1],
  ])('"%s" -> %i', (text, n) => {
    expect(countOf(text)).toBe(n);
  });

  it('a count gets a longer span than one occurrence', () => {
    expect(typicalSeconds('knocks', 3)).toBeGreaterThan(3 * typicalSeconds('knocks', 1));
    const [one] = plan('a knock, then footsteps').events;
    const [three] = plan('three knocks, then footsteps').events;
    expect(three.count).toBe(3);
    expect(one.count).toBe(1);
    expect(three.end - three.start).toBeGreaterThan(3 * (one.end - one.start));
  });
});

describe('subjects', () => {
  it('a clause without a subject borrows the previous one', () => {
    expect(plan('the kettle boils and then whistles').events.map((e) => e.text)).toEqual(['the kettle boils', 'the kettle whistles']);
    expect(plan('a loud bang, then echoes').events.map((e) => e.text)).toEqual(['a loud bang', 'a loud bang echoes']);
    expect(plan('birds chirp loudly, then fly away').events.map((e) => e.text)).toEqual(['birds chirp loudly', 'birds fly away']);
  });

  it('a clause with its own subject keeps it, and plural nouns are not mistaken for verbs', () => {
    expect(plan('a door creaks, then footsteps approach').events.map((e) => e.text)).toEqual(['a door creaks', 'footsteps approach']);
    expect(plan('a door creaks, then a dog barks').events.map((e) => e.text)).toEqual(['a door creaks', 'a dog barks']);
  });
});

describe('sound nouns that are also verbs', () => {
  it('the issue example: "whoosh" after "electrical mains hum, then" is a new event', () => {
    expect(plan('electrical mains hum, then whoosh').events.map((e) => e.text)).toEqual(['electrical mains hum', 'whoosh']);
  });

  it('knows sound nouns from the UCS vocabulary, in any inflection, and not motions', () => {
    for (const w of ['whoosh', 'hum', 'hiss', 'beep', 'rumble', 'whistle', 'crash', 'slam', 'knock', 'buzz', 'creak', 'pop', 'beeps', 'whooshes']) {
      expect(isSoundNoun(w), w).toBe(true);
    }
    for (const w of ['fly', 'open', 'run', 'fall', 'sing', 'table', 'loudly']) expect(isSoundNoun(w), w).toBe(false);
  });

  it('knows living subjects (UCS animals and birds, people) from things', () => {
    for (const s of ['dogs', 'the wolves', 'crows', 'the children', 'horses', 'people']) expect(isLivingSubject(s), s).toBe(true);
    for (const s of ['electrical mains', 'the pipes', 'the monitors', 'servers', 'the bells']) expect(isLivingSubject(s), s).toBe(false);
  });

  it('a verb complement after the word keeps it a verb', () => {
    expect(isVerbComplement('loudly')).toBe(true);
    expect(isVerbComplement('shut')).toBe(true);
    expect(isVerbComplement('of')).toBe(false);
    expect(isVerbComplement(undefined)).toBe(false);
    expect(plan('the gates clank, then slam shut').events.map((e) => e.text)).toEqual(['the gates clank', 'the gates slam shut']);
    expect(plan('the gates clank, then slam').events.map((e) => e.text)).toEqual(['the gates clank', 'slam']);
  });
});

describe('input handling', () => {
  it('one event fills the take', () => {
    expect(rows('a dog barks')).toEqual([['a dog barks', 0, 10, 'start', 1]]);
  });

  it('times scale with the duration', () => {
    expect(rows('a wooden door creaks open, then slams shut, while rain falls outside', 4)).toEqual([
      ['a wooden door creaks open', 0, 2, 'start', 1],
      ['a wooden door slams shut', 2, 4, 'sequence', 1],
      ['rain falls outside', 0, 4, 'overlap', 1],
    ]);
  });

  it('every span lies inside the take', () => {
    for (const p of ['a b c, then d e f while g h', 'three knocks, then two knocks, then 5 knocks, then a bang', 'x and y and z']) {
      for (const e of plan(p, 3).events) {
        expect(e.start).toBeGreaterThanOrEqual(0);
        expect(e.end).toBeLessThanOrEqual(3);
        expect(e.end).toBeGreaterThan(e.start);
      }
    }
  });

  it('rejects an empty prompt and a non-positive duration with clear errors', () => {
    expect(() => plan('  , ; ')).toThrow(CuebankError);
    expect(() => plan(' ,; ')).toThrow(/names no sound/);
    expect(() => d.decompose('a dog barks', { duration: 0 })).toThrow(/positive duration/);
    expect(() => d.decompose('a dog barks', { duration: Number.NaN })).toThrow(/positive duration/);
  });

  it('clauses carry their connectors', () => {
    expect(splitClauses('While rain falls, a door creaks, then slams, followed by three knocks and a bang')).toEqual([
      { text: 'rain falls', connector: 'overlap', background: false },
      { text: 'a door creaks', connector: 'list', background: false },
      { text: 'slams', connector: 'sequence', background: false },
      { text: 'three knocks', connector: 'sequence', background: false },
      { text: 'a bang', connector: 'list', background: false },
    ]);
  });

  it('knows ambient beds from events', () => {
    expect(isAmbient('rain falls')).toBe(true);
    expect(isAmbient('crowd murmur')).toBe(true);
    expect(isAmbient('a door slams')).toBe(false);
    expect(isAmbient('a human voice')).toBe(false);
  });
});
