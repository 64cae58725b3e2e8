/**
 * The CLAP critic's contrast bank: a fixed list of texts that describe sounds (one per UCS 8.2.1
 * subcategory, "electricity buzz & hum", "weather thunder", …), the alternatives a zero-shot CLAP
 * classifier would weigh an event's text against. The critic asks, per reference sound, whether the
 * model describes it as the event (the event's text among the best of these descriptions); such a
 * reference holds the event and is no measure of chance for it. The bank is the same for every
 * user and library.
 */
import { loadUcsCatalogue } from '../../ucs/catalogue';

/** "CATEGORY SUBCATEGORY" of every UCS subcategory, lower case, "misc" dropped; unique. */
export async function ucsContrastTexts(): Promise<string[]> {
  const ucs = await loadUcsCatalogue();
  const texts = ucs.categories.map((c) =>
    `${c.category} ${c.subCategory}`
      .toLowerCase()
      .replace(/\bmisc(ellaneous)?\b/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  return [...new Set(texts)];
}

const dot = (a: Float32Array, b: Float32Array) => {
  let x = 0;
  for (let i = 0; i < a.length; i++) x += a[i] * b[i];
  return x;
};

/** A sound's (or window's) cosine to every text of the bank, computed once and shared by all events. */
export function bankSimilarities(sound: Float32Array, bank: readonly Float32Array[]): Float32Array {
  return Float32Array.from(bank, (c) => dot(sound, c));
}

/**
 * The bank as one event sees it: every contrast text less similar to the event's text than
 * `maxSimilarity` (cosine). A contrast text close to the event's own ("designed rumble" for
 * "low rumble") describes the event, not an alternative to it.
 */
export class EventContrast {
  /** Indices of the bank's texts that are alternatives to the event. */
  readonly kept: number[];

  constructor(eventText: Float32Array, bank: readonly Float32Array[], maxSimilarity: number) {
    this.kept = [];
    bank.forEach((c, i) => {
      if (dot(c, eventText) < maxSimilarity) this.kept.push(i);
    });
  }

  /**
   * How similar a sound is to a typical alternative description: the median of its cosines to the
   * kept texts. Some sounds are close to every text (broadband noise is "a bit of everything" to
   * CLAP); the event's text must stand out from the other descriptions of the same sound, the way
   * a zero-shot classifier compares a sound's scores across labels.
   */
  typical(bankSims: Float32Array): number {
    if (!this.kept.length) return 0;
    const v = this.kept.map((i) => bankSims[i]).sort((a, b) => a - b);
    const m = v.length >> 1;
    return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  }

  /**
   * A sound's score for the event: its cosine to the event's text (`eventSim`) less its typical
   * cosine to the other descriptions, where that is positive. A sound close to every description
   * earns nothing for being close to this one; a sound unlike every description (what is left of a
   * window once the other events are explained away can point away from all of them) earns nothing
   * for that either: subtracting a negative typical cosine would turn "unlike everything" into
   * evidence for the event.
   */
  score(eventSim: number, bankSims: Float32Array): number {
    return eventSim - Math.max(0, this.typical(bankSims));
  }

  /**
   * Whether the model describes a sound as the event: fewer than `rank` of the kept texts score
   * higher on it than the event's text does (`eventSim`), so the event is among the sound's best
   * descriptions. Brown noise is a rumble to CLAP: "low rumble" beats nearly every alternative on it.
   */
  describesAs(eventSim: number, bankSims: Float32Array, rank: number): boolean {
    let above = 0;
    for (const i of this.kept) if (bankSims[i] > eventSim && ++above >= rank) return false;
    return true;
  }
}
