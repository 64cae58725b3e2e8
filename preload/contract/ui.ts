import { z } from 'zod';
import { channel, Empty } from './common';
import { SearchFiltersSchema } from './search';

/** What the renderer restores after a restart: the last query and view choices. */
export const UiStateSchema = z
  .object({
    lastQuery: z
      .object({
        text: z.string().max(1000).default(''),
        examplePath: z.string().max(4096).nullable().default(null),
        weight: z.number().min(0).max(1).default(0.5),
        filters: SearchFiltersSchema.default({}),
      })
      .nullable()
      .default(null),
    selectedPath: z.string().max(4096).nullable().default(null),
  })
  .strict();
export type UiState = z.infer<typeof UiStateSchema>;

export const uiChannels = {
  'ui.getState': channel(Empty, UiStateSchema),
  'ui.setState': channel(UiStateSchema, z.object({})),
};
