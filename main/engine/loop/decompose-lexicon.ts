/**
 * Word knowledge the rule-based decomposer (and retrieval's duration fit) relies on: how long a kind
 * of sound typically lasts, which sounds are ambient beds, which words are verbs, and count words.
 * Small on purpose: an unknown sound gets DEFAULT_SECONDS, which only moves a span boundary.
 */

/** Typical length of one occurrence when nothing in the text is known, seconds. */
export const DEFAULT_SECONDS = 2;

/**
 * Typical seconds of one occurrence, keyed by word stem (matched at the start of a word, so "knock"
 * covers knocks / knocking / knocked). Checked in the order written: longer stems first where one
 * stem begins another ("footstep" before "foot").
 */
const TYPICAL: readonly [string, number][] = [
  ['gunshot', 0.6],
  ['shot', 0.6],
  ['knock', 0.4],
  ['click', 0.2],
  ['tick', 0.2],
  ['tap', 0.25],
  ['hit', 0.5],
  ['clap', 0.3],
  ['pop', 0.3],
  ['snap', 0.3],
  ['beep', 0.5],
  ['bleep', 0.4],
  ['ding', 1],
  ['thud', 0.5],
  ['bang', 0.8],
  ['slam', 1],
  ['punch', 0.4],
  ['kick', 0.4],
  ['footstep', 0.4],
  ['step', 0.4],
  ['cough', 0.6],
  ['sneeze', 0.8],
  ['bark', 0.6],
  ['meow', 1],
  ['chirp', 0.5],
  ['honk', 1],
  ['whoosh', 1],
  ['swoosh', 0.8],
  ['splash', 1],
  ['crash', 1.5],
  ['shatter', 1.5],
  ['smash', 1.2],
  ['scream', 1.5],
  ['shout', 1],
  ['yell', 1],
  ['creak', 2],
  ['squeak', 0.8],
  ['whistle', 1.5],
  ['laugh', 2],
  ['ring', 2],
  ['chime', 2],
  ['explo', 2.5],
  ['blast', 2],
  ['roar', 2.5],
  ['growl', 2],
  ['howl', 3],
  ['thunder', 3],
  ['rumble', 3],
  ['pass', 4],
  ['approach', 4],
  ['start', 2.5],
  ['rev', 2],
  ['pour', 3],
  ['speak', 3],
  ['talk', 3],
  ['applau', 4],
];

/**
 * Stems of sounds that form a bed rather than an event: listed without a sequence word ("rain,
 * a door slam and thunder") they span the whole take instead of taking a turn on the timeline.
 */
const AMBIENT = new RegExp(
  '\\b(' +
    [
      'rain(s|ing|fall)?', 'wind(s|y)?', 'traffic', 'crowds?', 'chatter(s|ing)?', 'murmur(s|ing)?', 'ambien(ce|t)',
      'hum(s|ming)?', 'drones?', 'droning', 'buzz(es|ing)?', 'static', 'crickets', 'insects', 'waves', 'surf',
      'stream', 'river', 'waterfall', 'crackl(e|es|ing)', 'fire', 'campfire', 'machinery', 'air conditioning',
      'room tone', 'music', 'hiss(es|ing)?', 'birdsong', 'birds', 'drizzle', 'downpour', 'storm', 'thunderstorm',
    ].join('|') +
    ')\\b',
);

/** Verb stems of sound actions; inflected forms are derived (barks, barking, barked, slamming). */
const VERB_STEMS: readonly string[] = [
  'bark', 'slam', 'creak', 'open', 'close', 'shut', 'knock', 'ring', 'beep', 'buzz', 'hum', 'tick', 'crash',
  'explode', 'fall', 'drip', 'splash', 'whistle', 'scream', 'shout', 'laugh', 'cry', 'honk', 'rev',
  'accelerate', 'pass', 'approach', 'start', 'stop', 'fade', 'echo', 'rumble', 'roar', 'chirp', 'sing',
  'squeak', 'click', 'clank', 'clatter', 'rattle', 'thud', 'shatter', 'break', 'bang', 'pop', 'hiss',
  'crackle', 'whoosh', 'blow', 'howl', 'growl', 'meow', 'bleat', 'moo', 'neigh', 'flap', 'run', 'walk',
  'stomp', 'speak', 'talk', 'whisper', 'cheer', 'clap', 'applaud', 'pour', 'boil', 'sizzle', 'fizz',
  'drive', 'fly', 'land', 'continue', 'play', 'strike', 'hit', 'tap', 'scrape', 'grind', 'snap', 'crunch',
  'rustle', 'flutter', 'sputter', 'idle', 'chime', 'toll', 'ding', 'swing', 'slide', 'roll', 'bounce',
  'shoot', 'sneeze', 'cough', 'yell', 'follow', 'rise', 'die', 'end', 'begin', 'purr', 'snore', 'breathe',
  'gasp', 'sigh', 'splutter', 'smash', 'thump', 'pound', 'tremble', 'shake', 'vibrate', 'wail', 'whine',
  'screech', 'squeal', 'groan', 'moan', 'sob', 'giggle', 'hammer', 'drill', 'saw', 'type', 'enter', 'leave',
  'arrive', 'depart', 'take', 'go', 'come', 'get', 'grow', 'swell', 'erupt', 'burst', 'whirr', 'whir',
  'patter', 'pitter', 'trickle', 'gurgle', 'bubble', 'flow', 'rain', 'thunder', 'sound', 'resonate', 'chatter',
  'answer', 'hang', 'clink', 'jingle', 'caw', 'hoot', 'babble', 'spark', 'snarl', 'skid', 'crack', 'clang', 'zap',
  'gallop', 'trot', 'murmur', 'whoop', 'tinkle',
];

