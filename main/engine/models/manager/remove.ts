import fs from 'node:fs';
import path from 'node:path';
import { CuebankError } from '../../errors';

/**
 * Deletes an installed pack's folder. The caller unloads it first (an ONNX session may hold its
 * files open, and on Windows they cannot be deleted while it does). The folder is first renamed
 * to a hidden name, so an interrupted delete never leaves a half pack that discovery would list.
 */
export function removePackFolder(modelsDir: string, id: string): string {
  const models = path.resolve(modelsDir);
  const dir = path.join(models, id);
  if (path.dirname(dir) !== models || id.startsWith('.')) throw new CuebankError('invalid_input', `"${id}" is not a pack folder name`);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CuebankError('not_found', `No pack "${id}" in ${models}`);
  const trash = path.join(models, `.removing-${id}-${process.pid}`);
  fs.renameSync(dir, trash);
  fs.rmSync(trash, { recursive: true, force: true });
  return dir;
}

/** Bytes of every file under a folder. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}
