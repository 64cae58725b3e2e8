/** The critics behind one interface (main/engine/loop/types.ts `Critic`). */
import type { CriticSettings } from '../../config';
import { CuebankError } from '../../errors';
import type { Embedder } from '../../models/types';
import type { Critic } from '../types';
import { ClapCritic } from './clap-critic';
import { LalmCritic } from './lalm-critic';

export { ClapCritic, windowsNeeded, type ClapCriticDeps } from './clap-critic';
export { LalmCritic, missingQuestion, containsQuestion, type LalmCriticDeps } from './lalm-critic';
export { ucsContrastTexts } from './contrast-bank';
export { yesNoPresence, answerOf, type TokenLogprob, type YesNo } from './yes-no';
export { chanceStats, zScore, presenceOfZ, verdictOfZ, verdictOfPresence, overallScore } from './calibration';

export interface CreateCriticOptions {
  id: 'clap' | 'lalm';
  settings: CriticSettings;
  /** Needed by the CLAP critic. */
  embedder?: Embedder | null;
  /** The LALM endpoint, overriding settings.lalm.url. */
  url?: string | null;
  /** Shown when the CLAP critic has no embedder (the embedder slot's note). */
  noEmbedderNote?: string;
}

export function createCritic(o: CreateCriticOptions): Critic {
  if (o.id === 'lalm') return new LalmCritic({ settings: o.settings, url: o.url });
  if (!o.embedder) throw new CuebankError('no_model', `The CLAP critic needs a CLAP model pack. ${o.noEmbedderNote ?? ''}`.trim());
  return new ClapCritic({ embedder: o.embedder, settings: o.settings });
}
