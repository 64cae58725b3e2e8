import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { runsElsewhere } from '../runner';

/**
 * Exported files reach their final name only whole: bytes go to a hidden temporary file in the same
 * folder (`.<final name>.cuebank-partial-<pid>-<random>`), are flushed to disk, and the file is then
 * renamed (overwrite) or hard-linked (no-clobber: the link fails if the name appeared meanwhile,
 * so nothing is ever replaced without being asked). A killed export leaves at most a temporary
 * file, which never looks like a final one and which the next export into that folder removes.
 */
const TEMP_PATTERN = /^\..+\.cuebank-partial-(\d+)-[0-9a-f]{8}$/;

export function tempNameFor(finalPath: string): string {
  const rand = randomBytes(4).toString('hex');
  return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.cuebank-partial-${process.pid}-${rand}`);
}

export function isTempName(name: string): boolean {
  return TEMP_PATTERN.test(name);
}

/** Writes the temporary file and flushes it to disk; returns its path. */
export function writeTemp(finalPath: string, data: Uint8Array): string {
  const tmp = tempNameFor(finalPath);
  const fd = fs.openSync(tmp, 'wx');
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return tmp;
}

/**
 * Creates the temporary file for `finalPath` (exclusively, so an existing name is never reused) for
 * a caller that streams into it; the caller flushes, closes, and commits or discards it.
 */
export async function openTemp(finalPath: string, mode = 0o666): Promise<{ tmp: string; handle: fsp.FileHandle }> {
  const tmp = tempNameFor(finalPath);
  return { tmp, handle: await fsp.open(tmp, 'wx', mode) };
}

/**
 * Moves a finished temporary file to its final name. `overwrite` false never replaces an existing
 * file: it returns false when the name is taken, and the temporary file stays for another try
 * (the caller discards it).
 */
export function commitTemp(tmp: string, finalPath: string, overwrite: boolean): boolean {
  if (overwrite) {
    fs.renameSync(tmp, finalPath);
    syncDir(path.dirname(finalPath));
    return true;
  }
  try {
    fs.linkSync(tmp, finalPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // File systems without hard links (FAT, some network shares): check, then rename. Not
    // race-free against another writer, but never replaces what was there when we looked.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') throw err;
    if (fs.existsSync(finalPath)) return false;
    fs.renameSync(tmp, finalPath);
    syncDir(path.dirname(finalPath));
    return true;
  }
  fs.rmSync(tmp, { force: true });
  syncDir(path.dirname(finalPath));
  return true;
}

export function discardTemp(tmp: string): void {
  fs.rmSync(tmp, { force: true });
}

/** Writes `data` to `finalPath` atomically (temporary file, flush, rename). */
export function writeFileAtomic(finalPath: string, data: Uint8Array | string, overwrite = true): boolean {
  const tmp = writeTemp(finalPath, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  try {
    return commitTemp(tmp, finalPath, overwrite);
  } finally {
    discardTemp(tmp);
  }
}

/** Makes the rename itself durable where the platform allows (not on Windows). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Directories cannot be opened or synced on some platforms; the rename still happened.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Removes temporary files that earlier exports left in `dir` (killed or crashed), except those of
 * a process that is still running (another export into the same folder). Returns how many.
 */
export function removeStaleTemps(dir: string): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = TEMP_PATTERN.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (runsElsewhere(pid)) continue;
    try {
      fs.rmSync(path.join(dir, name), { force: true });
      removed++;
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}
