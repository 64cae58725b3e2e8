import fs from 'node:fs/promises';
import path from 'node:path';
import { audioDigest } from '../../audio/audio-digest';
import { writePieces } from '../../audio/byte-pieces';
import { AudioSource, withSource } from '../../audio/source';
import { CuebankError } from '../../errors';
import { commitTemp, discardTemp, openTemp, removeStaleTemps } from '../../export/atomic-write';
import { mismatchedFields, planFields } from './fields';
import { inspect, rewritePieces, type Inspected } from './formats';
import { failureText, writeBlocker } from './problems';
import type { TagValues, WritePlan, WriteResult } from './types';

export type { FieldChange, TagFormat, TagValues, WritePlan, WriteResult } from './types';

export interface WriteOptions {
  /** Keep a copy of the original as `<name>.bak` (then `.bak.2`, … when that name is taken). */
  backup?: boolean;
  /** Runs after the new file is written and verified, just before it replaces the original (tests inject failures here). */
  beforeCommit?: (tmp: string) => void | Promise<void>;
}

/** The preview: per field before → after, or the reason the file is refused. Reads headers only. */
export async function planTagWrite(file: string, values: TagValues): Promise<WritePlan> {
  try {
    const real = await fs.realpath(file);
    const blocked = await writeBlocker(file, await fs.stat(real));
    return await withSource(real, async (src) => {
      const f = await inspect(src);
      const { changes } = planFields(f.format, f.meta, values);
      return { path: file, format: f.format, refusal: blocked, changes };
    });
  } catch (err) {
    return { path: file, format: null, refusal: failureText(err, file), changes: [] };
  }
}

/**
 * Writes the tag values into the file, safely: the new file is streamed beside the original under
 * a temporary name (same folder, so the rename is atomic), flushed to disk, read back and checked
 * (the audio payload's hash equals the original's and every field reads back as planned), then
 * renamed over the original with the original's permissions. Any failure removes the temporary and
 * leaves the original untouched. Returns a result value; it does not throw.
 */
export async function writeTagsToFile(file: string, values: TagValues, o: WriteOptions = {}): Promise<WriteResult> {
  const result = (status: WriteResult['status'], extra: Partial<WriteResult> = {}): WriteResult => ({
    path: file,
    status,
    changes: [],
    backup: null,
    error: null,
    size: null,
    mtimeMs: null,
    ...extra,
  });
  let real: string;
  let before: Awaited<ReturnType<typeof fs.stat>>;
  try {
    real = await fs.realpath(file);
    before = await fs.stat(real);
    const blocked = await writeBlocker(file, before);
    if (blocked) return result('refused', { error: blocked });
  } catch (err) {
    return result('failed', { error: failureText(err, file) });
  }
  removeStaleTemps(path.dirname(real));

  const src = await AudioSource.open(real).catch((err: unknown) => err);
  if (!(src instanceof AudioSource)) return result('failed', { error: failureText(src, file) });
  let tmp: string | null = null;
  let open = true;
  const closeOnce = async () => {
    if (open) await src.close();
    open = false;
  };
  try {
    let f: Inspected;
    try {
      f = await inspect(src);
    } catch (err) {
      return result('refused', { error: failureText(err, file) });
    }
    const plan = planFields(f.format, f.meta, values);
    if (!plan.edits.size) return result('unchanged', { changes: plan.changes, size: Number(before.size), mtimeMs: Number(before.mtimeMs) });
    let pieces;
    try {
      pieces = await rewritePieces(src, f, plan.edits);
    } catch (err) {
      return result('refused', { changes: plan.changes, error: failureText(err, file) });
    }

    const opened = await openTemp(real, Number(before.mode) & 0o7777);
    tmp = opened.tmp;
    try {
      await writePieces(opened.handle, src, pieces);
      await opened.handle.chmod(Number(before.mode) & 0o7777); // the umask must not narrow the original's mode
      await opened.handle.sync();
    } finally {
      await opened.handle.close();
    }

    await verify(tmp, src, f.format, f.offset, plan.expected);
    const now = await fs.stat(real);
    if (now.size !== before.size || now.mtimeMs !== before.mtimeMs) {
      throw new CuebankError('invalid_input', `${file} changed while its tags were being written; it was left as it is now`);
    }
    const backup = o.backup ? await makeBackup(real) : null;
    await o.beforeCommit?.(tmp);
    // Windows cannot rename over a file that is still open.
    await closeOnce();
    commitTemp(tmp, real, true);
    tmp = null;
    const after = await fs.stat(real);
    return result('written', { changes: plan.changes, backup, size: after.size, mtimeMs: after.mtimeMs });
  } catch (err) {
    return result('failed', { error: failureText(err, file) });
  } finally {
    if (tmp) discardTemp(tmp);
    await closeOnce();
  }
}

/** Reads the new file back: same format, every field as planned, the audio payload's hash unchanged. */
async function verify(tmp: string, original: AudioSource, format: string, offset: number, expected: Map<string, string | null>): Promise<void> {
  await withSource(tmp, async (written) => {
    const f = await inspect(written);
    if (f.format !== format) throw new CuebankError('internal', `Verification failed: the new file reads as ${f.format}, not ${format}; the original is untouched`);
    const wrong = mismatchedFields(f.format, f.meta, expected);
    if (wrong.length) throw new CuebankError('internal', `Verification failed: ${wrong.join('; ')}; the original is untouched`);
    const [a, b] = await Promise.all([audioDigest(original, f.format, offset), audioDigest(written, f.format, f.offset)]);
    if (a !== b) throw new CuebankError('internal', 'Verification failed: the audio of the new file differs from the original; the original is untouched');
  });
}

/** Copies the original to the first free `<name>.bak`, `<name>.bak.2`, … and flushes it; returns its path. */
async function makeBackup(real: string): Promise<string> {
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${real}.bak` : `${real}.bak.${n}`;
    try {
      await fs.copyFile(real, name, fs.constants.COPYFILE_EXCL);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    const h = await fs.open(name, 'r+');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
    return name;
  }
}
