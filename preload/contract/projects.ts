import { z } from 'zod';
import { channel, Empty, PathSchema } from './common';
import { JobRefSchema } from './jobs';

/**
 * Projects and their export (issue 5). A project collects items: library picks (referenced, never
 * written; they follow a file the library index saw move) and generated takes or outside files
 * (copied into the project's own folder, so the project survives the original going away). Each item
 * has a name, notes, trim, fades, UCS fields and a version history (one row per edit). Deleting a
 * project or an item can be undone (`projects.undoDelete` restores the most recent delete).
 *
 * Export runs as one 'export' job (`projects.export` → { jobId }); its result is an ExportSummary.
 * A UI that wants to ask about name clashes calls `projects.exportPlan` first, asks the user, then
 * calls `projects.export` with a policy and optional per-file overrides (keys from the plan).
 */

const Id = z.string().min(1).max(100);
const Name = z.string().trim().min(1).max(200);
const Seconds = z.number().min(0).max(24 * 3600);
const ShortText = z.string().max(200);

export const FadeCurveSchema = z.enum(['linear', 'equalPower', 'exponential']);
export type FadeCurve = z.infer<typeof FadeCurveSchema>;

/**
 * The editable fields of an item. UCS fields: CatID (validated against the shipped UCS 8.2.1 list),
 * FXName (a short title; defaults to the item's name), CreatorID, SourceID, optional UserCategory,
 * VendorCategory and UserData; description and keywords go into the file's metadata.
 */
export const ItemFieldsSchema = z.object({
  name: Name,
  notes: z.string().max(10_000),
  /** Seconds into the item's audio (after its window) where the export starts. */
  trimIn: Seconds,
  /** Seconds into the item's audio where the export ends; null: the end. */
  trimOut: Seconds.nullable(),
  /** Fade lengths, seconds, applied inside the trimmed region. */
  fadeIn: Seconds,
  fadeOut: Seconds,
  fadeInCurve: FadeCurveSchema,
  fadeOutCurve: FadeCurveSchema,
  isLoop: z.boolean(),
  catId: ShortText.nullable(),
  fxName: ShortText.nullable(),
  creatorId: ShortText.nullable(),
  sourceId: ShortText.nullable(),
  userCategory: ShortText.nullable(),
  vendorCategory: ShortText.nullable(),
  userData: ShortText.nullable(),
  description: z.string().max(10_000).nullable(),
  keywords: z.array(z.string().trim().min(1).max(100)).max(200),
});
export type ItemFields = z.infer<typeof ItemFieldsSchema>;

export const ItemSourceKindSchema = z.enum(['library', 'file', 'take']);
export type ItemSourceKind = z.infer<typeof ItemSourceKindSchema>;

export const ProjectItemSchema = ItemFieldsSchema.extend({
  id: z.string(),
  projectId: z.string(),
  position: z.number().int(),
  /** 'library': a library file, referenced; 'file': an outside file, copied; 'take': a generated take, copied. */
  sourceKind: ItemSourceKindSchema,
  /** Where the audio was added from (library path at add time, outside file, or take file). */
  originalPath: z.string(),
  /** The file the item plays and exports from now (a library file's current path, or the project copy). */
  audioPath: z.string(),
  /** Whether audioPath exists right now (a library pick whose file was removed does not). */
  available: z.boolean(),
  libraryFileId: z.number().int().nullable(),
  takeId: z.string().nullable(),
  /** Window of the source the item uses, seconds; null: all of it. trimIn/trimOut are relative to it. */
  window: z.object({ start: z.number(), end: z.number() }).nullable(),
  isGenerated: z.boolean(),
  /** Of the item's audio (the window when there is one). */
  duration: z.number(),
  sampleRate: z.number().int(),
  channels: z.number().int(),
  /** From the UCS list when catId is valid. */
  category: z.string().nullable(),
  subCategory: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ProjectItem = z.infer<typeof ProjectItemSchema>;

export const ItemVersionSchema = z.object({
  version: z.number().int(),
  /** 'added' | 'edited' | 'restored' | 'duplicated' */
  change: z.string(),
  fields: ItemFieldsSchema,
  createdAt: z.number(),
});
export type ItemVersion = z.infer<typeof ItemVersionSchema>;

// ---- export settings ----

export const ExportFormatSchema = z.discriminatedUnion('container', [
  z.object({ container: z.literal('wav'), sample: z.enum(['pcm16', 'pcm24', 'float32']) }),
  z.object({ container: z.literal('flac'), bits: z.union([z.literal(16), z.literal(24)]) }),
  /** Vorbis VBR quality 0..1 (0.5 ≈ 160 kb/s stereo). */
  z.object({ container: z.literal('ogg'), quality: z.number().min(0).max(1) }),
]);
export type ExportFormatValue = z.infer<typeof ExportFormatSchema>;

export const NormalizeSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }),
  /** Sample peak to `peakDb` dBFS. */
  z.object({ mode: z.literal('peak'), peakDb: z.number().min(-60).max(0) }),
  /**
   * Integrated loudness (BS.1770-4, gated) to `lufs`, but never above the true-peak ceiling: when the
   * gain would push the true peak over `truePeakDb`, the gain is lowered to fit (there is no limiter),
   * and the file comes out quieter than the target (ExportedFile.ceilingLimited says so).
   */
  z.object({ mode: z.literal('loudness'), lufs: z.number().min(-70).max(0), truePeakDb: z.number().min(-20).max(0) }),
]);
export type NormalizeSettings = z.infer<typeof NormalizeSchema>;

