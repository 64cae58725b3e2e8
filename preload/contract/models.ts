import { z } from 'zod';
import { channel, Empty } from './common';

export const PackSummarySchema = z.object({
  id: z.string(),
  role: z.string(),
  name: z.string(),
  dir: z.string(),
  format: z.string(),
  licence: z.string().nullable(),
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

export const modelsChannels = {
  'models.status': channel(Empty, ModelsStatusSchema),
  /** Looks for packs again (after the user copied one in) and embeds what is not embedded yet. */
  'models.rescan': channel(Empty, ModelsStatusSchema.extend({ embedJobId: z.string().nullable() })),
};
