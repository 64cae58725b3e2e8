import type { ExportMetadata, UcsFields } from '../metadata';

/** Written as the encoding tool in bext CodingHistory, LIST/INFO ISFT, iXML and Vorbis ENCODER. */
export const SOFTWARE = 'Cuebank';

/** Keywords as one field, comma separated as UCS and Soundminer write them. */
export function keywordText(meta: ExportMetadata): string {
  return (meta.keywords ?? []).map((k) => k.trim()).filter(Boolean).join(', ');
}

/** UCS CategoryFull: "Category-SubCategory". */
export function categoryFull(ucs: UcsFields): string {
  return `${ucs.category}-${ucs.subCategory}`;
}

/**
 * What a tag says about the audio's origin: a library file contributes its name only, never the
 * folder it sits in on the user's machine; a generated take id passes unchanged.
 */
export function sourceLabel(source: string | undefined): string {
  if (!source) return '';
  const cut = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
  return cut >= 0 ? source.slice(cut + 1) : source;
}

const pad = (v: number, n = 2) => String(v).padStart(n, '0');

/** yyyy-mm-dd in UTC (so an export's stamp does not depend on the machine's time zone). */
export function dateText(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** hh:mm:ss in UTC. */
export function timeText(d: Date): string {
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A loudness figure as text with two decimals, e.g. "-23.00"; '' when unknown. */
export function decibelText(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(2);
}
