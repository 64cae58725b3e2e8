/**
 * The default EventDecomposer (seed 003's decomposition of a complex prompt into timed atomic
 * events), by rules instead of an LLM so it runs offline, instantly and predictably:
 *
 * 1. split the prompt into clauses at punctuation and connector words (decompose-split.ts);
 * 2. a clause without a subject borrows the previous clause's ("a door creaks open, then slams
 *    shut" -> "a door slams shut"), and a pronoun is replaced by it; but a sound noun that can be a
 *    verb names a new sound after a plural subject that is not a living thing ("electrical mains
 *    hum, then whoosh" -> "whoosh"; decompose-sound-nouns.ts);
 * 3. lay the clauses on the timeline: sequence words ("then", "followed by", "X before Y", "X after Y"
 *    reversed) and plain lists give each clause its own turn; overlap words ("while", "as", "during",
 *    "with … in the background") make a clause share the turn of the clause it joins, or the whole
 *    take when it closes the prompt or is marked "throughout"; an ambient bed (rain, wind, crowd)
 *    in a plain list spans the whole take;
 * 4. time the turns: each takes the typical length of the longest clause sharing it
 *    (decompose-lexicon.ts; counts take longer), squeezed proportionally when they do not fit,
 *    and the last turn runs to the end of the take
 *    (a sound's tail and the room keep sounding).
 *
 * Events are listed in prompt order, except that "X after Y" lists Y first; ids follow that order.
 * Each event's relation is what its span says about the event listed before it.
 *
 * Seed 003's own route, a language model asked for the events as JSON, is decompose-lalm.ts; it
 * falls back to these rules.
 */
import type { ResolvedConfig } from '../config';
import { CuebankError } from '../errors';
import type { LalmEndpoint } from './critics/lalm-client';
import { LalmDecomposer } from './decompose-lalm';
import { countOf, isAmbient, isClauseInitialVerb, isVerb, typicalSeconds } from './decompose-lexicon';
import { isLivingSubject, isSoundNoun, isVerbComplement } from './decompose-sound-nouns';
import { splitClauses, type Clause } from './decompose-split';
import type { EventDecomposer, EventPlan, EventRelation, SoundEvent } from './types';

interface Item {
  text: string;
  count: number;
  /** Index of the timeline turn it owns, or shares (overlap), or null for the whole take. */
  turn: number | null;
}

interface Turn {
  /** The item that took the turn; items that overlap it share it. */
  item: Item;
}

export class RuleBasedDecomposer implements EventDecomposer {
  decompose(prompt: string, options: { duration: number }): EventPlan {
    const { duration } = options;
    if (!Number.isFinite(duration) || duration <= 0) {
      throw new CuebankError('invalid_input', `A take needs a positive duration to time its events (got ${duration}).`);
    }
    const clauses = withSubjects(splitClauses(prompt));
    if (!clauses.length) throw new CuebankError('invalid_input', 'The prompt names no sound to generate.');

    const { order, turns } = layOut(clauses);
    const spans = timeTurns(turns, order, duration);
    const events: SoundEvent[] = [];
    for (const item of order) {
      const [start, end] = item.turn === null ? [0, duration] : spans[item.turn];
      const prev = events[events.length - 1];
      const relation: EventRelation = !prev ? 'start' : start >= prev.end - 1e-9 ? 'sequence' : 'overlap';
      events.push({ id: `e${events.length}`, text: item.text, start: round(start), end: round(end), relation, count: item.count });
    }
    return { prompt, duration, events };
  }
}

/** Which decomposer a generation uses: the rules, or a language model at an endpoint (rules on failure). */
export type DecomposerChoice = { kind: 'rules' } | { kind: 'lalm'; endpoint: LalmEndpoint };

/** The decomposer of a choice; the rules unless told otherwise. */
export function createDecomposer(choice: DecomposerChoice = { kind: 'rules' }): EventDecomposer {
  const rules = new RuleBasedDecomposer();
  return choice.kind === 'lalm' ? new LalmDecomposer(choice.endpoint, rules) : rules;
}

