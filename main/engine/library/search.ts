import fs from 'node:fs';
import path from 'node:path';
import type { SearchFilters, SearchHit, SearchQuery, SearchResponse } from '../../../preload/contract/search';
import { openMonoStream } from '../audio';
import type { SearchSettings, IndexSettings } from '../config';
import type { Db } from '../db/open';
import { FileQueries } from '../db/queries/files';
import { CuebankError } from '../errors';
import type { Embedder } from '../models/types';
import { ftsQuery } from './keywords';
import { loadUcsCatalogue } from '../ucs/catalogue';
import type { VectorSpaces } from './spaces';
import type { VectorStore } from './vector-types';
import { WindowPlanner } from './windows';

export interface SearchDeps {
  db: Db;
  spaces: VectorSpaces;
  embedder: Embedder | null;
  settings: SearchSettings;
  index: IndexSettings;
  noEmbedderNote: string;
}

/** With a filter this selective, every matching window is scored exactly instead of searched. */
const EXACT_WINDOW_LIMIT = 50_000;
/** How many keyword matches take part in one ranking. */
const KEYWORD_LIMIT = 2_000;
/** Longest example sound used for a query; beyond this its average stops changing much. */
const QUERY_AUDIO_WINDOWS = 12;

interface SqlFilter {
  where: string;
  params: unknown[];
}

interface WindowInfo {
  id: number;
  file_id: number;
  start: number;
  end: number;
}

interface Candidate {
  fileId: number;
  score: number;
  start: number;
  end: number;
  audio: number | null;
  text: number | null;
  keyword: number | null;
  caption?: number | null;
}

/** The vector space of caption text vectors (the tagging knowledge base's; tagging/kb/knowledge-base.ts). */
const captionSpaceOf = (embedderSpace: string) => `${embedderSpace}:caption`;

/**
 * One query, one ranking. Text ranks by text-to-audio similarity plus keyword matches in names and
 * metadata (S_text = cos + keywordWeight·kw); an example sound ranks by audio similarity; both rank
 * pair-to-pair, S = W·S_audio + (1−W)·S_text (seed 001, eq. 4), so W = 1 is exactly the audio
 * ranking and W = 0 the text ranking. Each file scores by its best window, and the hit says where
 * that window is. Without a CLAP pack, text falls back to keywords alone and says so.
 */
