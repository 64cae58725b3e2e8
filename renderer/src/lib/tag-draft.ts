import type { TagRow } from '../../../preload/contract';

/** What the artist changed on a file's tag and has not saved yet. Absent fields are unchanged. */
export interface TagDraft {
  caption?: string;
  catId?: string;
  keywords?: string[];
}

const sameKeywords = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * The draft's fields that really differ from the tag: what `tagging.set` must send. A caption is
 * compared trimmed and an empty one is no change (the contract refuses an empty caption); CatIDs
 * compare case-insensitively, as the engine reads them.
 */
export function changedFields(row: Pick<TagRow, 'caption' | 'catId' | 'keywords'>, draft: TagDraft | undefined): TagDraft {
  const out: TagDraft = {};
  if (!draft) return out;
  const caption = draft.caption?.trim();
  if (caption && caption !== (row.caption ?? '')) out.caption = caption;
  if (draft.catId && draft.catId.toLowerCase() !== (row.catId ?? '').toLowerCase()) out.catId = draft.catId;
  if (draft.keywords !== undefined && !sameKeywords(draft.keywords, row.keywords)) out.keywords = draft.keywords;
  return out;
}
