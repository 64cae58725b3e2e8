/**
 * Captioning by generative pair-to-pair retrieval (seed 001 §3.4):
 *   (i)   a first caption T_q: the language model's, or the best UCS label phrase without one;
 *   (ii)  the top-k refined pairs by S = W·<A_q, A_k> + (1−W)·<T_q, T_k>;
 *   (iii) the final caption: the language model given the audio and the retrieved captions, or,
 *         without one, the best retrieved caption when it agrees with this file's audio as well
 *         as a knowledge-base pair must agree with its own (z on the audio against the reference
 *         sounds at least `captionZ`; README "Captions"), else the category phrase.
 * Every result carries the retrieved pairs (evidence) and which route made the caption.
 */
import type { DecodedAudio } from '../../audio/types';
import { CuebankError } from '../../errors';
import type { Embedder } from '../../models/types';
import { suggestKeywords } from './keywords';
import type { KnowledgeBase } from './knowledge-base';
import { embedTexts } from './text-vectors';
import type { KbHit, KbSettings, LalmCaptioner } from './types';

export type CaptionRoute = 'lalm' | 'retrieved' | 'category';

export interface CaptionQuery {
  fileId: number;
  /** The file's audio embedding (mean of its windows, normalised). */
  audio: Float32Array;
  /** The decoded audio, for the language-model route. */
  samples?: DecodedAudio;
  /** The best UCS label phrase. */
  labelPhrase: string;
  /** The chosen CatID's UCS synonyms. */
  catSynonyms: string[];
}

export interface CaptionResult {
  caption: string;
  firstCaption: string;
  route: CaptionRoute;
  evidence: KbHit[];
  keywords: string[];
}

export interface CaptionDeps {
  kb: KnowledgeBase;
  embedder: Embedder;
  lalm: LalmCaptioner | null;
  settings: KbSettings;
}

export async function captionFile(deps: CaptionDeps, q: CaptionQuery, signal?: AbortSignal): Promise<CaptionResult> {
  const { kb, embedder, lalm, settings } = deps;
  const label = q.labelPhrase.replace(/\s+/g, ' ').trim();
  if (!label) throw new CuebankError('invalid_input', 'Captioning needs the UCS label phrase of the file.');
  if (lalm && !q.samples) throw new CuebankError('invalid_input', 'The language-model caption route needs the file’s decoded audio.');

  const firstCaption = lalm ? await lalm.describe(q.samples!, signal) : label;
  signal?.throwIfAborted();
  const [text] = await embedTexts(embedder, [firstCaption]);
  const query = { audio: q.audio, text };
  const evidence = kb.retrieve(query, { w: settings.w, k: settings.k, excludeFileId: q.fileId });

  let caption: string;
  let route: CaptionRoute;
  if (lalm) {
    caption = await lalm.describeWithContext(q.samples!, evidence.map((e) => e.caption), signal);
    route = 'lalm';
  } else {
    const best = evidence[0];
    const z = best ? await kb.captionAgreement(best, q.audio) : null;
    if (best && z !== null && z >= settings.captionZ) {
      caption = best.caption;
      route = 'retrieved';
    } else {
      caption = label;
      route = 'category';
    }
  }
  const keywords = await suggestKeywords(kb, q, evidence, settings);
  return { caption, firstCaption, route, evidence, keywords };
}
