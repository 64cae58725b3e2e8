import path from 'node:path';
import type { ExportSettings, ExportSummary } from '../../../preload/contract/projects';
import { sanitizePathPart } from '../ucs/naming';
import { writeFileAtomic } from './atomic-write';

/**
 * The export manifest: `<out>/<project>_manifest.csv` and `.json`, one row per planned file
 * (written, skipped or failed) plus one per file an earlier export left in the folder ('kept').
 * Paths in it are relative to the folder it lies in, so the folder can be handed on as it is. It is
 * the record of every file exports put in that folder: a file this run skipped keeps the row an
 * earlier run wrote for it (manifest-record.ts), and each row names the run that wrote its file.
 * It is the one file an export replaces without asking.
 */
export function manifestPaths(outDir: string, projectName: string): { csv: string; json: string } {
  const base = `${sanitizePathPart(projectName).replace(/_/g, ' ') || 'project'}_manifest`;
  return { csv: path.join(outDir, `${base}.csv`), json: path.join(outDir, `${base}.json`) };
}

export interface ManifestRow {
  /** written: by this run; skipped: this run left the file an earlier one wrote; kept: in the folder from an earlier run, not planned by this one. */
  status: 'written' | 'skipped' | 'failed' | 'kept';
  path: string;
  item: string;
  itemId: string;
  variation: number;
  source: string;
  format: string;
  encoding: string;
  sampleRate: number | null;
  bits: number | null;
  channels: number | null;
  duration: number | null;
  integratedLufs: number | null;
  truePeakDbtp: number | null;
  samplePeakDbfs: number | null;
  loudnessRangeLu: number | null;
  gainDb: number | null;
  ceilingLimited: boolean | null;
  speed: number | null;
  /** The export run that wrote the file (null: unknown, e.g. measured again without a record). */
  run: string | null;
  /** When that run started (ISO 8601); for a file measured again, its modification time. */
  writtenAt: string | null;
  /** That run's settings in words ('' when unknown). */
  settings: string;
  reason: string;
}

/** The run writing the manifest: its id, start and settings in words. */
export interface RunStamp {
  id: string;
  at: Date;
  settings: string;
}

export const CSV_COLUMNS: (keyof ManifestRow)[] = [
  'status',
  'path',
  'item',
  'itemId',
  'variation',
  'source',
  'format',
  'encoding',
  'sampleRate',
  'bits',
  'channels',
  'duration',
  'integratedLufs',
  'truePeakDbtp',
  'samplePeakDbfs',
  'loudnessRangeLu',
  'gainDb',
  'ceilingLimited',
  'speed',
  'run',
  'writtenAt',
  'settings',
  'reason',
];

/**
 * The rows: this run's written, skipped and failed files, then the earlier record's files this run
 * did not plan. `earlier` (by relative path) gives a skipped file its row from the run that wrote it.
 */
