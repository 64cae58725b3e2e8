import type { IndexSummary } from '../../preload/contract/library';
import type { ModelsStatus } from '../../preload/contract/models';
import type { ExportSummary, Project, ProjectItem } from '../../preload/contract/projects';
import type { SearchResponse } from '../../preload/contract/search';
import type { FileMeta } from '../engine/audio/types';
import type { LoudnessReport } from '../engine/audio/loudness';

const out = (text: string): void => void process.stdout.write(`${text}\n`);
const json = (value: unknown): void => out(JSON.stringify(value, null, 2));

export function printIndex(summary: IndexSummary, asJson: boolean): void {
  if (asJson) return json(summary);
  out(
    `scanned ${summary.scanned}: ${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged, ` +
      `${summary.moved} moved, ${summary.removed} removed, ${summary.embedded} embedded, ${summary.failed.length} failed`,
  );
  for (const f of summary.failed) out(`  failed: ${f.path}: ${f.error}`);
  if (summary.embeddingNote) out(summary.embeddingNote);
}

export function printSearch(response: SearchResponse, asJson: boolean): void {
  const results = response.results.map((r) => ({
    path: r.path,
    score: r.score,
    start: r.start,
    end: r.end,
    duration: r.duration,
    sampleRate: r.sampleRate,
    channels: r.channels,
  }));
  if (asJson) return json({ results, mode: response.mode, notes: response.notes });
  for (const n of response.notes) out(`note: ${n}`);
  results.forEach((r, i) =>
    out(`${String(i + 1).padStart(3)}. ${r.score.toFixed(3)}  ${r.path}  [${r.start.toFixed(1)}–${r.end.toFixed(1)} s of ${r.duration.toFixed(1)} s]`),
  );
  if (!results.length) out('no results');
}

export function printMeta(meta: FileMeta, asJson: boolean): void {
  if (asJson) return json(meta);
  const f = meta.format;
  out(`${f.container} ${f.codec} ${f.sampleRate} Hz ${f.channels} ch ${f.bitsPerSample ?? '-'} bit ${f.frames} frames (${f.duration.toFixed(3)} s)`);
  if (meta.bext) out(`bext: ${meta.bext.description} | ${meta.bext.originator} | time reference ${meta.bext.timeReference}`);
  for (const [k, v] of Object.entries(meta.info)) out(`${k}: ${v}`);
  if (meta.ixml) out(`iXML: ${Object.keys(meta.ixml).join(', ')}`);
  for (const w of meta.warnings) out(`warning: ${w}`);
}

/** Loudness rounded to 0.01; null (undefined, e.g. silence) shown as '-' in the table. */
export function printLoudness(report: LoudnessReport, asJson: boolean): void {
  const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  const r = {
    integrated: round(report.integrated),
    range: round(report.range),
    truePeak: round(report.truePeak),
    samplePeak: round(report.samplePeak),
    momentaryMax: round(report.momentaryMax),
    shortTermMax: round(report.shortTermMax),
  };
  if (asJson) return json(r);
  const row = (label: string, v: number | null, unit: string) => out(`${label.padEnd(16)}${v === null ? '-' : `${v.toFixed(2)} ${unit}`}`);
  row('integrated', r.integrated, 'LUFS');
  row('loudness range', r.range, 'LU');
  row('true peak', r.truePeak, 'dBTP');
  row('sample peak', r.samplePeak, 'dBFS');
  row('momentary max', r.momentaryMax, 'LUFS');
  row('short-term max', r.shortTermMax, 'LUFS');
}

export function printModels(status: ModelsStatus, asJson: boolean): void {
  if (asJson) return json(status);
  out(`models folder: ${status.modelsDir}`);
  for (const p of status.packs) {
    const size = `${(p.sizeBytes / 1e6).toFixed(1)} MB`;
    const runs = p.provider ? `, on ${p.provider}` : '';
    out(`  ${p.id} (${p.role}, ${p.format}, ${size}${p.licence ? `, ${p.licence}` : ''}${runs})${p.isDefault ? ' default' : ''}`);
    for (const n of p.providerNotes) out(`    ${n}`);
  }
  for (const p of status.problems) out(`  problem: ${p.dir}: ${p.error}`);
  out(status.embedder ? `embedder: ${status.embedder.space} on ${status.embedder.provider}` : (status.note ?? 'no embedder'));
}

