/**
 * The tag job: for every selected file without a description, a UCS CatID (top 3, calibrated
 * confidence), a caption and keywords, stored as a suggestion with its evidence.
 *
 * Each file's tag is written in its own transaction the moment it is made, keyed on the file, so a
 * job killed mid-run loses at most the files in flight and the next run (or a resumed one) skips
 * what is done: a file is (re)tagged only when it has no tag, or its suggestion (or rejection) was
 * made for audio that has since changed (files.fingerprint). Accepted, edited and file-carried tags
 * are never overwritten. A file that fails (model error, unreadable audio) is reported and the rest
 * go on; captions run `concurrency` files at a time (language-model calls in flight).
 */
import path from 'node:path';
import type { TaggedFile, TagSummary } from '../../../preload/contract/tagging';
import { decodeFile } from '../audio';
import type { FileMeta } from '../audio/types';
import type { TaggingSettings } from '../config';
import type { Db } from '../db/open';
import { toErrorValue } from '../errors';
import type { JobContext } from '../jobs/manager';
import type { VectorSpaces } from '../library/spaces';
import type { Embedder } from '../models/types';
import type { UcsCatalogue } from '../ucs/catalogue';
import { carriedCatId } from '../ucs/carried';
import { ucsLabelPhrase } from '../ucs/label';
import { UcsClassifier } from './classify';
import { classVectors } from './classify-text';
import { fileWords, UcsWordIndex } from './classify-words';
import { fileWindowVectors, meanVector } from './audio-vectors';
import { captionFile, KnowledgeBase, kbSettingsOf, type LalmCaptioner } from './kb';
import { fileDescription } from './kb/descriptions';
import type { TagStore, TagWrite } from './store';

export interface TagJobDeps {
  db: Db;
  spaces: VectorSpaces;
  embedder: Embedder | null;
  lalm: LalmCaptioner | null;
  settings: TaggingSettings;
  ucs: UcsCatalogue;
  store: TagStore;
  /** Why there is no CLAP pack, when there is none. */
  noEmbedderNote: string;
}

export interface TagSelection {
  /** Absolute folders (library folders or below); with `paths` empty too: the whole library. */
  folders: string[];
  /** Absolute file paths. */
  paths: string[];
}

interface Candidate {
  id: number;
  path: string;
  fingerprint: string;
  meta_json: string | null;
  folder: string;
  source: string | null;
  tag_fingerprint: string | null;
}

/** Files listed in the summary; the rest are in the tags table (and came as partial updates). */
const SUMMARY_FILES = 1000;
/** Audio vectors read per batch. */
const AUDIO_BATCH = 256;

function candidates(db: Db, sel: TagSelection): Candidate[] {
  const rows = db
    .prepare(
      `SELECT f.id, f.path, f.fingerprint, f.meta_json, fo.path AS folder, t.source, t.fingerprint AS tag_fingerprint
         FROM files f JOIN folders fo ON fo.id = f.folder_id LEFT JOIN tags t ON t.file_id = f.id
        WHERE f.status = 'ok' ORDER BY f.path`,
    )
    .all() as Candidate[];
  if (!sel.folders.length && !sel.paths.length) return rows;
  const paths = new Set(sel.paths);
  const under = (p: string) => sel.folders.some((dir) => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep));
  return rows.filter((r) => paths.has(r.path) || under(r.path));
}

/** Whether a file's current tag is final or still current for its audio. */
function isDone(c: Candidate): boolean {
  if (c.source === 'accepted' || c.source === 'edited' || c.source === 'file') return true;
  return c.source !== null && c.tag_fingerprint === c.fingerprint;
}

