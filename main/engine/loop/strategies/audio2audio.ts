import { placeOnTake } from './place';
import { baseRequest, memo, samplerSteps, type Strategy } from './types';

/**
 * (b) Audio-to-audio: the references are mixed into the take at their events' times so the latent
 * encoder sees them, and the sampler starts from that encoded mix, re-noised by `initStrength`
 * (0 keeps the mix, 1 ignores it): the model redraws the scene around the restored events.
 */
export const audio2audioStrategy: Strategy = {
  id: 'audio2audio',
  unsupported: (caps) =>
    caps.audioToAudio ? null : 'this generator pack has no latent encoder (strategy "audio2audio"); choose adapter or layer',
  needsReferences: () => false,
  inheritsReferences: true,
  steps: samplerSteps,
  run(r) {
    const init = memo(r, 'init', () => (r.references.length ? placeOnTake(r.parent, r.references, r.settings.layerLevelDb, r.placement).audio : r.parent));
    return r.generator.generate({ ...baseRequest(r), init: { audio: init, strength: r.settings.initStrength } });
  },
};
