/**
 * A process that writes tags into one file and stops just before the rename, once the verified
 * temporary exists: it prints `TEMP <path>` and waits to be killed (the crash-safety test).
 * Usage: node --import tsx write-tags-child.ts <file>
 */
import { writeTagsToFile } from '../../main/engine/tagging/write';

const file = process.argv[2];
void writeTagsToFile(
  file,
  { caption: 'Killed before the rename', catId: null, category: null, subCategory: null, fxName: null, keywords: [] },
  {
    beforeCommit: (tmp) => {
      process.stdout.write(`TEMP ${tmp}\n`);
      return new Promise<void>(() => undefined);
    },
  },
);
