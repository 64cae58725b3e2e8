import { z } from 'zod';
import { channel, PathSchema } from './common';

/**
 * Writing accepted tags into the audio files (issue 11, item 6): only as an explicit action, with a
 * preview first. `tagging.writePlan` shows per file and field the value before and after (or why the
 * file is refused); `tagging.write` writes, each file through a verified temporary renamed over it.
 * Paths are files or folders of the library; files whose tag is not accepted are skipped.
 */
const Paths = z.object({ paths: z.array(PathSchema).min(1).max(10_000) }).strict();

export const FieldChangeSchema = z.object({
  field: z.string(),
  before: z.string().nullable(),
  after: z.string().nullable(),
  /** Set when the field is kept as it was (it holds the user's own text). */
  note: z.string().optional(),
});
export type FieldChange = z.infer<typeof FieldChangeSchema>;

const Skipped = z.object({ path: z.string(), reason: z.string() });

export const TagWritePlanSchema = z.object({
  files: z.array(
    z.object({
      path: z.string(),
      format: z.string().nullable(),
      /** Null when the file can be written. */
      refusal: z.string().nullable(),
      changes: z.array(FieldChangeSchema),
    }),
  ),
  skipped: z.array(Skipped),
});
export type TagWritePlan = z.infer<typeof TagWritePlanSchema>;

export const TagWriteSummarySchema = z.object({
  written: z.array(z.object({ path: z.string(), fields: z.array(FieldChangeSchema), backup: z.string().nullable() })),
  skipped: z.array(Skipped),
  failed: z.array(z.object({ path: z.string(), error: z.string() })),
});
export type TagWriteSummary = z.infer<typeof TagWriteSummarySchema>;

export const tagWriteChannels = {
  'tagging.writePlan': channel(Paths, TagWritePlanSchema),
  'tagging.write': channel(Paths.extend({ backup: z.boolean().default(false) }).strict(), TagWriteSummarySchema),
};
