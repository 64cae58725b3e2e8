import fs from 'node:fs/promises';
import path from 'node:path';
import { CuebankError } from '../../errors';

/**
 * Why a file cannot be rewritten in place, in words, before anything is written: a file without
 * write permission bits is read-only by the user's choice (even to an administrator, who could write
 * it anyway), and the folder must take a new file beside the original.
 */
export async function writeBlocker(file: string, stat: { mode: number }): Promise<string | null> {
  if ((stat.mode & 0o222) === 0) return `The file is read-only: ${file} (no tags were written; make it writable to tag it)`;
  try {
    await fs.access(file, fs.constants.W_OK);
  } catch (err) {
    return fsProblem(err, file) ?? `The file cannot be written: ${file}`;
  }
  const dir = path.dirname(file);
  try {
    await fs.access(dir, fs.constants.W_OK);
  } catch {
    return `The folder ${dir} is read-only: the new file cannot be written beside the original, which is untouched`;
  }
  return null;
}

/** File system failures in words; null for errors that are not about the file system. */
export function fsProblem(err: unknown, file: string): string | null {
  switch ((err as NodeJS.ErrnoException)?.code) {
    case 'ENOSPC':
      return `The disk is full: the tagged copy of ${file} could not be written beside it; the original is untouched`;
    case 'EDQUOT':
      return `The disk quota is used up: the tagged copy of ${file} could not be written; the original is untouched`;
    case 'EROFS':
      return `${file} is on a read-only file system; nothing was written`;
    case 'EACCES':
    case 'EPERM':
      return `No permission to write ${file} or its folder; the original is untouched`;
    case 'ENOENT':
      return `File not found: ${file}`;
    default:
      return null;
  }
}

/** An error as the one-line reason a write failed. */
export function failureText(err: unknown, file: string): string {
  if (err instanceof CuebankError) return err.message;
  return fsProblem(err, file) ?? (err instanceof Error ? err.message : String(err));
}
