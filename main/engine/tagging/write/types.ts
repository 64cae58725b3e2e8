/** What gets written: an accepted tag of the `tags` table (migration 007) as file fields. */
export interface TagValues {
  caption: string | null;
  catId: string | null;
  category: string | null;
  subCategory: string | null;
  fxName: string | null;
  keywords: string[];
}

/** One field of one file: its value before and after the write (after = before, with a note, when it is kept). */
export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
  note?: string;
}

export type TagFormat = 'wav' | 'rf64' | 'bw64' | 'flac' | 'ogg' | 'mp3';

/** The preview of a write: per field before → after, or why the file is refused. */
export interface WritePlan {
  path: string;
  format: TagFormat | null;
  /** Null when the file can be written; else the reason in words (format, damage, permissions). */
  refusal: string | null;
  changes: FieldChange[];
}

export interface WriteResult {
  path: string;
  /** 'written': replaced by the verified new file; 'unchanged': it already held the values; 'refused' / 'failed': the original is untouched. */
  status: 'written' | 'unchanged' | 'refused' | 'failed';
  changes: FieldChange[];
  /** The backup copy of the original, when one was asked for and made. */
  backup: string | null;
  error: string | null;
  /** The file as it is now (for the index: the audio did not change). */
  size: number | null;
  mtimeMs: number | null;
}
