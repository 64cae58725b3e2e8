import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {
  ConflictPolicy,
  ExportedFile,
  ExportSettings,
  ExportSummary,
  Project,
  ProjectItem,
} from '../../../preload/contract/projects';
import { decodeFile } from '../audio/read';
import type { DecodedAudio } from '../audio/types';
import { CuebankError, toErrorValue } from '../errors';
import type { JobContext } from '../jobs/manager';
import { numberedName } from '../ucs/naming';
import type { UcsCatalogue } from '../ucs/catalogue';
import { commitTemp, discardTemp, removeStaleTemps, writeTemp } from './atomic-write';
import { applyGain, frames, measure, processAudio, type ProcessedAudio } from './chain';
import { encodeAudio, fileExtension } from './encode';
import { lossyLoudnessCorrection } from './lossy-loudness';
import { describeSettings, writeManifest, type RunStamp } from './manifest';
import { measureKeptFile, readEarlierRecord } from './manifest-record';
import type { ExportMetadata } from './metadata';
import { planExport, type FilePlan } from './plan';
import { encodingLabel, formatBits } from './settings';

/** Everything an export needs, resolved before the job starts (so bad requests fail at once). */
export interface PreparedExport {
  project: Project;
  settings: ExportSettings;
  outDir: string;
  plans: FilePlan[];
}

export function prepareExport(
  project: Project,
  allItems: ProjectItem[],
  itemIds: string[] | undefined,
  settings: ExportSettings,
  outDir: string,
  catalogue: UcsCatalogue,
): PreparedExport {
  let items = allItems;
  if (itemIds) {
    const byId = new Map(allItems.map((i) => [i.id, i]));
    const missing = itemIds.filter((id) => !byId.has(id));
    if (missing.length) throw new CuebankError('not_found', `Not items of project "${project.name}": ${missing.join(', ')}`);
    items = itemIds.map((id) => byId.get(id)!);
  }
  const abs = path.resolve(outDir);
  if (fs.existsSync(abs) && !fs.statSync(abs).isDirectory()) throw new CuebankError('invalid_input', `Not a folder: ${outDir}`);
  return { project, settings, outDir: abs, plans: planExport(items, settings, abs, fileExtension(settings.format), catalogue) };
}

type Written = ExportSummary['written'][number];
type Skipped = ExportSummary['skipped'][number];
type Failed = ExportSummary['failed'][number];

/**
 * The export job: per item, decode once; per planned file, process, encode, write to a temporary
 * file and move it to its name under the conflict policy. A failing item is reported and the rest
 * export; cancel is honoured between files and between blocks of long items, and the file in
 * flight never reaches its final name. The manifest is written at the end (also after a cancel,
 * listing what was written until then).
 */
export async function runExport(
  prep: PreparedExport,
  onConflict: ConflictPolicy,
  overrides: Record<string, ConflictPolicy>,
  ctx: Pick<JobContext, 'signal' | 'progress' | 'partial'>,
): Promise<ExportSummary> {
  const { settings, outDir, plans, project } = prep;
  fs.mkdirSync(outDir, { recursive: true });
  const staleTempFilesRemoved = removeStaleTemps(outDir);
  const startedAt = new Date();
  const run: RunStamp = { id: randomUUID(), at: startedAt, settings: describeSettings(settings) };
  // Read before anything in the folder changes: the manifest written at the end replaces it.
  const earlier = readEarlierRecord(outDir, project.name);
  const written: Written[] = [];
  const skipped: Skipped[] = [];
  const failed: Failed[] = [];
  const sources = new Map(plans.map((p) => [p.itemId, sourceOf(p.item)]));
  const summary = () => ({ outDir, project: project.name, settings, written, skipped, failed, staleTempFilesRemoved });

  let done = 0;
  const report = (plan: FilePlan | null) =>
    ctx.progress({
      fraction: plans.length ? done / plans.length : 1,
      stage: 'export',
      detail: { done, total: plans.length, item: plan?.itemName ?? null, file: plan?.fileName ?? null },
    });

  try {
    for (const group of groupByItem(plans)) {
      let audio: DecodedAudio | null = null;
      for (const plan of group) {
        checkCancel(ctx.signal);
        report(plan);
        const policy = overrides[plan.key] ?? onConflict;
        try {
          if (plan.problem) throw new CuebankError('invalid_input', plan.problem);
          if (policy === 'skip' && fs.existsSync(plan.path)) {
            skip(plan, 'a file of that name exists (policy: skip)');
          } else {
            audio ??= await decodeSource(plan.item);
            const file = await exportOne(plan, audio, prep, policy, startedAt, ctx.signal);
            if (file) {
              written.push(file);
              ctx.partial({ written: file });
            } else {
              skip(plan, 'a file of that name appeared during the export (policy: skip)');
            }
          }
        } catch (err) {
          if (isCancel(err, ctx.signal)) throw err;
          const error = toErrorValue(err).message;
          failed.push({ key: plan.key, itemId: plan.itemId, item: plan.itemName, error });
          ctx.partial({ failed: { key: plan.key, item: plan.itemName, error } });
        }
        done++;
      }
    }
  } catch (err) {
    if (isCancel(err, ctx.signal)) writeManifest(summary(), sources, run, earlier);
    throw err;
  }
  report(null);
  // Kept files no earlier row describes are measured again, so the record keeps their loudness and peaks.
  for (const s of skipped) {
    const rel = path.relative(outDir, s.path).split(path.sep).join('/');
    if (!earlier.has(rel) && fs.existsSync(s.path)) earlier.set(rel, await measureKeptFile(outDir, s.path, ctx.signal));
  }
  const manifest = writeManifest(summary(), sources, run, earlier);
  return { ...summary(), manifest };

  function skip(plan: FilePlan, reason: string): void {
    skipped.push({ key: plan.key, itemId: plan.itemId, item: plan.itemName, path: plan.path, reason });
    ctx.partial({ skipped: { key: plan.key, item: plan.itemName, reason } });
  }
}

