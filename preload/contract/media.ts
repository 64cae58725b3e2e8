import { z } from 'zod';
import { channel, PathSchema } from './common';

/**
 * Which file a media request may stream. Hosts (the Electron protocol, the web bridge) ask the
 * engine before serving any byte: only indexed files and files inside library folders qualify.
 */
export const MediaGrantSchema = z.object({
  realPath: z.string(),
  size: z.number().int(),
  mimeType: z.string(),
});
export type MediaGrant = z.infer<typeof MediaGrantSchema>;

export const mediaChannels = {
  'media.resolve': channel(z.object({ path: PathSchema }).strict(), MediaGrantSchema),
};
