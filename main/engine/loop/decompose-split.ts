/**
 * Splits a prompt into clauses, each tagged with the connector that introduced it: the first stage
 * of the rule-based decomposer. Only surface cues are used (punctuation and connector words), so
 * the result is predictable and the tests can pin it down.
 */

/** How a clause joins the one before it. 'list' is a comma, semicolon or plain "and". */
export type Connector = 'none' | 'list' | 'sequence' | 'before' | 'after' | 'overlap';

export interface Clause {
  /** The clause's own words, connector and background markers removed. */
  text: string;
  /** The connector before it; for the first clause, a leading one ("While rain falls, …") or 'none'. */
  connector: Connector;
  /** Marked as a bed for the whole take: "throughout", "in the background", "the whole time". */
  background: boolean;
}

/** Multi-word connectors first so "and then" wins over "and", "after that" over "after". */
const CONNECTORS: readonly [string[], Connector][] = [
  [['and', 'then'], 'sequence'],
  [['and', 'finally'], 'sequence'],
  [['and', 'afterwards'], 'sequence'],
  [['and', 'after', 'that'], 'sequence'],
  [['followed', 'by'], 'sequence'],
  [['after', 'that'], 'sequence'],
  [['after', 'which'], 'sequence'],
  [['and', 'meanwhile'], 'overlap'],
  [['at', 'the', 'same', 'time', 'as'], 'overlap'],
  [['along', 'with'], 'overlap'],
  [['accompanied', 'by'], 'overlap'],
  [['then'], 'sequence'],
  [['afterwards'], 'sequence'],
  [['afterward'], 'sequence'],
  [['subsequently'], 'sequence'],
  [['finally'], 'sequence'],
  [['later'], 'sequence'],
  [['next'], 'sequence'],
  [['before'], 'before'],
  [['after'], 'after'],
  [['while'], 'overlap'],
  [['whilst'], 'overlap'],
  [['meanwhile'], 'overlap'],
  [['during'], 'overlap'],
  [['as'], 'overlap'],
  [['with'], 'overlap'],
  [['and'], 'list'],
];

/** Phrases that mark a clause as a bed spanning the whole take; removed from its text. */
const BACKGROUND_MARKERS: readonly string[][] = [
  ['in', 'the', 'background'],
  ['the', 'whole', 'time'],
  ['all', 'the', 'while'],
  ['all', 'along'],
  ['throughout'],
  ['continuously'],
  ['constantly'],
];

/** Words after "as" that make it a comparison or idiom, not "at the same time as". */
const AS_NOT_CONNECTOR = new Set(['if', 'though', 'well', 'soon', 'long', 'much', 'many', 'far', 'usual', 'expected', 'such']);

type Token = { kind: 'word'; text: string; lower: string } | { kind: 'break' };

function tokenize(prompt: string): Token[] {
  const out: Token[] = [];
  // Words keep inner apostrophes, hyphens and decimal points ("dog's", "slow-motion", "2.5").
  const re = /(\d+(?:\.\d+)?|[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*)|([,;:!?]|\.(?!\d)|\s[-–—]\s)/gu;
  for (const m of prompt.matchAll(re)) {
    if (m[1]) out.push({ kind: 'word', text: m[1], lower: m[1].toLowerCase() });
    else out.push({ kind: 'break' });
  }
  return out;
}

function wordsAt(tokens: Token[], i: number, phrase: string[]): boolean {
  for (let k = 0; k < phrase.length; k++) {
    const t = tokens[i + k];
    if (!t || t.kind !== 'word' || t.lower !== phrase[k]) return false;
  }
  return true;
}

/** The words up to the next break or connector-like word, lower case. */
function lookahead(tokens: Token[], i: number, max: number): string[] {
  const out: string[] = [];
  for (let k = i; k < tokens.length && out.length < max; k++) {
    const t = tokens[k];
    if (t.kind !== 'word') break;
    out.push(t.lower);
  }
  return out;
}

/** Whether the connector word at i really joins two clauses here (for the ambiguous "as" and "with"). */
function joinsHere(tokens: Token[], i: number, phrase: string[], prev: string | null): boolean {
  const after = lookahead(tokens, i + phrase.length, 8);
  if (!after.length) return false;
  if (phrase.length === 1 && phrase[0] === 'as') {
    if (prev === 'such' || prev === 'same' || AS_NOT_CONNECTOR.has(after[0])) return false;
    // "as loud as thunder": a comparison, at either "as".
    if (after.length >= 2 && after[1] === 'as') return false;
    const back = tokens[i - 2];
    if (back?.kind === 'word' && back.lower === 'as') return false;
    return true;
  }
  if (phrase.length === 1 && phrase[0] === 'with') {
    // "with rain in the background", "with dogs barking": a second sound; "with a high pitch": a quality.
    return after.some((w) => w.endsWith('ing') && w.length > 4) || after.includes('background') || after.includes('throughout');
  }
  return true;
}

function stronger(a: Connector, b: Connector): Connector {
  // A word connector says more than the comma or "and" around it (", then", ", and then", "and while").
  if (a === 'none' || a === 'list') return b;
  return a;
}

function finishClause(words: string[], connector: Connector): Clause | null {
  let w = [...words];
  let background = false;
  for (const marker of BACKGROUND_MARKERS) {
    for (let i = 0; i + marker.length <= w.length; i++) {
      if (marker.every((m, k) => w[i + k].toLowerCase() === m)) {
        w = [...w.slice(0, i), ...w.slice(i + marker.length)];
        background = true;
        i--;
      }
    }
  }
  // Fillers a connector left behind at the edges ("also", a dangling "and").
  while (w.length > 1 && /^(and|then|also)$/i.test(w[0])) w = w.slice(1);
  while (w.length && /^(and|then)$/i.test(w[w.length - 1])) w = w.slice(0, -1);
  if (!w.length) return null;
  return { text: w.join(' '), connector, background };
}

/** The prompt's clauses in prompt order. */
export function splitClauses(prompt: string): Clause[] {
  const tokens = tokenize(prompt);
  const clauses: Clause[] = [];
  let words: string[] = [];
  let pending: Connector = 'none';
  let prevWord: string | null = null;

  const close = () => {
    const c = finishClause(words, pending);
    if (c) {
      clauses.push(c);
      pending = 'none';
    }
    words = [];
  };

  for (let i = 0; i < tokens.length; ) {
    const t = tokens[i];
    if (t.kind === 'break') {
      if (words.length) close();
      if (clauses.length) pending = stronger(pending, 'list');
      i++;
      continue;
    }
    const match = CONNECTORS.find(([phrase]) => wordsAt(tokens, i, phrase) && joinsHere(tokens, i, phrase, prevWord));
    if (match) {
      const [phrase, kind] = match;
      if (words.length) close();
      // Before any clause, a connector is a leading one ("While rain falls, …", "After the bang, …").
      if (clauses.length || kind !== 'list') pending = stronger(pending, kind);
      prevWord = phrase[phrase.length - 1];
      i += phrase.length;
      continue;
    }
    words.push(t.text);
    prevWord = t.lower;
    i++;
  }
  if (words.length) close();
  return clauses;
}
