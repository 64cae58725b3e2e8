import { CuebankError } from '../../errors';
import type { DecodedAudio } from '../../audio/types';
import { placeOnTake } from './place';
import { samplerSteps, type EventSound, type Strategy } from './types';

/**
 * Level offsets (dB) tried by successive candidates when there are fewer references than
 * candidates: the level is layering's one free parameter, so best-of-N picks it by the critic.
 */
const CANDIDATE_LEVEL_OFFSETS_DB = [0, -4, 4, -8, 8];

/**
 * (c) Layering: no model needed. Each flagged event gets a sound placed at its start on a copy of
 * the take, trimmed to its span with short fades, at the take's loudness plus `layerLevelDb`, the
 * sum kept under the clipping ceiling. The sound is the event's reference, or with layerSource
 * "focused" a generation of the event's text alone (the generator is good at single events).
 */
export const layerStrategy: Strategy = {
  id: 'layer',
  unsupported: () => null,
  needsReferences: (settings) => settings.layerSource === 'reference',
  inheritsReferences: false,
  steps: (caps, settings) => (settings.layerSource === 'focused' ? samplerSteps(caps, settings) : 0),
  async run(r) {
    const focused = r.focused ?? (r.settings.layerSource === 'focused' ? r.flagged : []);
    const sounds: EventSound[] = [];
    for (const [i, event] of focused.entries()) {
      const seconds = Math.max(0.1, Math.min(event.end, r.settings.duration) - event.start);
      const sound: DecodedAudio = await r.generator.generate({
        prompt: event.text,
        seconds: Math.min(seconds, r.generator.capabilities.maxSeconds),
        seed: r.seed + i,
        steps: r.settings.steps ?? undefined,
        cfgScale: r.settings.cfg ?? undefined,
        signal: r.signal,
        onStep: (s, total) => r.onStep(i * total + s, focused.length * total),
      });
      sounds.push({ event, referenceId: -1, sound, gainDb: r.focusedGainDb?.get(event.id) });
    }
    // Candidate c uses each event's (c mod k)-th reference; once those run out, another level.
    const byEvent = groupByEvent(r.references.filter((x) => !focused.some((e) => e.id === x.event.id)));
    const k = Math.max(1, ...[...byEvent.values()].map((v) => v.length));
    sounds.push(...[...byEvent.values()].map((refs) => refs[r.candidate % refs.length]));
    if (!sounds.length) throw new CuebankError('invalid_input', 'Layering needs at least one accepted reference');
    const round = byEvent.size ? Math.floor(r.candidate / k) : 0;
    const levelDb = r.settings.layerLevelDb + CANDIDATE_LEVEL_OFFSETS_DB[round % CANDIDATE_LEVEL_OFFSETS_DB.length];
    return placeOnTake(r.parent, sounds, levelDb, r.placement).audio;
  },
};

function groupByEvent(refs: readonly EventSound[]): Map<string, EventSound[]> {
  const m = new Map<string, EventSound[]>();
  for (const r of refs) m.set(r.event.id, [...(m.get(r.event.id) ?? []), r]);
  return m;
}