export async function search(deps: SearchDeps, query: SearchQuery): Promise<SearchResponse> {
  const { db, embedder, settings } = deps;
  const limit = query.limit ?? settings.defaultLimit;
  const text = query.text?.trim() || null;
  const weight = query.weight ?? settings.pairWeight;
  const filter = await sqlFilter(query.filters);
  const notes: string[] = [];

  const keywords = text ? keywordScores(db, text, filter) : new Map<number, number>();
  const store = embedder ? deps.spaces.existing(embedder.space) : undefined;

  if (!embedder || !store || store.count() === 0) {
    if (query.audioPath && !text) {
      throw new CuebankError(
        'no_model',
        embedder ? 'Nothing is embedded yet: index the library first.' : `Search by example sound is unavailable. ${deps.noEmbedderNote}`,
      );
    }
    notes.push(embedder ? 'Nothing is embedded yet: index the library to search by meaning.' : deps.noEmbedderNote);
    if (query.audioPath) notes.push('The example sound was ignored.');
    if (text) return { results: hits(db, rankKeywordsOnly(keywords, limit)), mode: 'keyword', notes };
    return { results: hits(db, listFiltered(db, filter, limit)), mode: 'filter', notes };
  }

  const textVector = text ? (await embedder.embedText([text]))[0] : null;
  const example = query.audioPath ? await exampleVector(deps, embedder, store, query.audioPath) : null;
  if (!textVector && !example) return { results: hits(db, listFiltered(db, filter, limit)), mode: 'filter', notes };
  // Text-to-text: the query against the files' captions (descriptions and accepted tags), seed eq. 3.
  const captions = textVector ? captionScores(deps, embedder, textVector, Math.max(200, limit * settings.candidateFactor)) : new Map<number, number>();

  const score = (w: WindowInfo, a: Map<number, number> | null, t: Map<number, number> | null): Candidate | null => {
    const sa = a ? a.get(w.id) : undefined;
    const cos = t ? t.get(w.id) : undefined;
    if ((a && sa === undefined) || (t && cos === undefined)) return null;
    const kw = text ? (keywords.get(w.file_id) ?? 0) : null;
    const cap = text ? (captions.get(w.file_id) ?? null) : null;
    const st = cos === undefined ? null : cos + settings.keywordWeight * (kw ?? 0) + settings.captionWeight * Math.max(0, cap ?? 0);
    const s = sa !== undefined && st !== null ? weight * sa + (1 - weight) * st : (sa ?? st)!;
    return { fileId: w.file_id, score: s, start: w.start, end: w.end, audio: sa ?? null, text: cos ?? null, keyword: kw, caption: cap };
  };

  const rank = (windows: WindowInfo[]): Candidate[] => {
    const ids = windows.map((w) => w.id);
    // Both query vectors score in one read of the windows' vectors.
    const queries = [example?.vector, textVector].filter((v): v is Float32Array => !!v);
    const scores = store.scoreIds(queries, ids);
    const a = example ? scores[0] : null;
    const t = textVector ? scores[scores.length - 1] : null;
    const best = new Map<number, Candidate>();
    for (const w of windows) {
      if (w.file_id === example?.excludeFileId) continue;
      const c = score(w, a, t);
      if (!c) continue;
      const prev = best.get(c.fileId);
      if (!prev || c.score > prev.score || (c.score === prev.score && c.start < prev.start)) best.set(c.fileId, c);
    }
    return [...best.values()].sort((x, y) => y.score - x.score || x.fileId - y.fileId);
  };

  const total = store.count();
  const filtered = filter.where ? countWindows(db, store.space, filter) : total;
  let ranked: Candidate[];
  if (filtered <= EXACT_WINDOW_LIMIT) {
    ranked = rank(windowsWhere(db, store.space, filter));
  } else {
    // Approximate candidates from each query vector plus the keyword matches, then exact scores.
    // Widen until enough distinct files pass the filter or everything has been looked at.
    let k = limit * settings.candidateFactor;
    for (;;) {
      if (2 * k >= total) {
        // Asking for half the space or more (at once, or after widening because the filter keeps
        // too few of the approximate hits): score what the filter allows, exactly.
        ranked = rank(windowsWhere(db, store.space, filter));
        break;
      }
      const ids = new Set<number>();
      for (const v of [textVector, example?.vector]) if (v) for (const h of store.search(v, k)) ids.add(h.id);
      const windows = windowsByIds(db, [...ids], filter);
      const covered = new Set(windows.map((w) => w.file_id));
      const extra = new Set([...keywords.keys(), ...captions.keys()]);
      windows.push(...windowsOfFiles(db, store.space, [...extra].filter((f) => !covered.has(f))));
      ranked = rank(dedupeWindows(windows));
      if (ranked.length >= limit) break;
      k *= 4;
    }
  }

  const pending = new FileQueries(db).countUnembedded(embedder.space);
  if (pending > 0) notes.push(`${pending} indexed file(s) are not embedded yet and cannot rank by meaning until they are.`);
  return { results: hits(db, ranked.slice(0, limit)), mode: 'semantic', notes };
}

/** Best caption similarity per file among the `k` captions nearest the query text. */
function captionScores(deps: SearchDeps, embedder: Embedder, textVector: Float32Array, k: number): Map<number, number> {
  const out = new Map<number, number>();
  const store = deps.spaces.existing(captionSpaceOf(embedder.space));
  if (!store || store.count() === 0) return out;
  for (const h of store.search(textVector, k)) out.set(h.id, h.score);
  return out;
}

