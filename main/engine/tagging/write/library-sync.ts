import { withSource } from '../../audio/source';
import type { FileMeta } from '../../audio/types';
import type { Db } from '../../db/open';
import { FileQueries, recordRetaggedFile } from '../../db/queries/files';
import { fingerprint } from '../../library/fingerprint';
import { ftsDocument } from '../../library/keywords';
import { inspect } from './formats';

/**
 * Tells the library index about a file whose tags were just rewritten: new size, modification time
 * (truncated to the millisecond as the scanner reads it), fingerprint, metadata and full-text
 * document, in one transaction. The audio did not change (the write verified its hash), so its
 * windows and vectors stay, a following index run finds the file unchanged, and a tag that was made
 * for the old fingerprint follows to the new one (it is not stale).
 */
export async function syncRetaggedFile(db: Db, file: { fileId: number; realPath: string; folderPath: string; path: string }, stat: { size: number; mtimeMs: number }): Promise<void> {
  const print = await fingerprint(file.realPath, stat.size);
  const headerMeta = await withSource(file.realPath, async (src) => (await inspect(src)).meta);
  const row = db.prepare(`SELECT meta_json, fingerprint FROM files WHERE id = ?`).get(file.fileId) as { meta_json: string | null; fingerprint: string } | undefined;
  // Header reads do not know an MP3's or Ogg's length: the stored format (from decoding) still holds.
  const stored = row?.meta_json ? (JSON.parse(row.meta_json) as FileMeta) : null;
  const meta: FileMeta = { ...headerMeta, format: stored?.format ?? headerMeta.format, warnings: stored?.warnings ?? headerMeta.warnings };
  const files = new FileQueries(db);
  db.transaction(() => {
    recordRetaggedFile(db, file.fileId, { size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), fingerprint: print, metaJson: JSON.stringify(meta) });
    files.setFts(file.fileId, ftsDocument(file.path, file.folderPath, meta));
    // A tag made for this audio stays current: only the bytes around the audio changed.
    if (row) db.prepare(`UPDATE tags SET fingerprint = ? WHERE file_id = ? AND fingerprint = ?`).run(print, file.fileId, row.fingerprint);
  })();
}
