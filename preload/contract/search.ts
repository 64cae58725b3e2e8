import { z } from 'zod';
import { channel, PathSchema } from './common';

export const SearchFiltersSchema = z
  .object({
    minDuration: z.number().nonnegative().optional(),
    maxDuration: z.number().nonnegative().optional(),
    sampleRates: z.array(z.number().int().positive()).max(32).optional(),
    channels: z.array(z.number().int().positive()).max(32).optional(),
    /** Only files under this folder (a library folder or any folder below one). */
    folder: PathSchema.optional(),
    /** Only files whose tag (suggested, accepted, edited or the file's own) has one of these UCS CatIDs. */
    catIds: z.array(z.string().min(1).max(64)).max(100).optional(),
    /** Only files whose tag's CatID is in this UCS Category (e.g. "WEATHER"), any subcategory. */
    category: z.string().min(1).max(64).optional(),
  })
  .strict();
export type SearchFilters = z.infer<typeof SearchFiltersSchema>;

/**
 * One query, one ranking. Text alone ranks by text-to-audio similarity plus keyword matches in
 * names and metadata; a sound alone ranks by audio similarity; both rank pair-to-pair
 * (seed 001 eq. 4): S = W·S_audio + (1−W)·S_text.
 */
export const SearchQuerySchema = z
  .object({
    text: z.string().max(1000).optional(),
    /** An audio file to search by example ("more like this"). */
    audioPath: PathSchema.optional(),
    /** W in [0, 1]; default from settings (0.5). */
    weight: z.number().min(0).max(1).optional(),
    filters: SearchFiltersSchema.optional(),
    limit: z.number().int().min(1).max(100_000).optional(),
  })
  .strict()
  .refine((q) => (q.text && q.text.trim()) || q.audioPath || q.filters, {
    message: 'A search needs text, a sound, or filters',
  });
export type SearchQuery = z.infer<typeof SearchQuerySchema>;

export const SearchHitSchema = z.object({
  fileId: z.number().int(),
  path: z.string(),
  name: z.string(),
  folder: z.string(),
  score: z.number(),
  /** The best-matching window of the file, seconds. */
  start: z.number(),
  end: z.number(),
  duration: z.number(),
  sampleRate: z.number().int(),
  channels: z.number().int(),
  bitsPerSample: z.number().int().nullable(),
  codec: z.string(),
  /** Parts of the score, for explaining a rank. */
  parts: z.object({
    audio: z.number().nullable(),
    text: z.number().nullable(),
    keyword: z.number().nullable(),
    /** Text-to-text similarity of the query and the file's caption (seed 001 eq. 3); null when not scored. */
    caption: z.number().nullable().optional(),
  }),
  /** The file's tag (not rejected), for the library list's caption and CatID columns; null when it has none. */
  tag: z
    .object({ caption: z.string().nullable(), catId: z.string().nullable(), source: z.string() })
    .nullable()
    .optional(),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

export const SearchResponseSchema = z.object({
  results: z.array(SearchHitSchema),
  /** 'semantic' when a CLAP pack ranked the results, 'keyword' when only names and metadata could. */
  mode: z.enum(['semantic', 'keyword', 'filter']),
  /** Plain-language notes, e.g. that meaning-based search needs a model pack. */
  notes: z.array(z.string()),
});
export type SearchResponse = z.infer<typeof SearchResponseSchema>;

export const searchChannels = {
  'search.query': channel(SearchQuerySchema, SearchResponseSchema),
};
