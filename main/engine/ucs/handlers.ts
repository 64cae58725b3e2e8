/** The ucs.* channels: the shipped UCS list, for pickers and CatID checks (projects, tagging). */
import type { ChannelOutput, ChannelParsed } from '../../../preload/contract';
import { loadUcsCatalogue } from './catalogue';

type UcsChannel = 'ucs.categories' | 'ucs.check';

export type UcsHandlers = { [N in UcsChannel]: (input: ChannelParsed<N>) => Promise<ChannelOutput<N>> };

export function ucsHandlers(): UcsHandlers {
  return {
    'ucs.categories': async () => {
      const c = await loadUcsCatalogue();
      return { version: c.version, categories: [...c.categories] };
    },
    'ucs.check': async ({ catId }) => {
      const c = await loadUcsCatalogue();
      const found = c.lookup(catId);
      return { valid: Boolean(found), category: found ?? null, suggestions: found ? [] : c.closeMatches(catId, 5) };
    },
  };
}
