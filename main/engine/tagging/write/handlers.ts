import type { ChannelOutput, ChannelParsed } from '../../../../preload/contract';
import type { Db } from '../../db/open';
import { acceptedTags } from './accepted';
import { planTagWrite, writeTagsToFile } from './index';
import { syncRetaggedFile } from './library-sync';

type TagWriteChannel = 'tagging.writePlan' | 'tagging.write';
export type TagWriteHandlers = { [N in TagWriteChannel]: (input: ChannelParsed<N>) => Promise<ChannelOutput<N>> };

/**
 * The engine's handlers for writing accepted tags into files (spread into createEngine's handlers).
 * Files are written one after another: each is a full read and write of the file, and the disk,
 * not the CPU, sets the pace.
 */
export function tagWriteHandlers(db: Db): TagWriteHandlers {
  return {
    'tagging.writePlan': async ({ paths }) => {
      const { tags, skipped } = await acceptedTags(db, paths);
      const files = [];
      for (const t of tags) files.push(await planTagWrite(t.path, t.values));
      return { files, skipped };
    },
    'tagging.write': async ({ paths, backup }) => {
      const { tags, skipped } = await acceptedTags(db, paths);
      const summary: ChannelOutput<'tagging.write'> = { written: [], skipped: [...skipped], failed: [] };
      for (const t of tags) {
        const r = await writeTagsToFile(t.path, t.values, { backup });
        if (r.status === 'written') {
          try {
            await syncRetaggedFile(db, t, { size: r.size!, mtimeMs: r.mtimeMs! });
          } catch (err) {
            // The file is written and verified; only the index lags, and the next index run reads it again.
            summary.failed.push({ path: t.path, error: `Tags written, but the library index was not updated: ${(err as Error).message}` });
            continue;
          }
          summary.written.push({ path: t.path, fields: r.changes, backup: r.backup });
        } else if (r.status === 'unchanged') summary.skipped.push({ path: t.path, reason: 'The file already holds these tags' });
        else if (r.status === 'refused') summary.skipped.push({ path: t.path, reason: r.error ?? 'Refused' });
        else summary.failed.push({ path: t.path, error: r.error ?? 'Failed' });
      }
      return summary;
    },
  };
}