export const ExportSettingsSchema = z.object({
  format: ExportFormatSchema,
  sampleRate: z.union([z.literal(44_100), z.literal(48_000), z.literal(96_000)]),
  /** 'mono' averages the channels; 'stereo' duplicates mono and folds more than two channels; 'keep' leaves them. */
  channels: z.enum(['mono', 'stereo', 'keep']),
  /** Removes head and tail quieter than this sample level (dBFS); null: no silence trim. */
  trimSilenceDb: z.number().min(-120).max(0).nullable(),
  /** Fades applied to every exported file after silence trim, seconds (on top of each item's own fades). */
  fadeIn: Seconds,
  fadeOut: Seconds,
  normalize: NormalizeSchema,
  /**
   * Extra files per item that differ by a small speed change (pitch and length together, like tape):
   * variation k plays at 1 ± up to `amount` (steps of 1%), chosen from `seed`, so the same settings
   * give the same files. Zero: only the item itself.
   */
  variations: z.object({ count: z.number().int().min(0).max(16), amount: z.number().min(0.01).max(0.12), seed: z.number().int().min(0) }),
  /** Used where an item has none: UCS CreatorID / SourceID (NONE when both are missing). */
  creatorId: ShortText.nullable(),
  sourceId: ShortText.nullable(),
  /** Metadata: DESIGNER (default: the CreatorID) and LIBRARY (default: the SourceID). */
  designer: ShortText.nullable(),
  library: ShortText.nullable(),
  /** FXName length limit in file names. */
  fxNameMaxLength: z.number().int().min(4).max(100),
});
export type ExportSettings = z.infer<typeof ExportSettingsSchema>;

export const ConflictPolicySchema = z.enum(['skip', 'overwrite', 'keep-both']);
export type ConflictPolicy = z.infer<typeof ConflictPolicySchema>;

export const ExportPresetSchema = z.object({ name: z.string(), settings: ExportSettingsSchema, updatedAt: z.number() });
export type ExportPreset = z.infer<typeof ExportPresetSchema>;

// ---- projects ----