export function manifestRows(
  summary: Omit<ExportSummary, 'manifest'>,
  sources: Map<string, string>,
  run: RunStamp,
  earlier: Map<string, ManifestRow> = new Map(),
): ManifestRow[] {
  const rel = (p: string) => path.relative(summary.outDir, p).split(path.sep).join('/');
  const format = summary.settings.format.container;
  const stamp = { run: run.id, writtenAt: run.at.toISOString(), settings: run.settings };
  const rows: ManifestRow[] = summary.written.map((w) => ({
    status: 'written',
    path: rel(w.path),
    item: w.item,
    itemId: w.itemId,
    variation: w.variation,
    source: w.source,
    format: w.format,
    encoding: w.encoding,
    sampleRate: w.sampleRate,
    bits: w.bits,
    channels: w.channels,
    duration: round(w.duration, 6),
    integratedLufs: round(w.loudness.integrated, 2),
    truePeakDbtp: round(w.loudness.truePeak, 2),
    samplePeakDbfs: round(w.loudness.samplePeak, 2),
    loudnessRangeLu: round(w.loudness.range, 2),
    gainDb: round(w.gainDb, 2),
    ceilingLimited: w.ceilingLimited,
    speed: w.speed,
    ...stamp,
    reason: w.note ?? '',
  }));
  const empty = { format, encoding: '', sampleRate: null, bits: null, channels: null, duration: null, integratedLufs: null, truePeakDbtp: null };
  const more = { samplePeakDbfs: null, loudnessRangeLu: null, gainDb: null, ceilingLimited: null, speed: null, run: null, writtenAt: null, settings: '' };
  const covered = new Set(rows.map((r) => r.path));
  for (const s of summary.skipped) {
    const p = rel(s.path);
    covered.add(p);
    const known = earlier.get(p);
    const plan = { item: s.item, itemId: s.itemId, variation: variationOf(s.key), source: sources.get(s.itemId) ?? '' };
    if (known) {
      const from = known.run ? `the export of ${known.writtenAt ?? 'an earlier run'}` : 'an earlier export';
      rows.push({ ...known, ...plan, source: known.source || plan.source, status: 'skipped', reason: `${s.reason}; the file is the one ${from} wrote${known.run ? '' : ` (${known.reason})`}` });
    } else {
      rows.push({ status: 'skipped', path: p, ...plan, ...empty, ...more, reason: s.reason });
    }
  }
  for (const f of summary.failed) {
    rows.push({ status: 'failed', path: '', item: f.item, itemId: f.itemId, variation: variationOf(f.key), source: sources.get(f.itemId) ?? '', ...empty, ...more, reason: f.error });
  }
  for (const [p, known] of earlier) {
    if (!covered.has(p)) rows.push({ ...known, status: 'kept', reason: known.run ? 'in the folder from an earlier export, not part of this one' : known.reason });
  }
  return rows;
}

export function manifestCsv(rows: ManifestRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function manifestJson(summary: Omit<ExportSummary, 'manifest'>, rows: ManifestRow[], run: RunStamp): string {
  return `${JSON.stringify(
    { project: summary.project, run: run.id, exportedAt: run.at.toISOString(), settings: summary.settings, files: rows },
    null,
    2,
  )}\n`;
}

/** Writes both manifests atomically; returns their paths. */
export function writeManifest(
  summary: Omit<ExportSummary, 'manifest'>,
  sources: Map<string, string>,
  run: RunStamp,
  earlier?: Map<string, ManifestRow>,
): { csv: string; json: string } {
  const paths = manifestPaths(summary.outDir, summary.project);
  const rows = manifestRows(summary, sources, run, earlier);
  writeFileAtomic(paths.csv, manifestCsv(rows));
  writeFileAtomic(paths.json, manifestJson(summary, rows, run));
  return paths;
}

/** One line a person can read: "wav pcm24 48000 Hz keep; loudness -23 LUFS ceiling -1 dBTP; silence -60 dBFS". */
export function describeSettings(s: ExportSettings): string {
  const f = s.format;
  const format = f.container === 'wav' ? `wav ${f.sample}` : f.container === 'flac' ? `flac ${f.bits}-bit` : `ogg q${f.quality}`;
  const parts = [`${format} ${s.sampleRate} Hz ${s.channels}`];
  if (s.normalize.mode === 'peak') parts.push(`peak ${s.normalize.peakDb} dBFS`);
  if (s.normalize.mode === 'loudness') parts.push(`loudness ${s.normalize.lufs} LUFS ceiling ${s.normalize.truePeakDb} dBTP`);
  if (s.trimSilenceDb !== null) parts.push(`silence trim ${s.trimSilenceDb} dBFS`);
  if (s.fadeIn || s.fadeOut) parts.push(`fades ${s.fadeIn}/${s.fadeOut} s`);
  if (s.variations.count) parts.push(`${s.variations.count} variations ±${s.variations.amount * 100}% seed ${s.variations.seed}`);
  return parts.join('; ');
}

function variationOf(key: string): number {
  const i = key.indexOf('#');
  return i < 0 ? 0 : Number(key.slice(i + 1));
}

function round(v: number | null, digits: number): number | null {
  return v === null || !Number.isFinite(v) ? null : Number(v.toFixed(digits));
}

/** RFC 4180: quote cells holding a comma, quote or line break; formulas are defused for spreadsheets. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (/^[=+@]/.test(s) || (/^-/.test(s) && typeof v === 'string')) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
