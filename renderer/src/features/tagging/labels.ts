import type { TagRoute, TagSource } from '../../../../preload/contract';

/** A confidence in 0..1 as a whole percentage ("87%"). */
export function percent(confidence: number | null | undefined): string {
  return confidence === null || confidence === undefined ? '–' : `${Math.round(confidence * 100)}%`;
}

export const SOURCE_LABEL: Record<TagSource, string> = {
  file: 'from the file',
  suggested: 'suggested',
  accepted: 'accepted',
  edited: 'edited',
  rejected: 'rejected',
};

export const ROUTE_LABEL: Record<TagRoute, string> = {
  lalm: 'described by the audio-language model with your library’s captions as context',
  retrieved: 'the caption of the closest described sound in your library',
  category: 'the UCS category’s own words (no close described sound)',
  file: 'the file’s own name and metadata',
};