export async function runTagJob(deps: TagJobDeps, sel: TagSelection, ctx: JobContext): Promise<TagSummary> {
  const { db, embedder, ucs, store, settings } = deps;
  const signal = ctx.signal;
  ctx.progress({ fraction: null, stage: 'prepare', detail: {} });
  const all = candidates(db, sel);
  const notes: string[] = [];
  const failed: { path: string; error: string }[] = [];
  const files: TaggedFile[] = [];
  let tagged = 0;
  let skipped = 0;
  const isCatId = (id: string) => Boolean(ucs.lookup(id));

  const record = (filePath: string, w: TagWrite) => {
    tagged++;
    const out: TaggedFile = {
      path: filePath,
      caption: w.caption ?? '',
      catId: w.catId ?? '',
      alternatives: w.alternatives.map((a) => ({ catId: a.catId, confidence: a.confidence })),
      keywords: w.keywords,
      route: w.route ?? 'category',
      evidence: w.evidence.map((e) => ({ path: e.path, caption: e.caption, score: e.score })),
    };
    if (files.length < SUMMARY_FILES) files.push(out);
    ctx.partial({ tagged: out });
  };
  const fail = (filePath: string, err: unknown) => {
    const f = { path: filePath, error: toErrorValue(err).message };
    failed.push(f);
    ctx.partial({ failure: f });
  };

  // Files that carry a CatID keep it (source 'file'); files with a description are not suggested for.
  const todo: { c: Candidate; meta: FileMeta | null }[] = [];
  const labelled: { id: number; catId: string }[] = [];
  for (const c of all) {
    const meta = parseMeta(c.meta_json);
    const carried = carriedCatId(c.path, meta, ucs);
    if (carried) labelled.push({ id: c.id, catId: carried.catId });
    if (isDone(c)) {
      skipped++;
      continue;
    }
    if (carried) {
      const cat = ucs.require(carried.catId);
      const description = fileDescription(c.path, meta, isCatId);
      const w: TagWrite = {
        caption: description?.caption ?? ucsLabelPhrase(cat),
        catId: cat.catId,
        alternatives: [{ catId: cat.catId, category: cat.category, subCategory: cat.subCategory, confidence: 1, audio: null, words: [] }],
        confidence: 1,
        keywords: [],
        source: 'file',
        route: 'file',
        evidence: [],
        pack: null,
        fingerprint: c.fingerprint,
      };
      store.write(c.id, w);
      record(c.path, w);
      continue;
    }
    if (fileDescription(c.path, meta, isCatId)) {
      skipped++;
      continue;
    }
    todo.push({ c, meta });
  }
  signal.throwIfAborted();

  // The classifier and the knowledge base, when there is a CLAP pack.
  let kb: KnowledgeBase | null = null;
  let classes = null;
  if (embedder) {
    ctx.progress({ fraction: null, stage: 'classes', detail: { files: todo.length } });
    classes = await classVectors(db, embedder, deps.spaces, ucs, settings.promptsPerCategory, signal);
    if (todo.length) {
      ctx.progress({ fraction: null, stage: 'knowledge base', detail: { files: todo.length } });
      kb = new KnowledgeBase({ db, spaces: deps.spaces, embedder, settings: kbSettingsOf(settings) });
      await kb.refresh(signal);
    }
  } else {
    notes.push(`${deps.noEmbedderNote} Without a CLAP pack, files are classified by their words only and captioned with the category phrase.`);
  }
  const classifier = new UcsClassifier(ucs, classes, new UcsWordIndex(ucs), settings);
  if (embedder && labelled.length) {
    const vectors = fileWindowVectors(db, deps.spaces, embedder.space, labelled.map((l) => l.id));
    const rows = labelled.filter((l) => vectors.has(l.id)).map((l) => ({ windows: vectors.get(l.id)!, catId: l.catId }));
    const t = classifier.fitTemperature(rows, settings.fitTemperatureMinFiles);
    if (rows.length >= settings.fitTemperatureMinFiles) notes.push(`Confidence temperature fitted on ${rows.length} files that carry a CatID: T = ${t.toFixed(4)}.`);
  }
  if (!deps.lalm && todo.length) notes.push('No audio-language model configured: captions come from the library’s own descriptions or the category phrase.');

  const total = todo.length;
  let done = 0;
  const started = Date.now();
  const progress = (current: string) => {
    const elapsed = (Date.now() - started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : null;
    ctx.progress({
      fraction: total ? done / total : 1,
      stage: 'tag',
      detail: { done, total, failed: failed.length, currentFile: current, etaSeconds: eta },
    });
  };
  progress('');

  const tagOne = async (c: Candidate, meta: FileMeta | null, windows: Float32Array[] | null): Promise<void> => {
    const words = fileWords(c.path, c.folder, meta);
    const result = classifier.classify(windows, words);
    if (!result) {
      throw new Error(
        embedder
          ? 'The file has no audio vector yet (index it with the CLAP pack installed) and no words to classify it by.'
          : 'No CLAP pack, and the file name, folders and metadata match no UCS category.',
      );
    }
    const label = ucsLabelPhrase(result.best);
    let w: TagWrite;
    if (kb && embedder && windows?.length) {
      const audio = meanVector(windows);
      const samples = deps.lalm ? (await decodeFile(c.path)).audio : undefined;
      const caption = await captionFile(
        { kb, embedder, lalm: deps.lalm, settings: kbSettingsOf(settings) },
        { fileId: c.id, audio, samples, labelPhrase: label, catSynonyms: result.best.synonyms },
        signal,
      );
      w = {
        caption: caption.caption,
        catId: result.best.catId,
        alternatives: result.top,
        confidence: result.top[0].confidence,
        keywords: caption.keywords,
        source: 'suggested',
        route: caption.route,
        evidence: caption.evidence,
        pack: embedder.space,
        fingerprint: c.fingerprint,
      };
    } else {
      w = {
        caption: label,
        catId: result.best.catId,
        alternatives: result.top,
        confidence: result.top[0].confidence,
        keywords: [],
        source: 'suggested',
        route: 'category',
        evidence: [],
        pack: embedder?.space ?? null,
        fingerprint: c.fingerprint,
      };
    }
    signal.throwIfAborted();
    store.write(c.id, w);
    record(c.path, w);
  };

  for (let b = 0; b < todo.length; b += AUDIO_BATCH) {
    signal.throwIfAborted();
    const batch = todo.slice(b, b + AUDIO_BATCH);
    const vectors = embedder ? fileWindowVectors(db, deps.spaces, embedder.space, batch.map((t) => t.c.id)) : new Map<number, Float32Array[]>();
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const { c, meta } = batch[next++];
        signal.throwIfAborted();
        try {
          await tagOne(c, meta, vectors.get(c.id) ?? null);
        } catch (err) {
          if (signal.aborted) throw err;
          fail(c.path, err);
        }
        done++;
        progress(c.path);
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, batch.length) }, worker));
  }
  return { tagged, skipped, failed, files, notes };
}

function parseMeta(json: string | null): FileMeta | null {
  if (!json) return null;
  try {
    return JSON.parse(json) as FileMeta;
  } catch {
    return null;
  }
}
