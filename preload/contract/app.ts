import { z } from 'zod';
import { channel, Empty, PathSchema } from './common';

/**
 * Channels the host answers itself (Electron main or the web bridge), not the engine: native
 * dialogs, the file manager, drag-out. A host without the ability answers
 * `{ ok: false, error: { code: 'unsupported' } }` and the renderer offers the fallback.
 */
export const AppInfoSchema = z.object({
  host: z.enum(['electron', 'bridge']),
  platform: z.string(),
  version: z.string(),
  /** What this host can do natively. */
  can: z.object({ chooseFolders: z.boolean(), reveal: z.boolean(), dragOut: z.boolean() }),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const appChannels = {
  'app.info': channel(Empty, AppInfoSchema),
  'app.chooseFolders': channel(Empty, z.object({ paths: z.array(z.string()) })),
  'app.reveal': channel(z.object({ path: PathSchema }).strict(), z.object({})),
  'app.startDrag': channel(z.object({ paths: z.array(PathSchema).min(1).max(500) }).strict(), z.object({})),
};

/** The engine process's state as its host sees it. */
export const EngineStatusSchema = z.object({
  state: z.enum(['starting', 'ready', 'restarting', 'stopped']),
  /** Why it restarted (e.g. the exit code of a crash), for the user. */
  reason: z.string().nullable(),
  restarts: z.number().int(),
});
export type EngineStatus = z.infer<typeof EngineStatusSchema>;

/**
 * Files dropped on the window, with their real paths (Electron only: the preload resolves them,
 * since a sandboxed page cannot). The renderer's own drop handler knows where they landed.
 */
export const DroppedSchema = z.object({ paths: z.array(z.string()) });

export const appEvents = {
  'engine.status': EngineStatusSchema,
  'app.dropped': DroppedSchema,
};