export interface GenerateReport {
  iterations: {
    iteration: number;
    /** The take best-of-N kept, as copied into --out. */
    take: string;
    candidates: { take: string; score: number | null }[];
    strategy: string;
    events: { text: string; start: number; end: number; score: number; verdict: string }[];
    score: number | null;
    references: { event: string; path: string; score: number; start: number; end: number; accepted: boolean }[];
    /** What this iteration's regeneration changed and why, and the take (file) it started from. */
    change: { kind: string; detail: string; from: string | null } | null;
  }[];
  best: string | null;
  bestScore: number | null;
  /** How the loop ended when that needs saying (its last take is not its best, events still flagged). */
  note: string | null;
}

export function printGenerate(report: GenerateReport, asJson: boolean): void {
  if (asJson) return json(report);
  for (const it of report.iterations) {
    out(`iteration ${it.iteration} (${it.strategy}): score ${it.score?.toFixed(3) ?? '-'}  ${it.take}`);
    if (it.change) out(`  changed (${it.change.kind}): ${it.change.detail}${it.change.from ? `; from ${it.change.from}` : ''}`);
    for (const e of it.events) out(`  ${e.verdict.padEnd(7)} ${e.score.toFixed(3)}  ${e.text} [${e.start.toFixed(1)}–${e.end.toFixed(1)} s]`);
    for (const r of it.references) out(`  reference${r.accepted ? ' (used)' : ''} for "${r.event}": ${r.score.toFixed(3)}  ${r.path}`);
  }
  out(report.best ? `best: ${report.best}` : 'no take');
  if (report.note) out(`note: ${report.note}`);
}

export function printProjects(projects: Project[], asJson: boolean): void {
  if (asJson) return json(projects.map((p) => ({ id: p.id, name: p.name, items: p.itemCount, folder: p.folder, createdAt: p.createdAt, updatedAt: p.updatedAt })));
  for (const p of projects) out(`${p.name}  (${p.itemCount} item${p.itemCount === 1 ? '' : 's'})`);
  if (!projects.length) out('no projects');
}

export function printProjectItems(items: ProjectItem[], asJson: boolean): void {
  if (asJson) return json(items.map((i) => ({ id: i.id, name: i.name, source: i.sourceKind, path: i.audioPath, catId: i.catId, fxName: i.fxName, duration: i.duration })));
  for (const i of items) out(`added ${i.name} (${i.sourceKind}${i.catId ? `, ${i.catId}` : ''}, ${i.duration.toFixed(2)} s)`);
}

/** The export summary; JSON lists every written file with its loudness and true peak, and every skipped or failed item. */
export function printExport(s: ExportSummary, asJson: boolean): void {
  const written = s.written.map((w) => ({
    path: w.path,
    item: w.item,
    format: w.format,
    sampleRate: w.sampleRate,
    bits: w.bits,
    channels: w.channels,
    duration: w.duration,
    loudness: w.loudness.integrated,
    truePeak: w.loudness.truePeak,
    samplePeak: w.loudness.samplePeak,
    gainDb: w.gainDb,
    ceilingLimited: w.ceilingLimited,
    renamed: w.renamed,
    replaced: w.replaced,
    note: w.note,
  }));
  const skipped = s.skipped.map((k) => ({ item: k.item, path: k.path, reason: k.reason }));
  const failed = s.failed.map((f) => ({ item: f.item, error: f.error }));
  if (asJson) return json({ outDir: s.outDir, written, skipped, failed, manifest: s.manifest, staleTempFilesRemoved: s.staleTempFilesRemoved });
  const db = (v: number | null, unit: string) => (v === null ? `- ${unit}` : `${v.toFixed(1)} ${unit}`);
  for (const w of written) out(`wrote ${w.path}  ${db(w.loudness, 'LUFS')}  ${db(w.truePeak, 'dBTP')}${w.note ? `  (${w.note})` : ''}`);
  for (const k of skipped) out(`skipped ${k.item}: ${k.reason} (${k.path})`);
  for (const f of failed) out(`failed ${f.item}: ${f.error}`);
  out(`${written.length} written, ${skipped.length} skipped, ${failed.length} failed; manifest ${s.manifest.csv}`);
}
