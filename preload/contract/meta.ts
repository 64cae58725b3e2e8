import { z } from 'zod';
import { channel, PathSchema } from './common';

export const FormatInfoSchema = z.object({
  container: z.string(),
  codec: z.string(),
  sampleRate: z.number(),
  channels: z.number().int(),
  bitsPerSample: z.number().int().nullable(),
  frames: z.number(),
  duration: z.number(),
});

export const BextSchema = z.object({
  description: z.string(),
  originator: z.string(),
  originatorReference: z.string(),
  originationDate: z.string(),
  originationTime: z.string(),
  timeReference: z.number(),
  version: z.number().int(),
  umid: z.string(),
  loudnessValue: z.number().nullable(),
  loudnessRange: z.number().nullable(),
  maxTruePeakLevel: z.number().nullable(),
  maxMomentaryLoudness: z.number().nullable(),
  maxShortTermLoudness: z.number().nullable(),
  codingHistory: z.string(),
});

export const FileMetaSchema = z.object({
  format: FormatInfoSchema,
  bext: BextSchema.nullable(),
  ixml: z.record(z.string(), z.unknown()).nullable(),
  info: z.record(z.string(), z.string()),
  cues: z.array(z.object({ id: z.number(), position: z.number(), label: z.string() })),
  sampler: z
    .object({
      midiUnityNote: z.number(),
      loops: z.array(z.object({ start: z.number(), end: z.number(), type: z.number(), playCount: z.number() })),
    })
    .nullable(),
  warnings: z.array(z.string()),
});
export type FileMetaValue = z.infer<typeof FileMetaSchema>;

export const metaChannels = {
  'library.meta': channel(z.object({ path: PathSchema }).strict(), FileMetaSchema),
};
