import { CuebankError } from '../../errors';
import type { GenerateSettings } from '../../../../preload/contract/generate';
import type { GeneratorCapabilities } from '../../models/generator/types';
import type { RegenerationStrategy } from '../types';
import { adapterStrategy } from './adapter';
import { audio2audioStrategy } from './audio2audio';
import { layerStrategy } from './layer';
import type { Strategy } from './types';

export type { EventSound, Strategy, StrategyRun } from './types';
export { PlacementCache } from './place';

export const STRATEGIES: Readonly<Record<RegenerationStrategy, Strategy>> = {
  adapter: adapterStrategy,
  audio2audio: audio2audioStrategy,
  layer: layerStrategy,
};

/** The strategies a pack can run, best first: conditioning, then audio-to-audio, then layering. */
export function supportedStrategies(caps: GeneratorCapabilities, settings: GenerateSettings): RegenerationStrategy[] {
  return (Object.keys(STRATEGIES) as RegenerationStrategy[]).filter((id) => STRATEGIES[id].unsupported(caps, settings) === null);
}

/** The default when a request names none: the best the pack can run. */
export function defaultStrategy(caps: Pick<GeneratorCapabilities, 'audioConditioning' | 'audioToAudio'>): RegenerationStrategy {
  return caps.audioConditioning ? 'adapter' : caps.audioToAudio ? 'audio2audio' : 'layer';
}

/** The strategy, or a clear error when the pack cannot run it. */
export function strategyFor(id: RegenerationStrategy, caps: GeneratorCapabilities, settings: GenerateSettings, packId: string): Strategy {
  const s = STRATEGIES[id];
  const why = s.unsupported(caps, settings);
  if (why) throw new CuebankError('unsupported', `Generator pack "${packId}": ${why}`);
  return s;
}
