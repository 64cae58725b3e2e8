/**
 * `npm run bench:tag [-- --files N] [--evals N] [--lalm-files N]`: tagging on the fixture CLAP pack.
 *
 *   1. Accuracy: the fixture library (with ../shared/corpus beside it when present) tagged by the
 *      real job; top-1 / top-3 = the share of fixture files whose first / any of three CatIDs is one
 *      of the concept's CatIDs (chosen from the UCS list by its words: test/helpers/ucs-concepts.ts).
 *   2. Speed, embeddings existing: N generated takes indexed, tagged by the job end to end (category
 *      route: no descriptions yet), then every suggestion accepted (the knowledge base holds N pairs)
 *      and, per file: classification alone; classification + knowledge-base retrieval (the
 *      "when embeddings exist" figure, target ≥ 2,000 files/s on 2 cores); and captionFile per route
 *      (retrieved/category without a model; lalm against the fixture server).
 * Prints figures only; never passes or fails on time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../../main/engine';
import { resolveConfig } from '../../main/engine/config';
import { openDatabase } from '../../main/engine/db/open';
import { VectorSpaces } from '../../main/engine/library/spaces';
import { discoverPacks, findEmbedderPack, loadEmbedder } from '../../main/engine/models';
import { fileWindowVectors, meanVector } from '../../main/engine/tagging/audio-vectors';
import { UcsClassifier } from '../../main/engine/tagging/classify';
import { classVectors } from '../../main/engine/tagging/classify-text';
import { fileWords, UcsWordIndex } from '../../main/engine/tagging/classify-words';
import { captionFile, createLalmCaptioner, KnowledgeBase, kbSettingsOf } from '../../main/engine/tagging/kb';
import { loadUcsCatalogue } from '../../main/engine/ucs/catalogue';
import { ucsLabelPhrase } from '../../main/engine/ucs/label';
import type { TagSummary } from '../../preload/contract/tagging';
import { writeFixtures } from '../fixtures';
import { startFixtureLalmServer } from '../fixtures/lalm-server';
import { writeManyTakes } from '../helpers/library';
import { countingCatIds } from '../helpers/ucs-concepts';
import { flag, machineLine } from './machine';

/** ../shared/corpus beside the checkout (as test/helpers/corpus.ts, which needs vitest's __dirname). */
const corpusDir = path.resolve(new URL('.', import.meta.url).pathname, '..', '..', '..', 'shared', 'corpus');
const hasCorpus = fs.existsSync(corpusDir);
const files = Number(flag('files', '600'));
const evals = Number(flag('evals', '6000'));
const lalmFiles = Number(flag('lalm-files', '40'));
const out = (s: string) => void process.stdout.write(`${s}\n`);
const rate = (n: number, ms: number) => `${((n / ms) * 1000).toFixed(0)} files/s (${(ms / n).toFixed(3)} ms/file, ${n} files)`;

async function tagJob(dbPath: string, modelsDir: string, folders: string[]): Promise<{ summary: TagSummary; ms: number }> {
  const engine = await createEngine({ dbPath, modelsDir });
  try {
    const t0 = performance.now();
    const job = await engine.waitForJob((await engine.call('tagging.start', { folders })).jobId);
    if (job.state !== 'done') throw new Error(`tag job ${job.state}: ${job.error?.message}`);
    return { summary: job.result as TagSummary, ms: performance.now() - t0 };
  } finally {
    await engine.close();
  }
}

