import { z } from 'zod';

/**
 * Shared pieces of the IPC contract. This folder imports nothing from electron or node: the
 * renderer, preload, main, the engine and the web bridge all use the same schemas.
 */
export const ErrorValueSchema = z.object({
  code: z.string(),
  message: z.string(),
});
export type ErrorValue = z.infer<typeof ErrorValueSchema>;

/** Results cross process boundaries as values, never as thrown errors. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorValue };

export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: ErrorValueSchema }),
  ]);
}

/** An absolute or relative file-system path as typed by a user or chosen in a dialog. */
export const PathSchema = z.string().min(1).max(4096);

/** A channel: what the renderer sends and what comes back. */
export interface Channel<I extends z.ZodType, O extends z.ZodType> {
  input: I;
  output: O;
}

export const channel = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O): Channel<I, O> => ({
  input,
  output,
});

export const Empty = z.object({}).strict();
