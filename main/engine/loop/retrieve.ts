/**
 * Retrieval of library references for the events a critic flagged (seed 000's retrieval module:
 * text-to-audio search by the missing event's caption). Each event's text searches the indexed
 * library; the hits are re-ranked for what the regeneration will do with them, and deduplicated
 * across events:
 *
 *   score = search score − durationWeight·max(0, |ln(available / expected)| − ln 2)
 *                        − rateWeight·max(0, log2(take rate / source rate))
 *
 * where `available` is the sound from the hit's window to the file's end and `expected` the
 * event's typical length (its whole span for a bed: rain, a background overlap). So a 1 s slam
 * is not answered with a 40 s ambience when a 1.2 s slam scores almost as well, and a 22 kHz
 * source loses a little to a 48 kHz one for a 48 kHz take. Every reference says why it was chosen:
 * its score and the window of the source file that matched.
 */
import type { SearchHit } from '../../../preload/contract/search';
import type { DecodedAudio } from '../audio/types';
import type { RetrieveSettings } from '../config';
import { CuebankError } from '../errors';
import { search, type SearchDeps } from '../library/search';
import { isAmbient, typicalSeconds } from './decompose-lexicon';
import type { EventCritique, EventPlan, Reference } from './types';

export interface RetrieveContext {
  plan: EventPlan;
  take: DecodedAudio;
  /** References wanted per event (K). */
  perEvent: number;
  signal?: AbortSignal;
}

/** How long the sound for an event should be, seconds. */
export function expectedSeconds(plan: EventPlan, event: Pick<EventCritique, 'eventId' | 'text' | 'start' | 'end'>): number {
  const e = plan.events.find((x) => x.id === event.eventId);
  const span = Math.max(0.05, event.end - event.start);
  const bed = e?.relation === 'overlap' || isAmbient(event.text);
  return bed ? span : Math.min(span, typicalSeconds(event.text, e?.count ?? 1));
}

/** A search hit's score adjusted for the event's length and the take's sample rate. */
export function fitScore(hit: SearchHit, expected: number, takeRate: number, s: RetrieveSettings): number {
  const available = Math.max(0.01, (hit.duration || hit.end) - hit.start);
  const lengthMiss = Math.max(0, Math.abs(Math.log(available / expected)) - Math.LN2);
  const octavesBelow = hit.sampleRate > 0 ? Math.max(0, Math.log2(takeRate / hit.sampleRate)) : 0;
  return hit.score - s.durationWeight * lengthMiss - s.rateWeight * octavesBelow;
}

interface Candidate {
  eventIndex: number;
  hit: SearchHit;
  score: number;
}

/**
 * References for the flagged events: the best K per event after re-ranking; a library file is
 * proposed for one event only (the one it fits best, greedily by score) unless an event would
 * otherwise get nothing.
 */
export async function retrieveReferences(
  deps: { search: SearchDeps; settings: RetrieveSettings },
  flagged: readonly EventCritique[],
  ctx: RetrieveContext,
): Promise<Reference[]> {
  const { settings } = deps;
  const perEvent = Math.max(1, Math.floor(ctx.perEvent));
  const candidates: Candidate[][] = [];
  for (const [eventIndex, event] of flagged.entries()) {
    if (ctx.signal?.aborted) throw new CuebankError('cancelled', 'Cancelled');
    const expected = expectedSeconds(ctx.plan, event);
    const { results } = await search(deps.search, { text: event.text, limit: Math.max(settings.candidatesPerEvent, perEvent) });
    candidates.push(
      results
        .map((hit) => ({ eventIndex, hit, score: fitScore(hit, expected, ctx.take.sampleRate, settings) }))
        .sort((a, b) => b.score - a.score || a.hit.fileId - b.hit.fileId),
    );
  }

  const chosen: Candidate[][] = flagged.map(() => []);
  const used = new Set<number>();
  for (const c of candidates.flat().sort((a, b) => b.score - a.score || a.eventIndex - b.eventIndex)) {
    if (chosen[c.eventIndex].length >= perEvent || used.has(c.hit.fileId)) continue;
    chosen[c.eventIndex].push(c);
    used.add(c.hit.fileId);
  }
  // Nothing unclaimed matches this event: let it share files rather than get nothing.
  chosen.forEach((list, i) => {
    if (!list.length) list.push(...candidates[i].slice(0, perEvent));
  });

  return chosen.flatMap((list, i) =>
    list
      .sort((a, b) => b.score - a.score)
      .map((c) => ({
        eventId: flagged[i].eventId,
        eventText: flagged[i].text,
        fileId: c.hit.fileId,
        path: c.hit.path,
        score: c.score,
        start: c.hit.start,
        end: c.hit.end,
      })),
  );
}

/** The retriever the loop calls: `(flagged, context) => references`, bound to a library. */
export function createRetriever(searchDeps: SearchDeps, settings: RetrieveSettings) {
  return (flagged: readonly EventCritique[], ctx: RetrieveContext): Promise<Reference[]> =>
    retrieveReferences({ search: searchDeps, settings }, flagged, ctx);
}