async function sqlFilter(filters: SearchFilters | undefined): Promise<SqlFilter> {
  const parts: string[] = [];
  const params: unknown[] = [];
  // Category filters read the file's tag (suggested, accepted, edited or its own; not a rejected one).
  const catIds: string[] = [];
  if (filters?.catIds?.length || filters?.category) {
    const ucs = await loadUcsCatalogue();
    for (const id of filters.catIds ?? []) catIds.push(ucs.require(id).catId);
    if (filters.category) {
      const name = filters.category.trim().toUpperCase();
      const inCategory = ucs.categories.filter((c) => c.category.toUpperCase() === name).map((c) => c.catId);
      if (!inCategory.length) throw new CuebankError('invalid_input', `Unknown UCS category "${filters.category}"`);
      // Both given: CatIDs within the category.
      const keep = catIds.length ? catIds.filter((c) => inCategory.includes(c)) : inCategory;
      catIds.splice(0, catIds.length, ...(keep.length ? keep : ['\u0000none']));
    }
    parts.push(`f.id IN (SELECT file_id FROM tags WHERE source != 'rejected' AND cat_id IN (SELECT value FROM json_each(?)))`);
    params.push(JSON.stringify(catIds));
  }
  if (filters?.minDuration !== undefined) {
    parts.push('f.duration >= ?');
    params.push(filters.minDuration);
  }
  if (filters?.maxDuration !== undefined) {
    parts.push('f.duration <= ?');
    params.push(filters.maxDuration);
  }
  if (filters?.sampleRates?.length) {
    parts.push(`f.sample_rate IN (${filters.sampleRates.map(() => '?').join(',')})`);
    params.push(...filters.sampleRates);
  }
  if (filters?.channels?.length) {
    parts.push(`f.channels IN (${filters.channels.map(() => '?').join(',')})`);
    params.push(...filters.channels);
  }
  if (filters?.folder) {
    const dir = path.resolve(filters.folder);
    // A prefix range instead of LIKE: paths may contain % and _.
    parts.push('(f.path >= ? AND f.path < ?)');
    params.push(dir + path.sep, dir + String.fromCharCode(path.sep.charCodeAt(0) + 1));
  }
  return { where: parts.join(' AND '), params };
}

const and = (filter: SqlFilter) => (filter.where ? ` AND ${filter.where}` : '');

/** Keyword match strength per file in (0, 1]: bm25 relative to the best match of this query. */
function keywordScores(db: Db, text: string, filter: SqlFilter): Map<number, number> {
  const match = ftsQuery(text);
  const out = new Map<number, number>();
  if (!match) return out;
  // Column weights: name, folder, description, other metadata, tags (caption, keywords, category).
  const rows = db
    .prepare(
      `SELECT f.id AS id, bm25(files_fts, 4.0, 1.0, 2.0, 1.0, 2.0) AS rank
         FROM files_fts JOIN files f ON f.id = files_fts.rowid
        WHERE files_fts MATCH ? AND f.status = 'ok'${and(filter)}
        ORDER BY rank LIMIT ${KEYWORD_LIMIT}`,
    )
    .all(match, ...filter.params) as { id: number; rank: number }[];
  const best = rows.length ? rows[0].rank : 0;
  for (const r of rows) out.set(r.id, best < 0 ? r.rank / best : 1);
  return out;
}

function rankKeywordsOnly(keywords: Map<number, number>, limit: number): Candidate[] {
  return [...keywords.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, limit)
    .map(([fileId, kw]) => ({ fileId, score: kw, start: 0, end: 0, audio: null, text: null, keyword: kw }));
}

function listFiltered(db: Db, filter: SqlFilter, limit: number): Candidate[] {
  const rows = db
    .prepare(`SELECT f.id FROM files f WHERE f.status = 'ok'${and(filter)} ORDER BY f.path LIMIT ?`)
    .all(...filter.params, limit) as { id: number }[];
  return rows.map((r) => ({ fileId: r.id, score: 0, start: 0, end: 0, audio: null, text: null, keyword: null }));
}

function countWindows(db: Db, space: string, filter: SqlFilter): number {
  const row = db
    .prepare(`SELECT COUNT(*) AS n FROM windows w JOIN files f ON f.id = w.file_id WHERE w.space = ? AND f.status = 'ok'${and(filter)}`)
    .get(space, ...filter.params) as { n: number };
  return row.n;
}

function windowsWhere(db: Db, space: string, filter: SqlFilter): WindowInfo[] {
  return db
    .prepare(
      `SELECT w.id, w.file_id, w.start, w.end FROM windows w JOIN files f ON f.id = w.file_id
        WHERE w.space = ? AND f.status = 'ok'${and(filter)}`,
    )
    .all(space, ...filter.params) as WindowInfo[];
}

function windowsByIds(db: Db, ids: number[], filter: SqlFilter): WindowInfo[] {
  if (!ids.length) return [];
  return db
    .prepare(
      `SELECT w.id, w.file_id, w.start, w.end FROM windows w JOIN files f ON f.id = w.file_id
        WHERE w.id IN (SELECT value FROM json_each(?)) AND f.status = 'ok'${and(filter)}`,
    )
    .all(JSON.stringify(ids), ...filter.params) as WindowInfo[];
}

