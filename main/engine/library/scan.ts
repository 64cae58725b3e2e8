import fs from 'node:fs/promises';
import path from 'node:path';

/** Extensions Cuebank tries to read; the content decides the real format. */
export const AUDIO_EXTENSIONS = new Set([
  '.wav', '.wave', '.bwf', '.rf64', '.w64',
  '.aif', '.aiff', '.aifc',
  '.flac', '.mp3', '.ogg', '.oga', '.opus',
]);

export interface ScanEntry {
  /** The path as found under the library folder (through any symlinked folder). */
  path: string;
  /** The resolved path: one file reached twice through links is one entry. */
  realPath: string;
  size: number;
  mtimeMs: number;
}

export interface ScanProblem {
  path: string;
  error: string;
}

export interface ScanOptions {
  followSymlinks: boolean;
  signal?: AbortSignal;
  /** Called now and then with the number of audio files found so far. */
  onFound?: (found: number) => void;
}

export function isAudioName(name: string): boolean {
  // AppleDouble files ("._name.wav") are macOS metadata next to copied files, never audio.
  if (name.startsWith('._')) return false;
  return AUDIO_EXTENSIONS.has(path.extname(name).toLowerCase());
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ELOOP':
      return 'Symbolic link loop';
    case 'ENOENT':
      return 'Broken symbolic link or missing file';
    case 'EACCES':
    case 'EPERM':
      return 'Permission denied';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Lists the audio files under the given folders. Symbolic links to folders are followed once: a
 * real folder is visited at most once however many links lead to it, so link loops end and no file
 * is listed twice. Problems (unreadable folders, broken or looping links) are reported, never thrown.
 */
export async function scanFolders(roots: string[], opts: ScanOptions): Promise<{ files: ScanEntry[]; problems: ScanProblem[] }> {
  const files: ScanEntry[] = [];
  const problems: ScanProblem[] = [];
  const visitedDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const stack: string[] = [];

  for (const root of roots) {
    try {
      const real = await fs.realpath(root);
      const st = await fs.stat(real);
      if (!st.isDirectory()) problems.push({ path: root, error: 'Not a folder' });
      else stack.push(path.resolve(root));
    } catch (err) {
      problems.push({ path: root, error: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'Folder not found' : describe(err) });
    }
  }

  // Real folders first, links after: a file reachable both ways keeps its real path.
  const linked: string[] = [];
  while (stack.length || linked.length) {
    opts.signal?.throwIfAborted();
    const dir = stack.length ? stack.pop()! : linked.shift()!;
    let realDir: string;
    try {
      realDir = await fs.realpath(dir);
    } catch (err) {
      problems.push({ path: dir, error: describe(err) });
      continue;
    }
    if (visitedDirs.has(realDir)) continue;
    visitedDirs.add(realDir);

    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ path: dir, error: describe(err) });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        subdirs.push(full);
        continue;
      }
      if (entry.isSymbolicLink()) {
        if (!opts.followSymlinks) continue;
        let st;
        try {
          st = await fs.stat(full);
        } catch (err) {
          problems.push({ path: full, error: describe(err) });
          continue;
        }
        if (st.isDirectory()) linked.push(full);
        else if (st.isFile() && isAudioName(entry.name)) await addFile(full);
        continue;
      }
      if (entry.isFile() && isAudioName(entry.name)) await addFile(full);
    }
    // Depth-first in name order: push in reverse so the first name is visited first.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }

  return { files, problems };

  async function addFile(full: string): Promise<void> {
    try {
      const realPath = await fs.realpath(full);
      if (seenFiles.has(realPath)) return;
      const st = await fs.stat(realPath);
      seenFiles.add(realPath);
      files.push({ path: full, realPath, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) });
      if (opts.onFound && files.length % 250 === 0) opts.onFound(files.length);
    } catch (err) {
      problems.push({ path: full, error: describe(err) });
    }
  }
}
