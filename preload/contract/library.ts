import { z } from 'zod';
import { channel, Empty, PathSchema } from './common';
import { JobRefSchema } from './jobs';

export const FolderSchema = z.object({
  id: z.number().int(),
  path: z.string(),
  addedAt: z.number(),
  files: z.number().int(),
  failed: z.number().int(),
});
export type Folder = z.infer<typeof FolderSchema>;

export const IndexRequestSchema = z
  .object({
    /** Folders to (re)index; they are added to the library if new. Omitted: every library folder. */
    folders: z.array(PathSchema).max(1000).optional(),
  })
  .strict();
export type IndexRequest = z.infer<typeof IndexRequestSchema>;

export const IndexFailureSchema = z.object({ path: z.string(), error: z.string() });
export type IndexFailure = z.infer<typeof IndexFailureSchema>;

/** 'partial' updates of index jobs: each failure as it happens, so the UI lists them while the rest indexes. */
export const IndexPartialSchema = z.object({ failure: IndexFailureSchema });
export type IndexPartial = z.infer<typeof IndexPartialSchema>;

/** What an index job reports when it finishes. */
export const IndexSummarySchema = z.object({
  scanned: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  moved: z.number().int(),
  removed: z.number().int(),
  embedded: z.number().int(),
  failed: z.array(IndexFailureSchema),
  /** Why meaning-based search is unavailable, when it is; null when a CLAP pack embedded the files. */
  embeddingNote: z.string().nullable(),
});
export type IndexSummary = z.infer<typeof IndexSummarySchema>;

export const LibraryStatsSchema = z.object({
  folders: z.number().int(),
  files: z.number().int(),
  failed: z.number().int(),
  embedded: z.number().int(),
  windows: z.number().int(),
  totalSeconds: z.number(),
});
export type LibraryStats = z.infer<typeof LibraryStatsSchema>;

/** Peaks for a waveform thumbnail: `points` min/max pairs over the whole file, mono. */
export const WaveformRequestSchema = z.object({ path: PathSchema, points: z.number().int().min(16).max(4096) }).strict();
export const WaveformSchema = z.object({
  duration: z.number(),
  min: z.array(z.number()),
  max: z.array(z.number()),
});
export type Waveform = z.infer<typeof WaveformSchema>;

export const libraryChannels = {
  'library.folders': channel(Empty, z.array(FolderSchema)),
  'library.addFolders': channel(z.object({ paths: z.array(PathSchema).min(1).max(1000) }).strict(), z.array(FolderSchema)),
  'library.removeFolder': channel(z.object({ path: PathSchema }).strict(), z.object({ removedFiles: z.number().int() })),
  'library.index': channel(IndexRequestSchema, JobRefSchema),
  'library.failures': channel(Empty, z.array(IndexFailureSchema)),
  'library.stats': channel(Empty, LibraryStatsSchema),
  'library.waveform': channel(WaveformRequestSchema, WaveformSchema),
};