const PLAIN_S = /(s|sh|ch|x|z|o)$/;

function inflections(stem: string): string[] {
  const out = [stem];
  const last = stem[stem.length - 1];
  const double = /[^aeiou][aeiou][bdgklmnprt]$/.test(stem) && stem.length <= 5 ? stem + last : stem;
  out.push(PLAIN_S.test(stem) ? `${stem}es` : /[^aeiou]y$/.test(stem) ? `${stem.slice(0, -1)}ies` : `${stem}s`);
  const base = stem.endsWith('e') && !stem.endsWith('ee') ? stem.slice(0, -1) : double;
  out.push(`${base}ing`, stem.endsWith('e') ? `${stem}d` : /[^aeiou]y$/.test(stem) ? `${stem.slice(0, -1)}ied` : `${double}ed`);
  return out;
}

const ALL_VERB_FORMS = new Set(VERB_STEMS.flatMap(inflections));
/** Each verb form's stem ("whooshes" -> "whoosh"); the first stem listed wins where two share a form. */
const STEM_OF = new Map<string, string>();
for (const stem of VERB_STEMS) for (const form of inflections(stem)) if (!STEM_OF.has(form)) STEM_OF.set(form, stem);
/** Inflected forms only (-s, -ing, -ed): a bare "fire" or "saw" opening a clause is more likely a noun. */
const INFLECTED_VERB_FORMS = new Set(VERB_STEMS.flatMap((s) => inflections(s).slice(1)));

/** Whether a word can be a verb of a sound clause ("creaks", "bark", "slamming"). */
export function isVerb(word: string): boolean {
  return ALL_VERB_FORMS.has(word.toLowerCase());
}

/** The stem of a verb form ("slamming" -> "slam"), or null for a word that is no verb form. */
export function verbStem(word: string): string | null {
  return STEM_OF.get(word.toLowerCase()) ?? null;
}

/** Whether a word opening a clause is a verb, i.e. the clause has no subject of its own ("slams shut"). */
export function isClauseInitialVerb(word: string): boolean {
  return INFLECTED_VERB_FORMS.has(word.toLowerCase());
}

const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, couple: 2, few: 3, several: 3, multiple: 3,
};

const ADVERB_COUNTS: Record<string, number> = { once: 1, twice: 2, thrice: 3 };

/** How many times a clause's sound occurs: "three knocks", "2 gunshots", "barks twice", "knocks 4 times". */
export function countOf(text: string): number {
  const t = text.toLowerCase();
  const times = /\b(\d+|[a-z]+)\s+times\b/.exec(t);
  if (times) {
    const n = parseCount(times[1]);
    if (n) return n;
  }
  for (const [w, n] of Object.entries(ADVERB_COUNTS)) if (new RegExp(`\\b${w}\\b`).test(t)) return n;
  // A number (or "a couple of") before a plural noun, adjectives allowed in between: "three loud knocks".
  const words = t.match(/[a-z0-9]+/g) ?? [];
  for (let i = 0; i < words.length; i++) {
    const n = parseCount(words[i]);
    if (n && n > 1 && words.slice(i + 1, i + 5).some((w) => /[a-z]s$/.test(w) && !w.endsWith('ss'))) return n;
  }
  return 1;
}

function parseCount(word: string): number | null {
  if (/^\d+$/.test(word)) {
    const n = Number(word);
    return n >= 1 && n <= 100 ? n : null;
  }
  return NUMBER_WORDS[word] ?? null;
}

/** Whether a clause names an ambient bed (rain, wind, crowd murmur …). */
export function isAmbient(text: string): boolean {
  return AMBIENT.test(text.toLowerCase());
}

/** Typical seconds of one occurrence of the sound a clause names. */
export function unitSeconds(text: string): number {
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  // The first word that names a known sound decides ("a door creaks open" -> creak).
  for (const w of words) {
    const hit = TYPICAL.find(([stem]) => w.startsWith(stem));
    if (hit) return hit[1];
  }
  return DEFAULT_SECONDS;
}

/**
 * Typical seconds an event takes: one occurrence, or for a count n the occurrences with a gap of
 * half an occurrence (at least 0.25 s) between them: "three knocks" 3·0.4 + 2·0.25 = 1.7 s.
 */
export function typicalSeconds(text: string, count = 1): number {
  const unit = unitSeconds(text);
  if (count <= 1) return unit;
  return count * unit + (count - 1) * Math.max(0.25, unit / 2);
}
