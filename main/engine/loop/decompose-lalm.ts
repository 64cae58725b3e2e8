/**
 * Seed 003's route to timed atomic events: a language model over an OpenAI-compatible
 * chat-completions endpoint (the LALM critic's client, text only) is asked for the prompt's events
 * as JSON with start and end times. Its answer is checked against a schema and clamped to the take;
 * when the endpoint fails, times out or answers something unusable, the rule-based plan is used
 * instead and carries a note that says why, so the user sees which plan the loop runs.
 */
import { z } from 'zod';
import { CuebankError } from '../errors';
import { askText, type LalmEndpoint } from './critics/lalm-client';
import { countOf } from './decompose-lexicon';
import type { EventDecomposer, EventPlan, EventRelation, SoundEvent } from './types';

/** Enough for a few dozen events; a longer answer is cut and then fails to parse (rules take over). */
const MAX_TOKENS = 1024;
/** More events than any prompt needs: a longer list is a runaway answer. */
const MAX_EVENTS = 32;

const AnswerEventSchema = z
  .object({
    text: z.string().trim().min(1).max(300),
    start: z.number().min(0),
    end: z.number(),
    relation: z.enum(['start', 'sequence', 'overlap']).optional(),
    count: z.number().int().min(1).max(100).optional(),
  })
  .refine((e) => e.end > e.start, { message: 'end must be after start' });

const AnswerSchema = z.object({ events: z.array(AnswerEventSchema).min(1).max(MAX_EVENTS) });

export function decompositionQuestion(prompt: string, duration: number): string {
  return [
    `Split this sound-effect description into its atomic sound events for a ${duration}-second clip.`,
    `Description: ${JSON.stringify(prompt)}`,
    'Answer with JSON only, in this form:',
    '{"events": [{"text": "a door creaks open", "start": 0, "end": 2, "relation": "start", "count": 1}]}',
    `Each event is one distinct sound whose text is understandable on its own ("a door slams shut", not "slams shut"). ` +
      `start and end are seconds between 0 and ${duration}, end after start. List events in the order the description gives them; ` +
      `relation is "start" for the first, "sequence" when it follows the previous event, "overlap" when it sounds during it. ` +
      `A background sound (rain, wind, a crowd) spans the whole clip. count is how many times the sound occurs ("three knocks": 3).`,
  ].join('\n');
}

/** The JSON in a model's answer: the text itself, or inside a ``` fence, or from the first { or [ to the last } or ]. */
function jsonIn(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  const body = (fenced ? fenced[1] : text).trim();
  try {
    return JSON.parse(body);
  } catch {
    const from = body.search(/[[{]/);
    const to = Math.max(body.lastIndexOf('}'), body.lastIndexOf(']'));
    if (from < 0 || to <= from) throw new Error('no JSON in the answer');
    return JSON.parse(body.slice(from, to + 1));
  }
}

const excerpt = (s: string, n = 120) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n)}…` : one;
};

/**
 * The events of a model's answer, timed inside the take, or why the answer cannot be used. Ends
 * past the take are cut to it; an event that starts at or after the end is an error (the model
 * planned a different take). Relations follow from the spans, as in the rule-based plan.
 */
export function eventsFromAnswer(text: string, duration: number): { events: SoundEvent[] } | { problem: string } {
  let raw: unknown;
  try {
    raw = jsonIn(text);
  } catch {
    return { problem: `the answer is not JSON: "${excerpt(text)}"` };
  }
  // `{"events": [...]}`, or the bare list.
  const parsed = AnswerSchema.safeParse(Array.isArray(raw) ? { events: raw } : raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return { problem: `the answer does not fit the event schema${where}: ${issue?.message ?? 'invalid'}` };
  }
  const events: SoundEvent[] = [];
  for (const e of parsed.data.events) {
    if (e.start >= duration) return { problem: `"${e.text}" starts at ${e.start} s, after the ${duration} s take ends` };
    const start = round(e.start);
    const end = round(Math.min(e.end, duration));
    const prev = events[events.length - 1];
    const relation: EventRelation = !prev ? 'start' : start >= prev.end - 1e-9 ? 'sequence' : 'overlap';
    events.push({ id: `e${events.length}`, text: e.text, start, end, relation, count: e.count ?? countOf(e.text) });
  }
  return { events };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export class LalmDecomposer implements EventDecomposer {
  /** `rules` checks the request, and its plan is used whenever the model's cannot be. */
  constructor(
    private readonly endpoint: LalmEndpoint,
    private readonly rules: { decompose(prompt: string, options: { duration: number }): EventPlan },
  ) {}

  async decompose(prompt: string, options: { duration: number }): Promise<EventPlan> {
    const { duration } = options;
    // Bad input (empty prompt, no duration) is the same clear error on either route.
    const fallback = this.rules.decompose(prompt, options);
    const withRules = (why: string): EventPlan => ({
      ...fallback,
      note: `The language-model decomposer at ${this.endpoint.url} was not used (${why}); the prompt was split into events by the rules.`,
    });
    let answer: string;
    try {
      answer = (await askText(this.endpoint, decompositionQuestion(prompt, duration), { maxTokens: MAX_TOKENS })).text;
    } catch (err) {
      if (err instanceof CuebankError && err.code === 'cancelled') throw err;
      return withRules((err as Error).message.replace(/\.$/, ''));
    }
    const result = eventsFromAnswer(answer, duration);
    if ('problem' in result) return withRules(result.problem);
    return { prompt, duration, events: result.events };
  }
}
