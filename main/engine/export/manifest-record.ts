import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { decodeFile } from '../audio/read';
import { toErrorValue } from '../errors';
import { measure } from './chain';
import { CSV_COLUMNS, describeSettings, manifestPaths, type ManifestRow } from './manifest';

/**
 * What the folder's earlier manifest knew, so that a re-export never loses it: the rows of files
 * an earlier run wrote that are still in the folder, by their path relative to it. The manifest is
 * read from the folder (JSON, else CSV), which anyone may have edited: every row is checked, rows
 * that do not make sense are ignored (their files are measured again when this run keeps them),
 * and no path may lead outside the folder.
 */
export type EarlierRecord = Map<string, ManifestRow>;

const num = z.number().finite().nullable().catch(null);
const text = z.string().catch('');
const rowSchema = z.object({
  status: z.string(),
  path: z.string().min(1),
  item: text,
  itemId: text,
  variation: z.number().int().nonnegative().catch(0),
  source: text,
  format: text,
  encoding: text,
  sampleRate: num,
  bits: num,
  channels: num,
  duration: num,
  integratedLufs: num,
  truePeakDbtp: num,
  samplePeakDbfs: num,
  loudnessRangeLu: num,
  gainDb: num,
  ceilingLimited: z.boolean().nullable().catch(null),
  speed: num,
  run: z.string().nullable().catch(null),
  writtenAt: z.string().nullable().catch(null),
  settings: z.string().nullable().catch(null),
  reason: text,
});
const manifestSchema = z.object({
  exportedAt: z.string().nullable().catch(null),
  run: z.string().nullable().catch(null),
  settings: z.unknown(),
  files: z.array(z.unknown()),
});

/** Rows that describe a file in the folder: written by a run, or carried over by one. */
function describesFile(row: z.infer<typeof rowSchema>): boolean {
  if (row.status === 'written' || row.status === 'kept') return true;
  // A skip row carries the file's record only when it was carried over (older manifests left nulls).
  return row.status === 'skipped' && row.duration !== null;
}

/** The earlier record of `outDir`, limited to files that are still there. Empty when there is none or it is unreadable. */
export function readEarlierRecord(outDir: string, project: string): EarlierRecord {
  const paths = manifestPaths(outDir, project);
  const parsed = readJson(paths.json) ?? readCsv(paths.csv);
  const record: EarlierRecord = new Map();
  if (!parsed) return record;
  for (const raw of parsed.files) {
    const r = rowSchema.safeParse(raw);
    if (!r.success || !describesFile(r.data)) continue;
    const rel = r.data.path;
    const abs = path.resolve(outDir, rel);
    if (path.isAbsolute(rel) || path.relative(outDir, abs).startsWith('..') || !isFile(abs)) continue;
    record.set(rel, {
      ...r.data,
      status: 'kept',
      run: r.data.run ?? parsed.run,
      writtenAt: r.data.writtenAt ?? parsed.exportedAt,
      settings: r.data.settings ?? parsed.settingsText,
    } as ManifestRow);
  }
  return record;
}

/**
 * A kept file no earlier manifest describes (it was missing, damaged, or written before manifests
 * recorded kept files, or its export was killed before the manifest): read and measured again, so
 * its row still has its loudness and peaks.
 */
