/**
 * Keywords of a caption suggestion: the chosen CatID's UCS synonyms that the audio supports (their
 * CLAP text score on the audio, as a z against the reference sounds, at least
 * `keywordZ`), then the words that at least `sharedWordMin` retrieved captions share, counting only
 * the retrieved captions that agree with this audio (the caption test, `captionZ`): a small
 * knowledge base fills the top k with neighbours of other kinds, and their words are not this
 * sound's.
 */
import type { KnowledgeBase } from './knowledge-base';
import type { KbHit, KbSettings } from './types';

/** Words too common to say anything about a sound. */
const STOP = new Set(
  'the and with from into onto over under for but not are was were has have had its this that these those then than very some any all one two off out its'.split(' '),
);

/** Lower-case content words of a caption (letters, three or more). */
export function captionWords(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}{3,}/gu) ?? []).filter((w) => !STOP.has(w));
}

/** Words that at least `min` of the captions contain, most shared first. */
export function sharedWords(captions: readonly string[], min: number): string[] {
  const count = new Map<string, number>();
  for (const c of captions) for (const w of new Set(captionWords(c))) count.set(w, (count.get(w) ?? 0) + 1);
  return [...count]
    .filter(([, n]) => n >= Math.max(1, min))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([w]) => w);
}

export async function suggestKeywords(
  kb: KnowledgeBase,
  q: { audio: Float32Array; catSynonyms: readonly string[] },
  evidence: readonly KbHit[],
  s: Pick<KbSettings, 'keywordZ' | 'sharedWordMin' | 'captionZ'>,
): Promise<string[]> {
  const synonyms = [...new Set(q.catSynonyms.map((x) => x.trim()).filter(Boolean))];
  const z = await kb.support(synonyms, q.audio);
  const supported = synonyms
    .map((word, i) => ({ word, z: z[i] }))
    .filter((x): x is { word: string; z: number } => x.z !== null && x.z >= s.keywordZ)
    .sort((a, b) => b.z - a.z || a.word.localeCompare(b.word))
    .map((x) => x.word);
  const out: string[] = [];
  const seen = new Set<string>();
  const agreement = await Promise.all(evidence.map((e) => kb.captionAgreement(e, q.audio)));
  const agreeing = evidence.filter((_, i) => (agreement[i] ?? -Infinity) >= s.captionZ);
  for (const w of [...supported, ...sharedWords(agreeing.map((e) => e.caption), s.sharedWordMin)]) {
    const key = w.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(w);
    }
  }
  return out;
}
