/**
 * Which words name a sound, and which subjects make sounds of their own, from the UCS list shipped
 * in resources/ucs/ (its subcategory names and synonyms are a sound designer's vocabulary).
 *
 * The decomposer needs this for one ambiguity: after a plural subject a bare word like "whoosh"
 * can be a verb ("dogs bark, then howl": the dogs howl) or a new sound ("electrical mains hum,
 * then whoosh": a whoosh follows; the mains do not whoosh). A word is a sound noun when UCS lists
 * it and it can be a sound verb; it names a new event unless the subject is a living thing (an
 * animal, a bird, a person) or a verb's complement follows it ("roar loudly", "slam shut").
 */
import ucs from '../../../resources/ucs/ucs-8.2.1-en.json';
import { verbStem } from './decompose-lexicon';

interface UcsEntry {
  Category: string;
  SubCategory: string;
  Synonyms?: string[];
}

const ENTRIES = ucs as unknown as UcsEntry[];

const wordsOf = (s: string) => s.toLowerCase().split(/[^a-z]+/).filter(Boolean);

/** Every word UCS names a subcategory with or lists as a synonym. */
const UCS_WORDS = new Set(ENTRIES.flatMap((e) => [...wordsOf(e.SubCategory), ...(e.Synonyms ?? []).map((w) => w.toLowerCase())]));

/**
 * Verb stems UCS lists that describe a motion, a state or a manner of speaking rather than a sound
 * one could name on its own: after a plural subject they stay that subject's verbs ("birds chirp,
 * then fly away", "waves crash, then roll back").
 */
const NOT_SOUND_NOUNS = new Set([
  'open', 'close', 'fall', 'pass', 'start', 'stop', 'sing', 'run', 'walk', 'speak', 'talk', 'play', 'drive',
  'fly', 'land', 'swing', 'slide', 'roll', 'bounce', 'shoot', 'rise', 'die', 'end', 'take', 'go', 'grow',
  'swell', 'type', 'tremble', 'shake', 'vibrate', 'flow', 'sound', 'resonate', 'strike', 'applaud', 'break',
  'blow', 'pour', 'boil', 'hammer', 'drill', 'saw', 'cry', 'burst', 'erupt', 'trickle', 'bubble', 'rustle',
  'flutter', 'flap', 'scrape', 'grind', 'tap', 'hit', 'pound', 'stomp', 'clap', 'cheer',
]);

/** Whether a word (any inflection) names a sound that can stand alone as an event: "whoosh", "beeps", "a hum". */
export function isSoundNoun(word: string): boolean {
  const stem = verbStem(word);
  return !!stem && UCS_WORDS.has(stem) && !NOT_SOUND_NOUNS.has(stem);
}

/** UCS categories whose names and synonyms are kinds of animal. */
const ANIMAL_CATEGORIES = new Set(['ANIMALS', 'BIRDS']);

/** Synonyms in those categories that are mostly things, not animals ("monitors hum", "cranes creak"). */
const NOT_ANIMALS = new Set(['monitor', 'tree', 'spring', 'seal', 'ray', 'fly', 'tick', 'buzz', 'dart', 'kite', 'crane', 'rail', 'runner', 'chat', 'mango', 'misc', 'miscellaneous', 'fire', 'horn']);

/** People: UCS files voices under kinds of sound, not kinds of speaker. */
const PEOPLE = [
  'people', 'person', 'man', 'men', 'woman', 'women', 'child', 'children', 'kid', 'baby', 'babies', 'boy', 'girl',
  'worker', 'soldier', 'guest', 'player', 'voice', 'audience', 'crowd', 'someone', 'spectator', 'monster', 'creature',
];

const LIVING_WORDS = new Set([
  ...PEOPLE,
  ...ENTRIES.filter((e) => ANIMAL_CATEGORIES.has(e.Category))
    .flatMap((e) => [...wordsOf(e.Category), ...wordsOf(e.SubCategory), ...(e.Synonyms ?? []).map((w) => w.toLowerCase())])
    .filter((w) => !NOT_ANIMALS.has(w)),
]);

/** Singular candidates of a plural noun: "wolves" -> wolf, wolve; "children" -> child. */
function singulars(word: string): string[] {
  const w = word.toLowerCase();
  const out = [w];
  if (w.endsWith('ren')) out.push(w.slice(0, -3));
  if (w.endsWith('ves')) out.push(`${w.slice(0, -3)}f`);
  if (w.endsWith('ies')) out.push(`${w.slice(0, -3)}y`);
  if (w.endsWith('es')) out.push(w.slice(0, -2));
  if (w.endsWith('s')) out.push(w.slice(0, -1));
  return out;
}

/** Whether a subject ("the big dogs", "electrical mains") is a living thing, by its last word. */
export function isLivingSubject(subject: string): boolean {
  const words = wordsOf(subject);
  const head = words[words.length - 1];
  if (!head) return false;
  const forms = singulars(head);
  return !forms.some((w) => NOT_ANIMALS.has(w)) && forms.some((w) => LIVING_WORDS.has(w));
}

/** Words that follow a verb, not a noun: particles and adverbs ("roar loudly", "whoosh past", "slam shut"). */
const VERB_COMPLEMENTS = new Set([
  'away', 'off', 'out', 'up', 'down', 'shut', 'open', 'again', 'back', 'past', 'by', 'through', 'into', 'over',
  'around', 'along', 'on', 'at', 'louder', 'softer', 'quietly', 'briefly', 'once', 'twice', 'thrice',
]);

/** Whether the word after a clause's first word makes that first word a verb. */
export function isVerbComplement(word: string | undefined): boolean {
  if (!word) return false;
  const w = word.toLowerCase();
  return VERB_COMPLEMENTS.has(w) || (w.endsWith('ly') && w.length > 4);
}