export const ProjectSchema = z.object({
  id: z.string(),
  name: z.string(),
  notes: z.string(),
  itemCount: z.number().int(),
  /** The project's own folder (copies of generated and outside audio). */
  folder: z.string(),
  /** The project's export settings (the defaults from settings until changed). */
  exportSettings: ExportSettingsSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Project = z.infer<typeof ProjectSchema>;

export const ProjectDetailSchema = z.object({ project: ProjectSchema, items: z.array(ProjectItemSchema) });
export type ProjectDetail = z.infer<typeof ProjectDetailSchema>;

export const DeletedRefSchema = z.object({
  kind: z.enum(['project', 'item']),
  projectId: z.string(),
  itemId: z.string().nullable(),
  name: z.string(),
});
export type DeletedRef = z.infer<typeof DeletedRefSchema>;

/** What to add: a file path (library file or outside file, optional window in seconds) or a generated take. */
export const ItemSourceSchema = z.union([
  z.object({ path: PathSchema, window: z.object({ start: Seconds, end: Seconds }).optional() }).strict(),
  z.object({ takeId: Id }).strict(),
]);
export type ItemSourceInput = z.infer<typeof ItemSourceSchema>;

export const AddItemsSchema = z
  .object({
    projectId: Id,
    sources: z.array(ItemSourceSchema).min(1).max(1000),
    /** Fields every new item starts with (its name defaults to the file name). */
    fields: ItemFieldsSchema.partial().optional(),
    /** Copy library files into the project folder too (they are referenced otherwise). */
    copyLibraryFiles: z.boolean().optional(),
  })
  .strict();
export type AddItems = z.infer<typeof AddItemsSchema>;

// ---- export plan and summary ----

const ExportTarget = {
  projectId: Id,
  outDir: PathSchema,
  /** Overrides of the project's export settings for this export. */
  settings: ExportSettingsSchema.partial().optional(),
  /** Export only these items; omitted: every item. */
  itemIds: z.array(Id).max(10_000).optional(),
};

export const ExportPlanRequestSchema = z.object(ExportTarget).strict();

export const PlannedFileSchema = z.object({
  /** Identifies the file in overrides: `<itemId>` or `<itemId>#<variation>`. */
  key: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  /** 0 for the item itself, k for variation k. */
  variation: z.number().int(),
  fileName: z.string(),
  path: z.string(),
  /** A file of that name exists in the folder now. */
  clash: z.boolean(),
  /** Another planned file has the same name; this one is numbered whatever the policy. */
  duplicate: z.boolean(),
  /** 'ucs' when the item's CatID is valid; 'plain' (its name) when it has none. */
  naming: z.enum(['ucs', 'plain']),
  /** Why this file cannot be exported (unknown CatID, missing audio); null when it can. */
  problem: z.string().nullable(),
});
export type PlannedFile = z.infer<typeof PlannedFileSchema>;

export const ExportPlanSchema = z.object({
  outDir: z.string(),
  settings: ExportSettingsSchema,
  files: z.array(PlannedFileSchema),
  clashes: z.number().int(),
  manifest: z.object({ csv: z.string(), json: z.string() }),
});
export type ExportPlan = z.infer<typeof ExportPlanSchema>;

export const ExportRequestSchema = z
  .object({
    ...ExportTarget,
    onConflict: ConflictPolicySchema,
    /** Per-file policies that win over onConflict, keyed by PlannedFile.key. */
    overrides: z.record(z.string(), ConflictPolicySchema).optional(),
  })
  .strict();
export type ExportRequest = z.infer<typeof ExportRequestSchema>;

export const LoudnessValuesSchema = z.object({
  integrated: z.number().nullable(),
  range: z.number().nullable(),
  truePeak: z.number().nullable(),
  samplePeak: z.number().nullable(),
  momentaryMax: z.number().nullable(),
  shortTermMax: z.number().nullable(),
});

export const ExportedFileSchema = z.object({
  path: z.string(),
  key: z.string(),
  itemId: z.string(),
  item: z.string(),
  variation: z.number().int(),
  source: z.string(),
  format: z.enum(['wav', 'flac', 'ogg']),
  /** pcm16 | pcm24 | float32 | flac16 | flac24 | vorbis q0.5 */
  encoding: z.string(),
  sampleRate: z.number().int(),
  bits: z.number().int().nullable(),
  channels: z.number().int(),
  duration: z.number(),
  /** Gain the normaliser applied, dB (0 without normalisation). */
  gainDb: z.number(),
  /** The loudness target was not reached because the true-peak ceiling capped the gain. */
  ceilingLimited: z.boolean(),
  /** Speed factor of a variation (1 for the item itself). */
  speed: z.number(),
  /** An existing file was replaced (policy overwrite), or the name was numbered (keep-both / duplicate). */
  replaced: z.boolean(),
  renamed: z.boolean(),
  loudness: LoudnessValuesSchema,
  /** Why normalisation fell short or did not apply (ceiling, too short, silent); null otherwise. */
  note: z.string().nullable(),
});
export type ExportedFile = z.infer<typeof ExportedFileSchema>;

export const ExportSummarySchema = z.object({
  outDir: z.string(),
  project: z.string(),
  settings: ExportSettingsSchema,
  written: z.array(ExportedFileSchema),
  skipped: z.array(z.object({ key: z.string(), itemId: z.string(), item: z.string(), path: z.string(), reason: z.string() })),
  failed: z.array(z.object({ key: z.string(), itemId: z.string(), item: z.string(), error: z.string() })),
  manifest: z.object({ csv: z.string(), json: z.string() }),
  /** Stale temporary files of earlier, interrupted exports removed from the folder. */
  staleTempFilesRemoved: z.number().int(),
});
export type ExportSummary = z.infer<typeof ExportSummarySchema>;

/** 'partial' updates of export jobs: each file as it is written, skipped or fails. */
export const ExportPartialSchema = z.object({
  written: ExportedFileSchema.optional(),
  skipped: z.object({ key: z.string(), item: z.string(), reason: z.string() }).optional(),
  failed: z.object({ key: z.string(), item: z.string(), error: z.string() }).optional(),
});

// ---- UCS ----

export const UcsCategorySchema = z.object({
  catId: z.string(),
  category: z.string(),
  subCategory: z.string(),
  catShort: z.string(),
  explanation: z.string(),
  synonyms: z.array(z.string()),
});
export type UcsCategoryValue = z.infer<typeof UcsCategorySchema>;

export const UcsCheckSchema = z.object({
  valid: z.boolean(),
  /** The matching category (canonical CatID casing) when valid. */
  category: UcsCategorySchema.nullable(),
  /** Close CatIDs when invalid. */
  suggestions: z.array(UcsCategorySchema),
});

const ExportPresetsRequestSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('list') }).strict(),
  z.object({ action: z.literal('save'), name: Name, settings: ExportSettingsSchema }).strict(),
  z.object({ action: z.literal('delete'), name: Name }).strict(),
]);

