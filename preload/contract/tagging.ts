import { z } from 'zod';
import { channel, PathSchema } from './common';
import { JobRefSchema } from './jobs';

/**
 * Caption-tagging the library (issue 11): a tag job suggests, for each file without a description,
 * a caption, a UCS CatID with its top-3 alternatives and a calibrated confidence each, and keywords,
 * with the evidence behind them; the artist reviews the queue (accept, edit, reject) and accepted
 * tags are searchable at once. Writing tags into the audio files is a separate, explicit action:
 * `tagging.writePlan` / `tagging.write` live in ./tag-write.ts (the write-back's own channels).
 */

/** Where a file's current tag comes from. 'file': the file already carried a CatID (UCS name, iXML, ASWG). */
export const TagSourceSchema = z.enum(['file', 'suggested', 'accepted', 'edited', 'rejected']);
export type TagSource = z.infer<typeof TagSourceSchema>;

/**
 * How the caption was made: 'lalm' an audio-language model with the retrieved captions as context,
 * 'retrieved' the best retrieved caption of the library's own pairs, 'category' the UCS label phrase,
 * 'file' the file's own words (its CatID came with it).
 */
export const TagRouteSchema = z.enum(['lalm', 'retrieved', 'category', 'file']);
export type TagRoute = z.infer<typeof TagRouteSchema>;

/** One ranked CatID: confidence is calibrated (README "Tagging"), audio/words are the evidence parts. */
export const CatScoreSchema = z.object({
  catId: z.string(),
  category: z.string(),
  subCategory: z.string(),
  /** Calibrated probability in [0, 1] that this CatID is right. */
  confidence: z.number().min(0).max(1),
  /** Zero-shot audio–prompt similarity (cosine of the file's mean audio embedding and the CatID's prompts); null without a CLAP pack. */
  audio: z.number().nullable(),
  /** File words (name, folders, metadata) that matched this CatID's UCS name or synonyms. */
  words: z.array(z.string()),
});
export type CatScore = z.infer<typeof CatScoreSchema>;

/** A retrieved pair of the library's knowledge base: "sounds like these sounds from your library" (playable). */
export const TagEvidenceSchema = z.object({
  fileId: z.number().int(),
  path: z.string(),
  caption: z.string(),
  score: z.number(),
  audioScore: z.number(),
  textScore: z.number(),
});
export type TagEvidence = z.infer<typeof TagEvidenceSchema>;

/** A library file with its tag (all tag fields null / empty while it has none). */
export const TagRowSchema = z.object({
  fileId: z.number().int(),
  path: z.string(),
  name: z.string(),
  duration: z.number().nullable(),
  /** The file's own description from its metadata, when it has one (such files are not suggested for). */
  description: z.string().nullable(),
  caption: z.string().nullable(),
  catId: z.string().nullable(),
  category: z.string().nullable(),
  subCategory: z.string().nullable(),
  confidence: z.number().nullable(),
  /** The top 3 CatIDs, best first (the first is catId for a suggestion). */
  alternatives: z.array(CatScoreSchema),
  keywords: z.array(z.string()),
  /** Null: the file has no tag yet. */
  source: TagSourceSchema.nullable(),
  route: TagRouteSchema.nullable(),
  evidence: z.array(TagEvidenceSchema),
  /** The CLAP pack the suggestion was made with. */
  pack: z.string().nullable(),
  /** True when the file's audio changed since the suggestion was made (the next tag job redoes it). */
  stale: z.boolean(),
  updatedAt: z.number().nullable(),
});
export type TagRow = z.infer<typeof TagRowSchema>;

export const TagHistoryEntrySchema = z.object({
  caption: z.string().nullable(),
  catId: z.string().nullable(),
  keywords: z.array(z.string()),
  source: TagSourceSchema,
  at: z.number(),
});
export type TagHistoryEntry = z.infer<typeof TagHistoryEntrySchema>;

/**
 * Review queue filters: 'untagged' files with no tag (or a rejected one), 'suggested' suggestions
 * awaiting review, 'accepted' accepted, edited or carried by the file.
 */
export const TagFilterSchema = z.enum(['untagged', 'suggested', 'accepted']);
export type TagFilter = z.infer<typeof TagFilterSchema>;

/** Files named by path or by id (at least one of the two). */
const FileSelection = z
  .object({
    paths: z.array(PathSchema).max(100_000).optional(),
    fileIds: z.array(z.number().int()).max(100_000).optional(),
  })
  .strict()
  .refine((s) => (s.paths?.length ?? 0) + (s.fileIds?.length ?? 0) > 0, { message: 'Name at least one file' });

const OneFile = z
  .object({ path: PathSchema.optional(), fileId: z.number().int().optional() })
  .strict()
  .refine((s) => s.path !== undefined || s.fileId !== undefined, { message: 'Name a file by path or fileId' });

