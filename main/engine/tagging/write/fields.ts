import type { FileMeta } from '../../audio/types';
import { bextDescriptionText } from '../../audio/bwf-write';
import type { Id3Edit } from '../../audio/id3-write';
import type { WavTagEdit } from '../../audio/bwf-write';
import type { FieldChange, TagFormat, TagValues } from './types';

/**
 * One field a format carries. `mirror` marks a field users and recorders fill with their own text
 * (bext description, Vorbis COMMENT/TITLE, ID3 COMM/TIT2): it is written only when it is empty or
 * still holds what an earlier write put there (the value of the mirror field, which we always write);
 * otherwise its text is kept and the value lives in the mirror field only.
 */
interface FieldSpec {
  field: string;
  /** Where the edit goes: 'bext', 'USER:NAME', 'ASWG:name', a Vorbis key, 'TIT2', 'TXXX:DESC', 'COMM'. */
  key: string;
  value: (v: TagValues) => string | null;
  read: (meta: FileMeta) => string | null;
  mirror?: string;
  fit?: (text: string) => string;
}

/** Collapses control characters (no field format keeps them all) and trims; empty means "nothing to write". */
function clean(text: string | null | undefined): string | null {
  const t = (text ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return t || null;
}

const keywordText = (v: TagValues) => clean(v.keywords.map((k) => k.trim()).filter(Boolean).join(', '));

const VALUES: Record<string, (v: TagValues) => string | null> = {
  caption: (v) => clean(v.caption),
  catId: (v) => clean(v.catId),
  category: (v) => clean(v.category),
  subCategory: (v) => clean(v.subCategory),
  fxName: (v) => clean(v.fxName),
  keywords: keywordText,
};

function ixmlValue(meta: FileMeta, block: string, name: string): string | null {
  let b = meta.ixml?.[block];
  if (Array.isArray(b)) b = b[0];
  if (!b || typeof b !== 'object') return null;
  let v = (b as Record<string, unknown>)[name];
  if (Array.isArray(v)) v = v[0];
  return typeof v === 'string' ? v : null;
}

const info = (key: string) => (meta: FileMeta) => meta.info[key] ?? null;

const WAV: FieldSpec[] = [
  { field: 'iXML USER DESCRIPTION', key: 'USER:DESCRIPTION', value: VALUES.caption, read: (m) => ixmlValue(m, 'USER', 'DESCRIPTION') },
  {
    field: 'bext description',
    key: 'bext',
    value: VALUES.caption,
    read: (m) => m.bext?.description ?? null,
    mirror: 'iXML USER DESCRIPTION',
    fit: bextDescriptionText,
  },
  { field: 'iXML USER CATEGORY', key: 'USER:CATEGORY', value: VALUES.category, read: (m) => ixmlValue(m, 'USER', 'CATEGORY') },
  { field: 'iXML USER SUBCATEGORY', key: 'USER:SUBCATEGORY', value: VALUES.subCategory, read: (m) => ixmlValue(m, 'USER', 'SUBCATEGORY') },
  { field: 'iXML USER CATID', key: 'USER:CATID', value: VALUES.catId, read: (m) => ixmlValue(m, 'USER', 'CATID') },
  { field: 'iXML USER FXNAME', key: 'USER:FXNAME', value: VALUES.fxName, read: (m) => ixmlValue(m, 'USER', 'FXNAME') },
  { field: 'iXML USER KEYWORDS', key: 'USER:KEYWORDS', value: VALUES.keywords, read: (m) => ixmlValue(m, 'USER', 'KEYWORDS') },
  { field: 'iXML ASWG category', key: 'ASWG:category', value: VALUES.category, read: (m) => ixmlValue(m, 'ASWG', 'category') },
  { field: 'iXML ASWG subCategory', key: 'ASWG:subCategory', value: VALUES.subCategory, read: (m) => ixmlValue(m, 'ASWG', 'subCategory') },
  { field: 'iXML ASWG catId', key: 'ASWG:catId', value: VALUES.catId, read: (m) => ixmlValue(m, 'ASWG', 'catId') },
  { field: 'iXML ASWG fxName', key: 'ASWG:fxName', value: VALUES.fxName, read: (m) => ixmlValue(m, 'ASWG', 'fxName') },
];

/** FLAC and Ogg: the keys Cuebank's export writes, plus COMMENT and TITLE, which players show. */
const VORBIS: FieldSpec[] = [
  { field: 'DESCRIPTION', key: 'DESCRIPTION', value: VALUES.caption, read: info('DESCRIPTION') },
  { field: 'COMMENT', key: 'COMMENT', value: VALUES.caption, read: info('COMMENT'), mirror: 'DESCRIPTION' },
  { field: 'FXNAME', key: 'FXNAME', value: VALUES.fxName, read: info('FXNAME') },
  { field: 'TITLE', key: 'TITLE', value: VALUES.fxName, read: info('TITLE'), mirror: 'FXNAME' },
  { field: 'UCS_CATID', key: 'UCS_CATID', value: VALUES.catId, read: info('UCS_CATID') },
  { field: 'UCS_CATEGORY', key: 'UCS_CATEGORY', value: VALUES.category, read: info('UCS_CATEGORY') },
  { field: 'UCS_SUBCATEGORY', key: 'UCS_SUBCATEGORY', value: VALUES.subCategory, read: info('UCS_SUBCATEGORY') },
  { field: 'KEYWORDS', key: 'KEYWORDS', value: VALUES.keywords, read: info('KEYWORDS') },
];

/** ID3v2: the reader files TXXX frames under their description, COMM under COMMENT, TIT2 under TITLE. */
const ID3: FieldSpec[] = [
  { field: 'ID3 TXXX DESCRIPTION', key: 'TXXX:DESCRIPTION', value: VALUES.caption, read: info('DESCRIPTION') },
  { field: 'ID3 COMM', key: 'COMM', value: VALUES.caption, read: info('COMMENT'), mirror: 'ID3 TXXX DESCRIPTION' },
  { field: 'ID3 TXXX FXNAME', key: 'TXXX:FXNAME', value: VALUES.fxName, read: info('FXNAME') },
  { field: 'ID3 TIT2', key: 'TIT2', value: VALUES.fxName, read: info('TITLE'), mirror: 'ID3 TXXX FXNAME' },
  { field: 'ID3 TXXX UCS_CATID', key: 'TXXX:UCS_CATID', value: VALUES.catId, read: info('UCS_CATID') },
  { field: 'ID3 TXXX UCS_CATEGORY', key: 'TXXX:UCS_CATEGORY', value: VALUES.category, read: info('UCS_CATEGORY') },
  { field: 'ID3 TXXX UCS_SUBCATEGORY', key: 'TXXX:UCS_SUBCATEGORY', value: VALUES.subCategory, read: info('UCS_SUBCATEGORY') },
  { field: 'ID3 TXXX KEYWORDS', key: 'TXXX:KEYWORDS', value: VALUES.keywords, read: info('KEYWORDS') },
];

function specsFor(format: TagFormat): FieldSpec[] {
  return format === 'mp3' ? ID3 : format === 'flac' || format === 'ogg' ? VORBIS : WAV;
}

/** A planned field: its change for the preview, and the edit to make (none when kept or unchanged). */
export interface FieldPlan {
  changes: FieldChange[];
  /** key -> value to write. */
  edits: Map<string, string>;
  /** Every field's expected value after the write (for verification), by field name. */
  expected: Map<string, string | null>;
}

export function planFields(format: TagFormat, meta: FileMeta, values: TagValues): FieldPlan {
  const specs = specsFor(format);
  const current = new Map(specs.map((s) => [s.field, s.read(meta)]));
  const changes: FieldChange[] = [];
  const edits = new Map<string, string>();
  const expected = new Map(current);
  for (const s of specs) {
    const raw = s.value(values);
    if (raw === null) continue;
    const after = s.fit ? s.fit(raw) : raw;
    const before = current.get(s.field) ?? null;
    if (before === after) continue;
    if (s.mirror && before !== null && before.trim() !== '') {
      const mirror = current.get(s.mirror);
      const earlier = mirror ? (s.fit ? s.fit(mirror) : mirror) : null;
      if (before !== earlier) {
        changes.push({ field: s.field, before, after: before, note: `kept: it holds other text; the value is written to ${s.mirror}` });
        continue;
      }
    }
    changes.push({ field: s.field, before, after });
    edits.set(s.key, after);
    expected.set(s.field, after);
  }
  return { changes, edits, expected };
}

/** Field names whose value read back from `meta` differs from the plan's expectation. */
export function mismatchedFields(format: TagFormat, meta: FileMeta, expected: Map<string, string | null>): string[] {
  return specsFor(format)
    .filter((s) => (s.read(meta) ?? null) !== (expected.get(s.field) ?? null))
    .map((s) => `${s.field} (expected ${JSON.stringify(expected.get(s.field) ?? null)}, read ${JSON.stringify(s.read(meta))})`);
}

export function wavEdit(edits: Map<string, string>): WavTagEdit {
  const pick = (block: string) => [...edits].filter(([k]) => k.startsWith(`${block}:`)).map(([k, v]) => [k.slice(block.length + 1), v] as [string, string]);
  return { bextDescription: edits.get('bext') ?? null, ixml: { USER: pick('USER'), ASWG: pick('ASWG') } };
}

export function vorbisEdit(edits: Map<string, string>): [string, string][] {
  return [...edits];
}

export function id3Edit(edits: Map<string, string>): Id3Edit {
  const all = [...edits];
  return {
    text: all.filter(([k]) => k === 'TIT2'),
    txxx: all.filter(([k]) => k.startsWith('TXXX:')).map(([k, v]) => [k.slice(5), v]),
    comment: edits.get('COMM') ?? null,
  };
}
