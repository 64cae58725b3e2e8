import type { ConditioningReference } from '../../models/generator/types';
import { baseRequest, memo, PLACEMENT_FADE_SECONDS, samplerSteps, type Strategy } from './types';

/**
 * (a) Audio-conditioned generation (seed 000's audio fuser): the prompt again, with each reference
 * fitted to the generator's rate and channels, placed at its event's start, and added to the
 * denoiser's audio-conditioning input with strength λ.
 */
export const adapterStrategy: Strategy = {
  id: 'adapter',
  unsupported: (caps) =>
    caps.audioConditioning ? null : 'this generator pack has no audio-conditioning input (strategy "adapter"); choose audio2audio or layer',
  needsReferences: () => false,
  inheritsReferences: true,
  steps: samplerSteps,
  run(r) {
    const caps = r.generator.capabilities;
    const references = memo(r, 'adapter-references', (): ConditioningReference[] => r.references.map(({ event, sound }) => ({
      audio: r.placement.fit(sound, {
        sampleRate: caps.sampleRate,
        channels: caps.channels,
        maxSeconds: Math.max(0.05, Math.min(event.end, r.settings.duration) - event.start),
        fadeSeconds: PLACEMENT_FADE_SECONDS,
      }),
      start: event.start,
      strength: r.settings.referenceStrength,
    })));
    return r.generator.generate({ ...baseRequest(r), references });
  },
};