/**
 * The decomposer a generate request gets: its own choice, else `generate.decomposer`. The language
 * model's URL is `generate.decomposerUrl`, else the request's critic URL, else `critic.lalm.url`;
 * with none, asking for it is an error before anything starts.
 */
export function decomposerChoice(config: ResolvedConfig, request: { decomposer?: 'rules' | 'lalm'; criticUrl?: string }): DecomposerChoice {
  const kind = request.decomposer ?? config.generate.decomposer;
  if (kind !== 'lalm') return { kind: 'rules' };
  const url = config.generate.decomposerUrl ?? request.criticUrl ?? config.critic.lalm.url;
  if (!url) {
    throw new CuebankError(
      'invalid_input',
      'The language-model decomposer needs the URL of an OpenAI-compatible endpoint (generate.decomposerUrl or critic.lalm.url, or --critic-url)',
    );
  }
  const { model, timeoutSeconds } = config.critic.lalm;
  return { kind: 'lalm', endpoint: { url, model, timeoutSeconds } };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

const AUXILIARIES = new Set(['is', 'are', 'was', 'were', 'be', 'being', 'can', 'could', 'will', 'keeps', 'starts']);

/**
 * The words before a clause's verb: "a wooden door creaks open" -> "a wooden door". A clause without
 * a recognisable verb is a noun phrase and is its own subject ("a loud bang", then "echoes").
 */
function subjectOf(text: string): string {
  const words = text.split(' ');
  const lower = words.map((w) => w.toLowerCase());
  const find = (test: (w: string) => boolean) => lower.findIndex((w, i) => i >= 1 && test(w));
  let at = find((w) => isVerb(w) && /[^s]s$|es$/.test(w) && !/ss$/.test(w));
  // A bare verb form after a plural ("birds chirp"); after a singular it is a noun ("a loud bang").
  if (at < 0) at = lower.findIndex((w, i) => i >= 1 && isVerb(w) && !/(ed|ing)$/.test(w) && /[^s]s$/.test(lower[i - 1]));
  if (at < 0) at = find((w) => isVerb(w) && w.endsWith('ing'));
  if (at < 0) return text;
  let end = at;
  while (end > 1 && AUXILIARIES.has(lower[end - 1])) end--;
  return words.slice(0, end).join(' ');
}

/** Whether a subject reads as plural: "birds", "electrical mains"; not "the bus", "a walrus". */
const isPlural = (subject: string) => /[^s]s$/.test(subject.toLowerCase()) && !/(us|is)$/.test(subject.toLowerCase());

/**
 * Whether a clause's first word is the verb of the previous subject: inflected verbs are ("then
 * slams shut"), and after a plural subject bare ones too ("birds chirp, then fly away"), except a
 * sound noun that names a new sound ("electrical mains hum, then whoosh"; "…, then beeps").
 */
function continuesSubject(words: string[], subject: string): boolean {
  const first = words[0];
  const plural = isPlural(subject);
  const inflected = isClauseInitialVerb(first);
  const bare = isVerb(first) && !inflected;
  if (!inflected && !(plural && bare)) return false;
  // A plural subject does not take "-s": there "beeps" is the noun too.
  const nounReading = plural && (bare || /[^s]s$/.test(first.toLowerCase())) && isSoundNoun(first);
  if (!nounReading) return true;
  return isLivingSubject(subject) || isVerbComplement(words[1]);
}

/** Subject pronouns that stand for the previous subject ("a car starts, later it drives away"). */
const PRONOUNS = new Set(['it', 'he', 'she', 'they']);

/**
 * Clauses that open with a verb borrow the subject of the nearest clause before them; an event's
 * text must stand alone, so a pronoun is replaced by that subject.
 */
function withSubjects(clauses: Clause[]): Clause[] {
  let subject: string | null = null;
  return clauses.map((c) => {
    const words = c.text.split(' ');
    if (subject && words.length > 1 && PRONOUNS.has(words[0].toLowerCase())) {
      return { ...c, text: `${subject} ${words.slice(1).join(' ')}` };
    }
    if (subject && continuesSubject(words, subject)) {
      return { ...c, text: `${subject} ${c.text}` };
    }
    subject = subjectOf(c.text);
    return c;
  });
}

/** Turns in timeline order, and the items in listing order. */
function layOut(clauses: Clause[]): { order: Item[]; turns: Turn[] } {
  const turns: Turn[] = [];
  const order: Item[] = [];
  const count = (c: Clause) => countOf(c.text);
  // Whether any clause after i takes a turn of its own (an overlap clause that ends the prompt is a bed).
  const turnFollows = (i: number) => clauses.slice(i + 1).some((c) => c.connector !== 'overlap' && !c.background);
  const anyTurnTaker = clauses.some((c, i) => !c.background && !(i === 0 && c.connector === 'overlap') && !isAmbient(c.text));
  let leadingBefore = false;

  clauses.forEach((c, i) => {
    const item: Item = { text: c.text, count: count(c), turn: null };
    const prev = order[order.length - 1];
    const newTurn = (at = turns.length) => {
      turns.splice(at, 0, { item });
      // Items of later turns shift when one is inserted before them.
      for (const o of order) if (o.turn !== null && o.turn >= at) o.turn++;
      item.turn = at;
    };

    if (c.background) {
      order.push(item);
      return;
    }
    if (i === 0) {
      if (c.connector === 'overlap') {
        order.push(item); // "While rain falls, …": a bed under everything.
      } else {
        if (c.connector === 'before') leadingBefore = true; // "Before X, Y": Y comes first.
        if (isAmbient(c.text) && anyTurnTaker && clauses[1]?.connector === 'list') {
          order.push(item);
        } else {
          newTurn();
          order.push(item);
        }
      }
      return;
    }
    switch (c.connector) {
      case 'overlap':
        // Shares the turn of the clause it joins, or is a bed when it closes the prompt.
        if (!turnFollows(i) || !prev || prev.turn === null) item.turn = null;
        else item.turn = prev.turn;
        order.push(item);
        return;
      case 'after':
        // "X after Y": Y's turn comes right before X's.
        if (prev && prev.turn !== null) {
          newTurn(prev.turn);
          order.splice(order.indexOf(prev), 0, item);
        } else {
          newTurn();
          order.push(item);
        }
        return;
      case 'list':
        if (isAmbient(c.text) && anyTurnTaker) {
          order.push(item);
          return;
        }
        if (leadingBefore && i === 1 && prev && prev.turn !== null) {
          newTurn(prev.turn);
          order.splice(order.indexOf(prev), 0, item);
          leadingBefore = false;
          return;
        }
        newTurn();
        order.push(item);
        return;
      default:
        // 'sequence', 'before' ("X before Y": Y after X), or an unmarked join.
        newTurn();
        order.push(item);
    }
  });
  return { order, turns };
}

/**
 * Spans of the turns: typical lengths laid end to end, squeezed proportionally when they exceed the
 * take; the last turn runs to the end of the take. A turn lasts as long as the longest item sharing
 * it ("a dog barks as a car drives by": the car's pass, not the bark).
 */
function timeTurns(turns: Turn[], items: Item[], duration: number): [number, number][] {
  const lengths = turns.map((_, i) => Math.max(...items.filter((o) => o.turn === i).map((o) => typicalSeconds(o.text, o.count))));
  const total = lengths.reduce((a, b) => a + b, 0);
  const scale = total > duration ? duration / total : 1;
  const spans: [number, number][] = [];
  let t = 0;
  for (let i = 0; i < lengths.length; i++) {
    const end = i === lengths.length - 1 ? duration : t + lengths[i] * scale;
    spans.push([t, end]);
    t = end;
  }
  return spans;
}