async function exportOne(
  plan: FilePlan,
  source: DecodedAudio,
  prep: PreparedExport,
  policy: ConflictPolicy,
  startedAt: Date,
  signal: AbortSignal,
): Promise<ExportedFile | null> {
  const { settings } = prep;
  const item = plan.item;
  let processed = await processAudio(source, { ...item }, settings, plan.speed, signal);
  checkCancel(signal);
  let bytes = await encodeAudio(processed.audio, settings.format, metadataFor(plan, prep, processed, startedAt));
  checkCancel(signal);
  const n = settings.normalize;
  if (settings.format.container === 'ogg' && n.mode === 'loudness' && processed.loudness.integrated !== null && !processed.ceilingLimited) {
    let correction = await lossyLoudnessCorrection(bytes, n.lufs);
    const peak = processed.loudness.truePeak;
    if (peak !== null) correction = Math.min(correction, n.truePeakDb - peak);
    if (correction !== 0) {
      applyGain(processed.audio, correction);
      processed = { ...processed, gainDb: processed.gainDb + correction, loudness: await measure(processed.audio, signal) };
      bytes = await encodeAudio(processed.audio, settings.format, metadataFor(plan, prep, processed, startedAt));
      checkCancel(signal);
    }
  }
  const tmp = writeTemp(plan.path, bytes);
  try {
    let target = plan.path;
    let renamed = plan.duplicate;
    const existed = fs.existsSync(target);
    if (policy === 'overwrite') {
      commitTemp(tmp, target, true);
    } else {
      // skip: never replace; keep-both: the next free numbered name.
      for (let n = 2; !commitTemp(tmp, target, false); n++) {
        if (policy === 'skip') return null;
        target = path.join(path.dirname(plan.path), `${numberedName(plan.baseName, n, plan.hasUserData)}.${plan.extension}`);
        renamed = true;
      }
    }
    return {
      path: target,
      key: plan.key,
      itemId: plan.itemId,
      item: plan.itemName,
      variation: plan.variation,
      source: sourceOf(item),
      format: settings.format.container,
      encoding: encodingLabel(settings.format),
      sampleRate: processed.audio.sampleRate,
      bits: formatBits(settings.format),
      channels: processed.audio.channels.length,
      duration: frames(processed.audio) / processed.audio.sampleRate,
      gainDb: processed.gainDb,
      ceilingLimited: processed.ceilingLimited,
      speed: plan.speed,
      replaced: policy === 'overwrite' && existed,
      renamed,
      loudness: processed.loudness,
      note: processed.note,
    };
  } finally {
    discardTemp(tmp);
  }
}

export function metadataFor(plan: FilePlan, prep: PreparedExport, processed: ProcessedAudio, origination: Date): ExportMetadata {
  const { settings, project } = prep;
  const item = plan.item;
  const creator = plan.ucs?.creatorId ?? item.creatorId ?? settings.creatorId ?? undefined;
  const source = plan.ucs?.sourceId ?? item.sourceId ?? settings.sourceId ?? undefined;
  const channels = processed.audio.channels.length;
  const bits = formatBits(settings.format);
  const coding = settings.format.container === 'ogg' ? 'A=VORBIS' : settings.format.container === 'flac' ? 'A=FLAC' : 'A=PCM';
  return {
    title: plan.ucs?.fxName ?? plan.fileName.slice(0, -plan.extension.length - 1),
    description: item.description ?? item.name,
    keywords: item.keywords.length ? item.keywords : undefined,
    designer: settings.designer ?? creator,
    library: settings.library ?? source,
    project: project.name,
    notes: item.notes || undefined,
    originator: 'Cuebank',
    originatorReference: item.id.replace(/-/g, '').slice(0, 32),
    origination,
    codingHistory: `${coding},F=${processed.audio.sampleRate},${bits ? `W=${bits},` : ''}M=${channels === 1 ? 'mono' : channels === 2 ? 'stereo' : `${channels}ch`},T=Cuebank export`,
    loudness: processed.loudness,
    ucs: plan.ucs ?? undefined,
    isLoop: item.isLoop,
    isGenerated: item.isGenerated,
    source: sourceOf(item),
  };
}

/** What the manifest and tags name as a file's origin: the take, or the file it was added from. */
export function sourceOf(item: ProjectItem): string {
  if (item.takeId) return `take:${item.takeId}`;
  return item.sourceKind === 'library' && item.available ? item.audioPath : item.originalPath;
}

async function decodeSource(item: ProjectItem): Promise<DecodedAudio> {
  try {
    return (await decodeFile(item.audioPath)).audio;
  } catch (err) {
    throw new CuebankError('corrupt_file', `Cannot decode ${item.audioPath}: ${toErrorValue(err).message}`);
  }
}

function groupByItem(plans: FilePlan[]): FilePlan[][] {
  const groups = new Map<string, FilePlan[]>();
  for (const p of plans) groups.set(p.itemId, [...(groups.get(p.itemId) ?? []), p]);
  return [...groups.values()];
}

function checkCancel(signal: AbortSignal): void {
  if (signal.aborted) throw new CuebankError('cancelled', 'Export cancelled');
}

function isCancel(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err instanceof CuebankError && err.code === 'cancelled');
}