export async function measureKeptFile(outDir: string, file: string, signal?: AbortSignal): Promise<ManifestRow> {
  const rel = path.relative(outDir, file).split(path.sep).join('/');
  const base: ManifestRow = {
    status: 'kept',
    path: rel,
    item: '',
    itemId: '',
    variation: 0,
    source: '',
    format: '',
    encoding: '',
    sampleRate: null,
    bits: null,
    channels: null,
    duration: null,
    integratedLufs: null,
    truePeakDbtp: null,
    samplePeakDbfs: null,
    loudnessRangeLu: null,
    gainDb: null,
    ceilingLimited: null,
    speed: null,
    run: null,
    writtenAt: mtimeIso(file),
    settings: '',
    reason: 'measured again: no earlier manifest row describes it',
  };
  try {
    const { meta, audio } = await decodeFile(file);
    // A file an export wrote carries its loudness in bext v2 (EBU Tech 3285): taken from there, only
    // the sample peak needs the samples. Anything else is measured in full (BS.1770-4, true peak).
    const b = meta.bext;
    const loudness =
      b && b.loudnessValue !== null && b.maxTruePeakLevel !== null
        ? { integrated: b.loudnessValue, truePeak: b.maxTruePeakLevel, range: b.loudnessRange, samplePeak: samplePeakDb(audio.channels) }
        : await measure(audio, signal);
    return {
      ...base,
      format: meta.format.container,
      encoding: meta.format.codec,
      sampleRate: meta.format.sampleRate,
      bits: meta.format.bitsPerSample,
      channels: meta.format.channels,
      duration: finite(meta.format.duration, 6),
      integratedLufs: finite(loudness.integrated, 2),
      truePeakDbtp: finite(loudness.truePeak, 2),
      samplePeakDbfs: finite(loudness.samplePeak, 2),
      loudnessRangeLu: finite(loudness.range, 2),
    };
  } catch (err) {
    if (signal?.aborted) throw err;
    return { ...base, reason: `could not be measured again: ${toErrorValue(err).message}` };
  }
}

function samplePeakDb(channels: Float32Array[]): number | null {
  let peak = 0;
  for (const c of channels) for (let i = 0; i < c.length; i++) peak = Math.max(peak, Math.abs(c[i]));
  return peak > 0 ? 20 * Math.log10(peak) : null;
}

function finite(v: number | null, digits: number): number | null {
  return v === null || !Number.isFinite(v) ? null : Number(v.toFixed(digits));
}

function mtimeIso(file: string): string | null {
  try {
    return fs.statSync(file).mtime.toISOString();
  } catch {
    return null;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

interface ParsedManifest {
  run: string | null;
  exportedAt: string | null;
  settingsText: string | null;
  files: unknown[];
}

function readJson(file: string): ParsedManifest | null {
  try {
    const m = manifestSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!m.success) return null;
    let settingsText: string | null = null;
    try {
      settingsText = m.data.settings ? describeSettings(m.data.settings as Parameters<typeof describeSettings>[0]) : null;
    } catch {
      // settings of an older or edited manifest: the rows stand without them
    }
    return { run: m.data.run, exportedAt: m.data.exportedAt, settingsText, files: m.data.files };
  } catch {
    return null;
  }
}

const NUMERIC = new Set(['variation', 'sampleRate', 'bits', 'channels', 'duration', 'integratedLufs', 'truePeakDbtp', 'samplePeakDbfs', 'loudnessRangeLu', 'gainDb', 'speed']);

/** The CSV manifest as rows (the JSON one was missing or damaged). */
function readCsv(file: string): ParsedManifest | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const [header, ...lines] = parseCsv(text);
  if (!header || header[0] !== CSV_COLUMNS[0] || !header.includes('path')) return null;
  const files = lines.map((cells) => {
    const row: Record<string, unknown> = {};
    header.forEach((col, i) => {
      const cell = cells[i] ?? '';
      if (NUMERIC.has(col)) row[col] = cell === '' ? null : Number(cell);
      else if (col === 'ceilingLimited') row[col] = cell === '' ? null : cell === 'true';
      else if (col === 'run' || col === 'writtenAt' || col === 'settings') row[col] = cell === '' ? null : cell;
      // csvCell defuses formulas with a leading apostrophe; undo it.
      else row[col] = /^'[=+@-]/.test(cell) ? cell.slice(1) : cell;
    });
    return row;
  });
  return { run: null, exportedAt: null, settingsText: null, files };
}

/** RFC 4180 cells: quoted cells may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