export const TagStartSchema = z
  .object({
    /** Library folders (or folders below one) to tag; with neither folders nor paths, the whole library. */
    folders: z.array(PathSchema).max(1000).optional(),
    /** Single files to tag. */
    paths: z.array(PathSchema).max(100_000).optional(),
  })
  .strict();
export type TagStart = z.infer<typeof TagStartSchema>;

export const TagListRequestSchema = z
  .object({
    filter: TagFilterSchema.default('suggested'),
    /** Only files under this folder. */
    folder: PathSchema.optional(),
    /** Only files whose tag has one of these CatIDs. */
    catIds: z.array(z.string().max(64)).max(100).optional(),
    limit: z.number().int().min(1).max(1000).default(100),
    offset: z.number().int().min(0).default(0),
  })
  .strict();
export type TagListRequest = z.input<typeof TagListRequestSchema>;

export const TagListSchema = z.object({
  rows: z.array(TagRowSchema),
  /** Rows matching the filter in all (for paging). */
  total: z.number().int(),
  /** How many files each filter holds (same folder restriction). */
  counts: z.object({ untagged: z.number().int(), suggested: z.number().int(), accepted: z.number().int() }),
});
export type TagList = z.infer<typeof TagListSchema>;

export const TagDetailSchema = TagRowSchema.extend({ history: z.array(TagHistoryEntrySchema) });
export type TagDetail = z.infer<typeof TagDetailSchema>;

export const TagSetSchema = z
  .object({
    path: PathSchema.optional(),
    fileId: z.number().int().optional(),
    caption: z.string().trim().min(1).max(2000).optional(),
    /** A UCS CatID (any case); an unknown one is refused with the closest CatIDs. */
    catId: z.string().max(64).optional(),
    keywords: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
  })
  .strict()
  .refine((s) => s.path !== undefined || s.fileId !== undefined, { message: 'Name a file by path or fileId' })
  .refine((s) => s.caption !== undefined || s.catId !== undefined || s.keywords !== undefined, {
    message: 'Give a caption, a catId or keywords to set',
  });
export type TagSet = z.input<typeof TagSetSchema>;

/** One file's outcome in a tag job (the CLI's --json `files` entries have this shape). */
export const TaggedFileSchema = z.object({
  path: z.string(),
  caption: z.string(),
  catId: z.string(),
  alternatives: z.array(z.object({ catId: z.string(), confidence: z.number() })),
  keywords: z.array(z.string()),
  route: TagRouteSchema,
  evidence: z.array(z.object({ path: z.string(), caption: z.string(), score: z.number() })),
});
export type TaggedFile = z.infer<typeof TaggedFileSchema>;

export const TagFailureSchema = z.object({ path: z.string(), error: z.string() });

/** What a tag job reports when it finishes. */
export const TagSummarySchema = z.object({
  /** Files given a new suggestion (or their own CatID, source 'file') in this run. */
  tagged: z.number().int(),
  /** Files left alone: they have a description, a current suggestion, an accepted tag or a rejection. */
  skipped: z.number().int(),
  failed: z.array(TagFailureSchema),
  files: z.array(TaggedFileSchema),
  /** Why a route was unavailable (no CLAP pack, no language model), when one was. */
  notes: z.array(z.string()),
});
export type TagSummary = z.infer<typeof TagSummarySchema>;

/** 'partial' updates of tag jobs: each file as it is tagged or fails. */
export const TagPartialSchema = z.object({
  tagged: TaggedFileSchema.optional(),
  failure: TagFailureSchema.optional(),
});
export type TagPartial = z.infer<typeof TagPartialSchema>;

const Accepted = z.object({ accepted: z.number().int() });
const Rejected = z.object({ rejected: z.number().int() });

export const taggingChannels = {
  /** Starts a tag job (kind 'tag'): progress with ETA in detail.etaSeconds, cancel with jobs.cancel. */
  'tagging.start': channel(TagStartSchema, JobRefSchema),
  'tagging.list': channel(TagListRequestSchema, TagListSchema),
  'tagging.get': channel(OneFile, TagDetailSchema),
  /** Accepts the files' suggestions (their captions join the knowledge base); files without one are left alone. */
  'tagging.accept': channel(FileSelection, Accepted),
  /** Accepts every suggestion whose confidence is at least `confidence` (under `folder` when given). */
  'tagging.acceptAbove': channel(
    z.object({ confidence: z.number().min(0).max(1), folder: PathSchema.optional() }).strict(),
    Accepted,
  ),
  /** Rejects the files' suggestions: no tag, and the tag job does not suggest again until the audio changes. */
  'tagging.reject': channel(FileSelection, Rejected),
  /** Edits a file's tag (source 'edited', history kept); the caption joins the knowledge base. */
  'tagging.set': channel(TagSetSchema, TagRowSchema),
  // tagging.writePlan / tagging.write: see ./tag-write.ts (write-back).
};
