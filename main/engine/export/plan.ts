import fs from 'node:fs';
import path from 'node:path';
import type { ExportSettings, PlannedFile, ProjectItem } from '../../../preload/contract/projects';
import { CuebankError } from '../errors';
import { numberedName, plainFileName, sanitizeUcsParts, ucsFileName, variationFxName } from '../ucs/naming';
import type { UcsCatalogue, UcsCategory } from '../ucs/catalogue';
import { seededRandom } from '../seeded-random';
import type { UcsFields } from './metadata';

/**
 * What an export will write: one file per item (and per variation), its name, and whether that
 * name is taken in the target folder now. Names are UCS names for items with a CatID, else the
 * item's name. Two planned files never share a name: later ones are numbered like keep-both.
 */
export interface FilePlan extends PlannedFile {
  item: ProjectItem;
  /** Playback speed of the variation (1 for the item itself). */
  speed: number;
  /** UCS fields as written into the file's metadata (null for plain names). */
  ucs: UcsFields | null;
  /** The un-numbered name without extension: keep-both tries `<baseName>_2`, `_3`, … until one is free. */
  baseName: string;
  extension: string;
  hasUserData: boolean;
}

export function planExport(
  items: ProjectItem[],
  settings: ExportSettings,
  outDir: string,
  extension: string,
  catalogue: UcsCatalogue,
): FilePlan[] {
  const plans: FilePlan[] = [];
  const taken = new Set<string>();
  for (const item of items) {
    const speeds = variationSpeeds(settings.variations, item.id);
    const numbered = speeds.length > 1;
    speeds.forEach((speed, k) => {
      const key = k === 0 ? item.id : `${item.id}#${k}`;
      let category: UcsCategory | undefined;
      let problem: string | null = item.available ? null : `The item's audio is missing: ${item.audioPath}`;
      if (item.catId) {
        category = catalogue.lookup(item.catId);
        if (!category) problem ??= `Unknown UCS CatID "${item.catId}"`;
      }
      const fxBase = item.fxName ?? item.name;
      const fxName = numbered ? variationFxName(fxBase, k + 1, settings.fxNameMaxLength) : fxBase;
      const creatorId = item.creatorId ?? settings.creatorId ?? '';
      const sourceId = item.sourceId ?? settings.sourceId ?? '';
      let baseName: string;
      let ucs: UcsFields | null = null;
      if (category) {
        const parts = { catId: category.catId, userCategory: item.userCategory, vendorCategory: item.vendorCategory, fxName, creatorId, sourceId, userData: item.userData };
        baseName = ucsFileName(parts, settings.fxNameMaxLength);
        const p = sanitizeUcsParts(parts, settings.fxNameMaxLength);
        ucs = {
          catId: p.catId,
          category: category.category,
          subCategory: category.subCategory,
          fxName: p.fxName,
          creatorId: p.creatorId,
          sourceId: p.sourceId,
          ...(p.userCategory ? { userCategory: p.userCategory } : {}),
          ...(p.vendorCategory ? { vendorCategory: p.vendorCategory } : {}),
          ...(p.userData ? { userData: p.userData } : {}),
        };
      } else {
        baseName = numbered ? plainFileName(`${item.name} ${String(k + 1).padStart(2, '0')}`) : plainFileName(item.name);
      }
      const hasUserData = Boolean(ucs?.userData);
      let fileName = `${baseName}.${extension}`;
      let duplicate = false;
      for (let n = 2; taken.has(fileName.toLowerCase()); n++) {
        duplicate = true;
        fileName = `${numberedName(baseName, n, hasUserData)}.${extension}`;
      }
      taken.add(fileName.toLowerCase());
      const full = path.join(outDir, fileName);
      plans.push({
        key,
        itemId: item.id,
        itemName: item.name,
        variation: k,
        fileName,
        path: full,
        clash: fs.existsSync(full),
        duplicate,
        naming: ucs ? 'ucs' : 'plain',
        problem,
        item,
        speed,
        ucs,
        baseName,
        extension,
        hasUserData,
      });
    });
  }
  return plans;
}

/**
 * Speeds of an item's files: 1 for the item itself, then `count` distinct speeds 1 ± k/100 with
 * k ≤ amount·100, in an order drawn from `seed` and the item id, so an export repeats exactly.
 */
export function variationSpeeds(v: ExportSettings['variations'], itemId: string): number[] {
  if (v.count === 0) return [1];
  const max = Math.round(v.amount * 100);
  const steps: number[] = [];
  for (let k = 1; k <= max; k++) steps.push(k, -k);
  if (v.count > steps.length) {
    throw new CuebankError('invalid_input', `${v.count} variations need a variation amount of at least ${Math.ceil(v.count / 2) / 100}`);
  }
  const rand = seededRandom(hash(`${v.seed}:${itemId}`));
  for (let i = steps.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [steps[i], steps[j]] = [steps[j], steps[i]];
  }
  return [1, ...steps.slice(0, v.count).map((k) => (100 + k) / 100)];
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193);
  return h >>> 0;
}
