import { z } from 'zod';
import { channel, Empty, PathSchema } from './common';
import { JobRefSchema } from './jobs';

export const PackRoleSchema = z.enum(['embedder', 'generator', 'critic', 'captioner']);
export type PackRoleName = z.infer<typeof PackRoleSchema>;

/** A pack folder name: what catalog ids, remove and set-default take. */
export const PackIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._ -]*$/, 'a pack folder name').max(200);

export const PackSummarySchema = z.object({
  id: z.string(),
  role: z.string(),
  name: z.string(),
  dir: z.string(),
  format: z.string(),
  licence: z.string().nullable(),
  /** Bytes on disk (every file in the folder). */
  sizeBytes: z.number().int().nonnegative(),
  dtypes: z.array(z.string()),
  /** Where it came from (cuebank.json "source", e.g. hf:Xenova/clap-htsat-unfused@<commit>). */
  source: z.string().nullable(),
  /** The pack used for its role. */
  isDefault: z.boolean(),
  /** Execution provider it runs on, once loaded (CUDA, DirectML, Core ML, CPU); null: not loaded. */
  provider: z.string().nullable(),
  /** Why a preferred provider was not used, in plain words. */
  providerNotes: z.array(z.string()),
});
export type PackSummary = z.infer<typeof PackSummarySchema>;

export const ModelsStatusSchema = z.object({
  modelsDir: z.string(),
  packs: z.array(PackSummarySchema),
  problems: z.array(z.object({ dir: z.string(), error: z.string() })),
  /** The embedder in use, or null when no CLAP pack is present. */
  embedder: z
    .object({ packId: z.string(), space: z.string(), dim: z.number().int(), dtype: z.string(), provider: z.string() })
    .nullable(),
  /** Plain-language explanation when meaning-based search is unavailable. */
  note: z.string().nullable(),
});
export type ModelsStatus = z.infer<typeof ModelsStatusSchema>;

const CatalogFileViewSchema = z.object({ path: z.string(), size: z.number().int().nullable(), approxBytes: z.number().int().nullable() });

export const CatalogEntrySchema = z.object({
  id: z.string(),
  role: z.string(),
  name: z.string(),
  repo: z.string(),
  revision: z.string(),
  revisionPinned: z.boolean(),
  license: z.string(),
  description: z.string(),
  defaultDtype: z.string(),
  dtypes: z.array(z.object({ dtype: z.string(), approxBytes: z.number().int(), files: z.array(CatalogFileViewSchema) })),
  installed: z.boolean(),
  /** Bytes an unfinished download left (it resumes from there), or 0. */
  partialBytes: z.number().int().nonnegative(),
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

export const CatalogViewSchema = z.object({
  packs: z.array(CatalogEntrySchema),
  /** Recommended pack id per role (the first-run offer). */
  recommended: z.record(z.string(), z.string()),
  /** Roles Cuebank does not download, with how to add them. */
  notDownloadable: z.array(z.object({ role: z.string(), howToAdd: z.string() })),
  hubEndpoint: z.string(),
});
export type CatalogView = z.infer<typeof CatalogViewSchema>;

/** What a finished download job returns (also `cuebank models download --json`). */
export const DownloadResultSchema = z.object({
  id: z.string(),
  folder: z.string(),
  files: z.array(z.object({ path: z.string(), size: z.number().int(), sha256: z.string() })),
  resumedBytes: z.number().int(),
});
export type DownloadResult = z.infer<typeof DownloadResultSchema>;

/** Job progress detail of a download (`jobs.update`, stage "download"). */
export const DownloadProgressSchema = z.object({
  packId: z.string(),
  file: z.string(),
  fileIndex: z.number().int(),
  fileCount: z.number().int(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  bytesPerSecond: z.number(),
  etaSeconds: z.number().nullable(),
  resumedBytes: z.number(),
});
export type DownloadProgressDetail = z.infer<typeof DownloadProgressSchema>;

export const ModelSettingsViewSchema = z.object({
  defaults: z.object({ embedder: z.string().nullable(), generator: z.string().nullable() }),
  hubEndpoint: z.string(),
  /** Whether an access token is stored (the token itself never leaves the engine). */
  hasToken: z.boolean(),
  lalm: z.object({ url: z.string().nullable(), model: z.string().nullable() }),
});
export type ModelSettingsView = z.infer<typeof ModelSettingsViewSchema>;

const HttpUrl = z.string().regex(/^https?:\/\/\S+$/, 'an http(s) URL').max(2000);

export const modelsChannels = {
  'models.status': channel(Empty, ModelsStatusSchema),
  /** Looks for packs again (after the user copied one in) and embeds what is not embedded yet. */
  'models.rescan': channel(Empty, ModelsStatusSchema.extend({ embedJobId: z.string().nullable() })),
  'models.catalog': channel(Empty, CatalogViewSchema),
  /** Starts downloading a catalog pack as a job (kind "download"); resumes an unfinished one. */
  'models.download': channel(z.object({ id: PackIdSchema, dtype: z.string().min(1).max(20).optional() }).strict(), JobRefSchema),
  /** Deletes what an unfinished download left. */
  'models.discardDownload': channel(z.object({ id: PackIdSchema }).strict(), z.object({ freedBytes: z.number().int() })),
  /** Copies a pack from a folder or a .zip into the models folder, after checking it. */
  'models.import': channel(z.object({ path: PathSchema }).strict(), PackSummarySchema),
  /** Unloads the pack if loaded, then deletes its folder. */
  'models.remove': channel(z.object({ id: PackIdSchema }).strict(), z.object({ removed: z.string() })),
  /**
   * Sets the pack used for a role (null: the first one). For the embedder it says how many indexed
   * files have no vector in the new pack's space; `models.rescan` embeds them.
   */
  'models.setDefault': channel(
    z.object({ role: z.enum(['embedder', 'generator']), id: PackIdSchema.nullable() }).strict(),
    z.object({ settings: ModelSettingsViewSchema, space: z.string().nullable(), filesToEmbed: z.number().int() }),
  ),
  'models.settings': channel(Empty, ModelSettingsViewSchema),
  'models.setHub': channel(
    z.object({ endpoint: HttpUrl.nullable().optional(), token: z.string().max(4000).nullable().optional() }).strict(),
    ModelSettingsViewSchema,
  ),
  /** The audio-language-model endpoint used by the LALM critic, captions and the LALM decomposer. */
  'models.setLalm': channel(z.object({ url: HttpUrl.nullable(), model: z.string().max(200).nullable() }).strict(), ModelSettingsViewSchema),
  /** Asks the endpoint a one-word question; ok false carries the client's message. */
  'models.testLalm': channel(
    z.object({ url: HttpUrl.optional(), model: z.string().max(200).nullable().optional() }).strict(),
    z.object({ ok: z.boolean(), message: z.string() }),
  ),
};
