/**
 * Knowledge-base benchmark: refresh (collect + embed + refine) and captioning without a language
 * model (retrieve + caption test + keywords) on a synthetic library of N described files, through
 * the real code and a real database. The embedder is a stand-in (the time of a real CLAP text model
 * is not what this measures): texts naming cluster "c<j>" embed near that cluster's centre, so
 * captions agree with their audio. Prints figures; never passes or fails.
 *
 *   npm run bench:kb -- [--n 10000] [--queries 500] [--clusters 200] [--synonyms 20]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveTaggingSettings } from '../../main/engine/config';
import { openDatabase } from '../../main/engine/db/open';
import { VectorSpaces } from '../../main/engine/library/spaces';
import type { Embedder } from '../../main/engine/models/types';
import { KnowledgeBase, captionFile, fileAudioVectors, kbSettingsOf } from '../../main/engine/tagging/kb';
import { normalize } from '../../main/engine/tagging/kb/file-audio';
import { Prng } from '../fixtures/prng';
import { flag, machineLine } from './machine';

const N = Number(flag('n', '10000'));
const Q = Number(flag('queries', '500'));
const CLUSTERS = Number(flag('clusters', '200'));
const SYNONYMS = Number(flag('synonyms', '20'));
const D = 512;
const SPACE = 'bench-clap@fp32';

const rng = new Prng(1);
const noisy = (centre: Float32Array, amount: number) => normalize(centre.map((x) => x + amount * rng.gaussian()));
const centres = Array.from({ length: CLUSTERS }, () => normalize(Float32Array.from({ length: D }, () => rng.gaussian())));

/** Texts naming "c<j>" land near cluster j; anything else at a fixed random point per text. */
const embedder: Embedder = {
  space: SPACE,
  dim: D,
  sampleRate: 48_000,
  windowSeconds: 10,
  maxFrequency: 14_000,
  async embedText(texts) {
    return texts.map((t) => {
      const m = /c(\d+)/.exec(t);
      if (m) return noisy(centres[Number(m[1]) % CLUSTERS], 0.03);
      const r = new Prng([...t].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7));
      return normalize(Float32Array.from({ length: D }, () => r.gaussian()));
    });
  },
  async embedAudio() {
    throw new Error('not used');
  },
  async dispose() {},
};

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-bench-kb-'));
  try {
    const db = openDatabase(path.join(dir, 'kb.db'));
    const spaces = new VectorSpaces(db);
    const store = spaces.open(SPACE, D);
    let t = performance.now();
    db.prepare(`INSERT INTO folders (id, path, added_at) VALUES (1, '/lib', 0)`).run();
    const file = db.prepare(
      `INSERT INTO files (id, folder_id, path, real_path, name, ext, size, mtime_ms, fingerprint, status, meta_json, embed_space, indexed_at)
       VALUES (?, 1, ?, ?, ?, 'wav', 1, 0, ?, 'ok', ?, ?, 0)`,
    );
    const win = db.prepare(`INSERT INTO windows (id, file_id, space, start, end) VALUES (?, ?, ?, 0, 1)`);
    // Every file described; its audio 2 windows near its cluster's centre.
    db.transaction(() => {
      for (let i = 1; i <= N; i++) {
        const c = i % CLUSTERS;
        const meta = { ixml: { USER: { DESCRIPTION: `c${c} sound number ${i}` } }, info: {}, bext: null };
        file.run(i, `/lib/${i}.wav`, `/lib/${i}.wav`, `${i}.wav`, `fp${i}`, JSON.stringify(meta), SPACE);
        win.run(2 * i, i, SPACE);
        win.run(2 * i + 1, i, SPACE);
        store.upsert([
          { id: 2 * i, vector: noisy(centres[c], 0.04) },
          { id: 2 * i + 1, vector: noisy(centres[c], 0.04) },
        ]);
      }
    })();
    const build = performance.now() - t;

    const settings = kbSettingsOf(resolveTaggingSettings());
    const kb = new KnowledgeBase({ db, spaces, embedder, settings });
    t = performance.now();
    const stats = await kb.refresh();
    const refresh = performance.now() - t;
    t = performance.now();
    await kb.refresh();
    const again = performance.now() - t;

    const ids = Array.from({ length: Q }, (_, i) => 1 + ((i * 7919) % N));
    const audio = fileAudioVectors(db, spaces, SPACE, ids);
    const synonyms = Array.from({ length: SYNONYMS }, (_, i) => `synonym ${i}`);
    const label = (id: number) => `c${id % CLUSTERS} label`;
    // First pass warms the caches (label and synonym vectors, reference levels) as a tag job would.
    for (const id of ids.slice(0, 10)) await captionFile({ kb, embedder, lalm: null, settings }, { fileId: id, audio: audio.get(id)!, labelPhrase: label(id), catSynonyms: synonyms });
    const [textQ] = await embedder.embedText(['c1 label']);
    t = performance.now();
    for (const id of ids) kb.retrieve({ audio: audio.get(id)!, text: textQ }, { w: settings.w, k: settings.k, excludeFileId: id });
    const retrieve = performance.now() - t;
    const routes: Record<string, number> = {};
    t = performance.now();
    for (const id of ids) {
      const r = await captionFile({ kb, embedder, lalm: null, settings }, { fileId: id, audio: audio.get(id)!, labelPhrase: label(id), catSynonyms: synonyms });
      routes[r.route] = (routes[r.route] ?? 0) + 1;
    }
    const caption = performance.now() - t;
    db.close();

    console.log(`bench:kb — ${machineLine()}`);
    console.log(`library: ${N} described files, ${CLUSTERS} clusters, 2 windows each (built in ${(build / 1000).toFixed(1)} s)`);
    console.log(`refresh (collect, embed ${stats.pairs} captions, refine): ${(refresh / 1000).toFixed(2)} s; again (nothing new): ${(again / 1000).toFixed(2)} s`);
    console.log(`refined ${stats.refined} of ${stats.pairs}, excluded ${stats.excluded}`);
    console.log(`retrieve top-${settings.k} over ${stats.refined} refined pairs: ${(retrieve / Q).toFixed(2)} ms/query, ${Math.round((Q * 1000) / retrieve)} queries/s`);
    console.log(`captionFile without a language model (${SYNONYMS} synonyms): ${(caption / Q).toFixed(2)} ms/file, ${Math.round((Q * 1000) / caption)} files/s; routes ${JSON.stringify(routes)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
