import { z } from 'zod';
import { channel, Empty, ErrorValueSchema } from './common';

export const JobKindSchema = z.enum(['index', 'embed', 'generate', 'export', 'tag', 'download']);
export type JobKind = z.infer<typeof JobKindSchema>;

export const JobStateSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);
export type JobState = z.infer<typeof JobStateSchema>;

export const JobProgressSchema = z.object({
  /** 0..1, or null while the total is unknown. */
  fraction: z.number().min(0).max(1).nullable(),
  stage: z.string(),
  detail: z.record(z.string(), z.unknown()).default({}),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

/** Every job update is one of these, keyed on `type`; at most ~10 progress updates a second per job. */
export const JobUpdateSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('queued'), jobId: z.string(), kind: JobKindSchema }),
  z.object({ type: z.literal('progress'), jobId: z.string(), kind: JobKindSchema, progress: JobProgressSchema }),
  z.object({ type: z.literal('partial'), jobId: z.string(), kind: JobKindSchema, data: z.unknown() }),
  z.object({ type: z.literal('done'), jobId: z.string(), kind: JobKindSchema, result: z.unknown() }),
  z.object({ type: z.literal('failed'), jobId: z.string(), kind: JobKindSchema, error: ErrorValueSchema }),
  z.object({ type: z.literal('cancelled'), jobId: z.string(), kind: JobKindSchema }),
]);
export type JobUpdate = z.infer<typeof JobUpdateSchema>;

export const JobInfoSchema = z.object({
  id: z.string(),
  kind: JobKindSchema,
  state: JobStateSchema,
  params: z.unknown(),
  progress: JobProgressSchema.nullable(),
  result: z.unknown().nullable(),
  error: ErrorValueSchema.nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type JobInfo = z.infer<typeof JobInfoSchema>;

export const JobRefSchema = z.object({ jobId: z.string() });
export type JobRef = z.infer<typeof JobRefSchema>;

export const jobsChannels = {
  'jobs.list': channel(Empty, z.array(JobInfoSchema)),
  'jobs.cancel': channel(JobRefSchema.strict(), z.object({ cancelled: z.boolean() })),
};

export const jobsEvents = {
  'jobs.update': JobUpdateSchema,
};
