/**
 * Import of a pack a studio distributes, as a folder or a .zip: copied into a hidden staging folder
 * inside the models folder (discovery skips dot-folders), checked the way discovery checks packs
 * (layout, role) plus cuebank.json's sha256 when the pack has one, then moved into place with one
 * rename. The source is only read.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { CuebankError } from '../../errors';
import { MANIFEST_FILE, verifyPackFiles } from '../manifest';
import { inspectPack, type PackInfo } from '../packs';

export const IMPORTS_DIR = '.imports';

const looksLikePackRoot = (dir: string) => fs.existsSync(path.join(dir, MANIFEST_FILE)) || fs.existsSync(path.join(dir, 'config.json'));

/** The pack folder inside what was copied: itself, or its one sub-folder (a zip of a folder). */
function packRoot(dir: string): string | null {
  if (looksLikePackRoot(dir)) return dir;
  const entries = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.') && e.name !== '__MACOSX');
  if (entries.length === 1 && entries[0].isDirectory()) return packRoot(path.join(dir, entries[0].name));
  return null;
}

async function extractZip(zipPath: string, into: string): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: true }, (err, z) => (err || !z ? reject(err ?? new Error('cannot open')) : resolve(z))),
  ).catch((err: Error) => {
    throw new CuebankError('corrupt_file', `${path.basename(zipPath)} is not a readable zip file: ${err.message}`);
  });
  await new Promise<void>((resolve, reject) => {
    zip.on('error', (err: Error) =>
      reject(new CuebankError('invalid_input', `${path.basename(zipPath)} holds a path outside its folder or a damaged entry (${err.message}); not imported.`)),
    );
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      const name = entry.fileName;
      // A zip may name paths that leave the folder ("zip slip"): such a pack is refused, not half-imported.
      const parts = name.split('/');
      if (name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.includes('\\') || parts.includes('..')) {
        zip.close();
        return reject(new CuebankError('invalid_input', `${path.basename(zipPath)} holds a path outside its folder (${name}); not imported.`));
      }
      const target = path.join(into, ...parts.filter(Boolean));
      if (name.endsWith('/')) {
        fs.mkdirSync(target, { recursive: true });
        return zip.readEntry();
      }
      fs.mkdirSync(path.dirname(target), { recursive: true });
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) return reject(err ?? new Error('cannot read entry'));
        pipeline(stream, fs.createWriteStream(target)).then(() => zip.readEntry(), reject);
      });
    });
    zip.readEntry();
  });
}

export async function importPack(source: string, modelsDir: string): Promise<PackInfo> {
  const src = path.resolve(source);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(src);
  } catch {
    throw new CuebankError('not_found', `Nothing to import at ${src}`);
  }
  const models = path.resolve(modelsDir);
  const staging = path.join(models, IMPORTS_DIR, randomUUID());
  fs.mkdirSync(staging, { recursive: true });
  try {
    let name: string;
    if (stat.isDirectory()) {
      name = path.basename(src);
      await fs.promises.cp(src, path.join(staging, name), { recursive: true, dereference: false, filter: (p) => !path.basename(p).startsWith('.') || p === src });
    } else if (/\.zip$/i.test(src)) {
      name = path.basename(src).replace(/\.zip$/i, '');
      await extractZip(src, path.join(staging, name));
    } else {
      throw new CuebankError('unsupported_format', `${path.basename(src)} is neither a folder nor a .zip; a pack is imported from one of those.`);
    }
    const root = packRoot(path.join(staging, name));
    if (!root) throw new CuebankError('model_error', `${path.basename(src)} holds no model pack (no ${MANIFEST_FILE} or config.json at its top or in its one folder).`);
    const id = path.basename(root);
    if (!/^[A-Za-z0-9][A-Za-z0-9._ -]*$/.test(id)) throw new CuebankError('invalid_input', `"${id}" cannot be a pack folder name; rename it (letters, digits, ".", "_", "-").`);
    const target = path.join(models, id);
    if (fs.existsSync(target)) throw new CuebankError('invalid_input', `A pack named "${id}" is already installed; remove it first or rename the one to import.`);
    let info: PackInfo;
    try {
      info = inspectPack(root, models);
    } catch (err) {
      throw new CuebankError('model_error', `${path.basename(src)} is not a usable model pack: ${(err as Error).message}`);
    }
    if (info.manifest) await verifyPackFiles(root, info.manifest);
    fs.renameSync(root, target);
    return inspectPack(target, models);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    try {
      fs.rmdirSync(path.dirname(staging)); // only when no other import is under way
    } catch {
      // not empty: another import is running
    }
  }
}