const ProjectRef = z.object({ projectId: Id }).strict();

export const projectsChannels = {
  'projects.list': channel(Empty, z.array(ProjectSchema)),
  'projects.create': channel(z.object({ name: Name, notes: z.string().max(10_000).optional() }).strict(), ProjectSchema),
  'projects.rename': channel(z.object({ projectId: Id, name: Name }).strict(), ProjectSchema),
  /** Copies the project, its items (current state) and its folder; name defaults to "<name> copy". */
  'projects.duplicate': channel(z.object({ projectId: Id, name: Name.optional() }).strict(), ProjectSchema),
  'projects.delete': channel(ProjectRef, DeletedRefSchema),
  /** Restores the most recently deleted project or item; null when there is nothing to restore. */
  'projects.undoDelete': channel(Empty, DeletedRefSchema.nullable()),
  'projects.get': channel(ProjectRef, ProjectDetailSchema),
  'projects.addItems': channel(AddItemsSchema, z.array(ProjectItemSchema)),
  'projects.updateItem': channel(z.object({ itemId: Id, fields: ItemFieldsSchema.partial() }).strict(), ProjectItemSchema),
  'projects.removeItem': channel(z.object({ itemId: Id }).strict(), DeletedRefSchema),
  'projects.itemVersions': channel(z.object({ itemId: Id }).strict(), z.array(ItemVersionSchema)),
  'projects.setExportSettings': channel(z.object({ projectId: Id, settings: ExportSettingsSchema.partial() }).strict(), ProjectSchema),
  /** list / save (create or replace) / delete; always answers the presets after the action. */
  'projects.exportPresets': channel(ExportPresetsRequestSchema, z.array(ExportPresetSchema)),
  'projects.exportPlan': channel(ExportPlanRequestSchema, ExportPlanSchema),
  'projects.export': channel(ExportRequestSchema, JobRefSchema),
  'ucs.categories': channel(Empty, z.object({ version: z.string(), categories: z.array(UcsCategorySchema) })),
  'ucs.check': channel(z.object({ catId: z.string().max(200) }).strict(), UcsCheckSchema),
};