async function index(dbPath: string, modelsDir: string, folders: string[]): Promise<void> {
  const engine = await createEngine({ dbPath, modelsDir });
  try {
    const job = await engine.waitForJob((await engine.call('library.index', { folders })).jobId);
    if (job.state !== 'done') throw new Error(`index job ${job.state}`);
  } finally {
    await engine.close();
  }
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-bench-tag-'));
  try {
    out(`bench:tag on ${machineLine()}`);
    const fx = writeFixtures(path.join(tmp, 'fx'));

    // ---- 1. Accuracy ----
    const accDb = path.join(tmp, 'acc.db');
    await index(accDb, fx.modelsDir, hasCorpus ? [fx.libraryDir, corpusDir] : [fx.libraryDir]);
    const { summary: acc } = await tagJob(accDb, fx.modelsDir, []);
    let top1 = 0;
    let top3 = 0;
    for (const e of fx.library) {
      const t = acc.files.find((f) => f.path === path.join(fx.libraryDir, ...e.file.split('/')));
      const counting = new Set(e.concepts.flatMap((c) => [...countingCatIds(c)]));
      if (t && counting.has(t.catId)) top1++;
      if (t?.alternatives.some((a) => counting.has(a.catId))) top3++;
    }
    out(
      `accuracy (fixture, ${fx.library.length} files${hasCorpus ? ', corpus in the library' : ', corpus absent'}): ` +
        `top-1 ${((100 * top1) / fx.library.length).toFixed(1)}% (${top1}/${fx.library.length}), ` +
        `top-3 ${((100 * top3) / fx.library.length).toFixed(1)}% (${top3}/${fx.library.length})`,
    );

    // ---- 2. Speed ----
    const lib = path.join(tmp, 'takes');
    writeManyTakes(lib, files);
    const dbPath = path.join(tmp, 'takes.db');
    let t0 = performance.now();
    await index(dbPath, fx.modelsDir, [lib]);
    out(`indexed ${files} takes in ${((performance.now() - t0) / 1000).toFixed(1)} s (not part of tagging)`);
    const first = await tagJob(dbPath, fx.modelsDir, [lib]);
    out(`tag job, category route, end to end (class vectors built, KB refresh, DB writes): ${rate(first.summary.tagged, first.ms)}`);
    const engine = await createEngine({ dbPath, modelsDir: fx.modelsDir });
    t0 = performance.now();
    const accepted = (await engine.call('tagging.acceptAbove', { confidence: 0 })).accepted;
    out(`accepted ${accepted} suggestions (each caption joins the knowledge base): ${rate(accepted, performance.now() - t0)}`);
    await engine.close();

    const config = resolveConfig({ dbPath, modelsDir: fx.modelsDir });
    const db = openDatabase(dbPath);
    const spaces = new VectorSpaces(db);
    const embedder = await loadEmbedder(findEmbedderPack((await discoverPacks(fx.modelsDir)).packs)!);
    const ucs = await loadUcsCatalogue();
    const settings = kbSettingsOf(config.tagging);
    const kb = new KnowledgeBase({ db, spaces, embedder, settings });
    const stats = await kb.refresh();
    out(`knowledge base: ${stats.pairs} pairs, ${stats.refined} after refinement`);
    t0 = performance.now();
    const classes = await classVectors(db, embedder, spaces, ucs, config.tagging.promptsPerCategory);
    out(`class vectors read back from their vector space: ${(performance.now() - t0).toFixed(1)} ms`);
    const classifier = new UcsClassifier(ucs, classes, new UcsWordIndex(ucs), config.tagging);
    const rows = db.prepare(`SELECT f.id, f.path, fo.path AS folder FROM files f JOIN folders fo ON fo.id = f.folder_id WHERE f.status = 'ok'`).all() as {
      id: number;
      path: string;
      folder: string;
    }[];
    const vectors = fileWindowVectors(db, spaces, embedder.space, rows.map((r) => r.id));

    // T_q without a model is the CatID's label phrase: its text vector is the same for every file of
    // that CatID, so it is embedded once per CatID here (like the class vectors), outside the timing.
    const labels = await embedder.embedText(ucs.categories.map((c) => ucsLabelPhrase(c)));
    const labelOf = new Map(ucs.categories.map((c, i) => [c.catId, labels[i]]));

    // Classification alone, and classification + retrieval, reading the window vectors per batch of 256 as the job does.
    const run = (withRetrieval: boolean) => {
      const start = performance.now();
      let n = 0;
      while (n < evals) {
        for (let b = 0; b < rows.length && n < evals; b += 256) {
          const batch = rows.slice(b, b + 256);
          const windows = fileWindowVectors(db, spaces, embedder.space, batch.map((r) => r.id));
          for (const r of batch) {
            if (n >= evals) break;
            const w = windows.get(r.id)!;
            const c = classifier.classify(w, fileWords(r.path, r.folder, null))!;
            if (!c) throw new Error('unclassified');
            if (withRetrieval) kb.retrieve({ audio: meanVector(w), text: labelOf.get(c.best.catId)! }, { w: settings.w, k: settings.k, excludeFileId: r.id });
            n++;
          }
        }
      }
      return performance.now() - start;
    };
    run(true); // warm-up
    out(`classification only (752 CatIDs, best window): ${rate(evals, run(false))}`);
    out(`classification + retrieval (k=${settings.k}, ${stats.refined} pairs), embeddings existing: ${rate(evals, run(true))}`);

    // captionFile per route.
    const captionRoute = async (lalm: ReturnType<typeof createLalmCaptioner>, count: number) => {
      const routes: Record<string, number> = {};
      const start = performance.now();
      for (const r of rows.slice(0, count)) {
        const w = vectors.get(r.id)!;
        const c = classifier.classify(w, [])!;
        const samples = lalm ? (await (await import('../../main/engine/audio')).decodeFile(r.path)).audio : undefined;
        const res = await captionFile(
          { kb, embedder, lalm, settings },
          { fileId: r.id, audio: meanVector(w), samples, labelPhrase: ucsLabelPhrase(c.best), catSynonyms: c.best.synonyms },
        );
        routes[res.route] = (routes[res.route] ?? 0) + 1;
      }
      return { ms: performance.now() - start, routes };
    };
    const noModel = await captionRoute(null, rows.length);
    out(`classify + caption without a model (${JSON.stringify(noModel.routes)}): ${rate(rows.length, noModel.ms)}`);
    const server = await startFixtureLalmServer();
    try {
      const lalm = createLalmCaptioner({ ...config.tagging, lalmUrl: server.url }, config.critic.lalm);
      const withModel = await captionRoute(lalm, Math.min(lalmFiles, rows.length));
      out(`classify + caption with the fixture language model, one at a time (${JSON.stringify(withModel.routes)}): ${rate(Math.min(lalmFiles, rows.length), withModel.ms)}`);
    } finally {
      await server.stop();
    }
    await embedder.dispose();
    db.close();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
