import type { DecodedAudio } from '../../audio/types';
import type { TaggingKbSettings, TaggingSettings } from '../../config';

/** Where a pair's caption came from: an accepted/edited tag, or a field of the file's own metadata. */
export type PairSource = 'accepted' | 'edited' | 'ixml-description' | 'bext' | 'comment' | 'fxname' | 'ucs-name' | 'title';

/** One retrieved knowledge-base pair: S = W·audioScore + (1−W)·textScore (seed 001, eq. 4). */
export interface KbHit {
  fileId: number;
  path: string;
  caption: string;
  score: number;
  audioScore: number;
  textScore: number;
}

/**
 * Sizes before and after refinement. `pairs` counts every collected pair; `refined` those kept,
 * `excluded` those refinement keeps out. Extension: `pending` counts pairs not yet testable because
 * their file has no audio embedding in the current space (neither refined nor excluded).
 */
export interface KbStats {
  pairs: number;
  refined: number;
  excluded: number;
  bySource: Record<string, number>;
  pending: number;
}

/** What the knowledge base and captioning read: `tagging.kb` plus W and k from `tagging`. */
export interface KbSettings extends TaggingKbSettings {
  w: number;
  k: number;
}

export function kbSettingsOf(tagging: TaggingSettings): KbSettings {
  return { ...tagging.kb, w: tagging.w, k: tagging.k };
}

/** An audio-language model that writes captions (e.g. over an OpenAI-compatible endpoint). */
export interface LalmCaptioner {
  /** Where it runs, for messages and evidence. */
  readonly url: string;
  /** The first caption T_q = f_θ(A_q) (seed 001, eq. 5), from the audio alone. */
  describe(audio: DecodedAudio, signal?: AbortSignal): Promise<string>;
  /** The final caption: the audio with the retrieved captions as context. */
  describeWithContext(audio: DecodedAudio, captions: readonly string[], signal?: AbortSignal): Promise<string>;
}