function windowsOfFiles(db: Db, space: string, fileIds: number[]): WindowInfo[] {
  if (!fileIds.length) return [];
  return db
    .prepare(
      `SELECT id, file_id, start, end FROM windows WHERE space = ? AND file_id IN (SELECT value FROM json_each(?))`,
    )
    .all(space, JSON.stringify(fileIds)) as WindowInfo[];
}

function dedupeWindows(windows: WindowInfo[]): WindowInfo[] {
  const seen = new Map<number, WindowInfo>();
  for (const w of windows) seen.set(w.id, w);
  return [...seen.values()];
}

function mean(vectors: Float32Array[]): Float32Array {
  const out = new Float32Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) out[i] += v[i];
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += out[i] * out[i];
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

/**
 * The query vector of an example sound: the normalised mean of its window embeddings. A sound
 * that is already indexed reuses its stored vectors (no model call) and is left out of its own results.
 */
async function exampleVector(
  deps: SearchDeps,
  embedder: Embedder,
  store: VectorStore,
  file: string,
): Promise<{ vector: Float32Array; excludeFileId: number | null }> {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    throw new CuebankError('not_found', `Example sound not found: ${file}`);
  }
  const row = deps.db.prepare(`SELECT id, embed_space FROM files WHERE real_path = ? AND status = 'ok'`).get(real) as
    | { id: number; embed_space: string | null }
    | undefined;
  if (row && row.embed_space === embedder.space) {
    const ids = (deps.db.prepare(`SELECT id FROM windows WHERE file_id = ? AND space = ?`).all(row.id, embedder.space) as { id: number }[]).map(
      (r) => r.id,
    );
    const stored = ids.map((id) => store.get(id)).filter((v): v is Float32Array => !!v);
    if (stored.length) return { vector: mean(stored), excludeFileId: row.id };
  }
  const { blocks } = await openMonoStream(real, { targetRate: embedder.sampleRate, passbandHz: embedder.maxFrequency });
  const planner = new WindowPlanner(embedder.sampleRate, embedder.windowSeconds, deps.index.hopSeconds);
  const windows: Float32Array[] = [];
  for await (const block of blocks) {
    for (const w of planner.push(block)) windows.push(w.samples);
    if (windows.length >= QUERY_AUDIO_WINDOWS) break;
  }
  if (windows.length < QUERY_AUDIO_WINDOWS) for (const w of planner.finish()) windows.push(w.samples);
  if (!windows.length) throw new CuebankError('corrupt_file', `The example sound has no audio: ${file}`);
  const vectors = await embedder.embedAudio(windows.slice(0, QUERY_AUDIO_WINDOWS));
  return { vector: mean(vectors), excludeFileId: row?.id ?? null };
}

interface HitRow {
  id: number;
  path: string;
  name: string;
  tag_caption: string | null;
  tag_cat_id: string | null;
  tag_source: string | null;
  duration: number | null;
  sample_rate: number | null;
  channels: number | null;
  bits_per_sample: number | null;
  codec: string | null;
}

function hits(db: Db, ranked: Candidate[]): SearchHit[] {
  if (!ranked.length) return [];
  const rows = db
    .prepare(
      `SELECT f.id, f.path, f.name, f.duration, f.sample_rate, f.channels, f.bits_per_sample, f.codec,
              t.caption AS tag_caption, t.cat_id AS tag_cat_id, t.source AS tag_source
         FROM files f LEFT JOIN tags t ON t.file_id = f.id AND t.source != 'rejected'
        WHERE f.id IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(ranked.map((c) => c.fileId))) as HitRow[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ranked.flatMap((c) => {
    const r = byId.get(c.fileId);
    if (!r) return [];
    const duration = r.duration ?? 0;
    const windowed = c.end > c.start;
    return [
      {
        fileId: r.id,
        path: r.path,
        name: r.name,
        folder: path.dirname(r.path),
        score: c.score,
        start: windowed ? c.start : 0,
        end: windowed ? c.end : duration,
        duration,
        sampleRate: r.sample_rate ?? 0,
        channels: r.channels ?? 0,
        bitsPerSample: r.bits_per_sample,
        codec: r.codec ?? '',
        parts: { audio: c.audio, text: c.text, keyword: c.keyword, caption: c.caption ?? null },
        tag: r.tag_source ? { caption: r.tag_caption, catId: r.tag_cat_id, source: r.tag_source } : null,
      },
    ];
  });
}
