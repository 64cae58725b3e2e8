/**
 * The knowledge base on a library of fixture sounds (half described in their metadata) and the
 * shared corpus's real recordings: collection, refinement (a rumble described as "high beep" is
 * excluded and never retrieved, the right pairs stay), pair-to-pair retrieval (W = 1 and W = 0 rank
 * exactly as audio alone and text alone), captions embedded once.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeBase, captionSpaceOf, fileAudioVectors, kbSettingsOf, type KbStats } from '../../../main/engine/tagging/kb';
import { conceptsNamed } from '../../fixtures/lalm-server';
import { runCli } from '../../helpers/cli';
import { corpusFiles, hasCorpus } from '../../helpers/corpus';
import { kbLibrary, type KbLibrary } from './kb-library';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

describe('knowledge base', () => {
  let L: KbLibrary;
  let kb: KnowledgeBase;
  let stats: KbStats;
  let audioOf: Map<number, Float32Array>;

  beforeAll(async () => {
    L = await kbLibrary();
    kb = new KnowledgeBase({ db: L.db, spaces: L.spaces, embedder: L.embedder, settings: kbSettingsOf(L.config.tagging) });
    stats = await kb.refresh();
    const ids = (L.db.prepare(`SELECT id FROM files WHERE status = 'ok'`).all() as { id: number }[]).map((r) => r.id);
    audioOf = fileAudioVectors(L.db, L.spaces, L.embedder.space, ids);
  }, 300_000);
  afterAll(async () => L?.close());

  it('collects one pair per described file, from its metadata', () => {
    const rows = L.db.prepare(`SELECT file_id, caption, source FROM kb_pairs`).all() as { file_id: number; caption: string; source: string }[];
    const byId = new Map(rows.map((r) => [r.file_id, r]));
    for (const f of [...L.described, L.wrong]) expect(byId.get(L.fileId(f.path))?.caption, f.path).toBe(f.description);
    for (const f of L.undescribed) expect(byId.has(L.fileId(f.path)), f.path).toBe(false);
    // Field-recorder production data (sSCENE=…), "Processed by SoX" and "Comments" are not descriptions.
    const texts = rows.map((r) => r.caption).join('\n');
    expect(texts).not.toMatch(/SCENE=|Processed by SoX|^Comments$/m);
    expect(stats.pairs).toBe(rows.length);
    expect(stats.bySource['ixml-description']).toBe(L.described.length + 1);
    expect(stats.refined + stats.excluded + stats.pending).toBe(stats.pairs);
    expect(stats.pending).toBe(0);
  });

  it('keeps the wrong pair out of the refined knowledge base and keeps every right fixture pair', () => {
    const wrong = kb.verdict(L.fileId(L.wrong.path));
    expect(wrong?.kept).toBe(false);
    expect(wrong?.reason).toMatch(/does not match its audio/);
    for (const f of L.described) {
      const v = kb.verdict(L.fileId(f.path));
      expect(v?.kept, `${f.description}: ${v?.reason}`).toBe(true);
      expect(v!.agreement!).toBeGreaterThan(kbSettingsOf(L.config.tagging).agreementZ);
    }
    expect(stats.refined).toBeGreaterThanOrEqual(L.described.length);
    expect(stats.excluded).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(!hasCorpus)('tests the corpus recordings’ own texts like any pair (the fixture CLAP knows none of their words)', () => {
    const corpusIds = corpusFiles().map((f) => L.fileId(f));
    const pairs = L.db.prepare(`SELECT file_id, caption FROM kb_pairs WHERE file_id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(corpusIds)) as {
      file_id: number;
      caption: string;
    }[];
    expect(pairs.length).toBeGreaterThan(0); // bext "wavinfo Test Project Nuendo output", INAM "camera bumb 1", TITLE "Hungarian Dance No. 5"
    for (const p of pairs) expect(kb.verdict(p.file_id)?.reason, p.caption).toMatch(/says nothing/);
  });

  it('never retrieves the wrong pair, whatever the query and W', async () => {
    const wrongId = L.fileId(L.wrong.path);
    const vectors = await L.embedder.embedText(['high beep', 'low rumble', 'distant thunder rumble', 'alarm beep', 'steam hiss']);
    for (const audio of audioOf.values()) {
      for (const text of vectors) {
        for (const w of [0, 0.25, 0.5, 0.75, 1]) {
          const hits = kb.retrieve({ audio, text }, { w, k: 1000 });
          expect(hits.map((h) => h.fileId)).not.toContain(wrongId);
          expect(hits.length).toBe(stats.refined);
        }
      }
    }
  });

  it('ranks exactly as audio alone at W = 1 and as text alone at W = 0', async () => {
    const captions = L.spaces.existing(captionSpaceOf(L.embedder.space))!;
    const kept = (L.db.prepare(`SELECT file_id FROM kb_pairs`).all() as { file_id: number }[]).map((r) => r.file_id).filter((id) => kb.verdict(id)?.kept);
    const [text] = await L.embedder.embedText(['rumble']);
    for (const f of L.undescribed) {
      const q = { audio: audioOf.get(L.fileId(f.path))!, text };
      const byAudio = [...kept].sort((a, b) => dot(q.audio, audioOf.get(b)!) - dot(q.audio, audioOf.get(a)!) || a - b);
      const byText = [...kept].sort((a, b) => dot(q.text, captions.get(b)!) - dot(q.text, captions.get(a)!) || a - b);
      expect(kb.retrieve(q, { w: 1, k: kept.length }).map((h) => h.fileId)).toEqual(byAudio);
      expect(kb.retrieve(q, { w: 0, k: kept.length }).map((h) => h.fileId)).toEqual(byText);
      for (const h of kb.retrieve(q, { w: 0.3, k: 5 })) expect(h.score).toBeCloseTo(0.3 * h.audioScore + 0.7 * h.textScore, 6);
    }
  });

  it('retrieves pairs of the query’s concept first', async () => {
    for (const f of L.undescribed.filter((x) => x.concepts.length === 1)) {
      const [text] = await L.embedder.embedText([f.concepts[0]]);
      const [best] = kb.retrieve({ audio: audioOf.get(L.fileId(f.path))!, text }, { w: 0.5, k: 1 });
      expect(conceptsNamed(best.caption), `${path.basename(f.path)}: ${best.caption}`).toContain(f.concepts[0]);
    }
  });

  it('embeds each caption once: a second refresh embeds nothing and gives the same sizes', async () => {
    const before = L.embedded.length;
    const again = await kb.refresh();
    expect(L.embedded.length).toBe(before);
    expect(again).toEqual(stats);
  });

  it('an accepted caption joins the knowledge base, refined like the rest', async () => {
    const hum = L.undescribed.find((f) => f.concepts.length === 1 && f.concepts[0] === 'hum')!;
    const beep = L.undescribed.find((f) => f.concepts.length === 1 && f.concepts[0] === 'beep')!;
    await kb.addAccepted(L.fileId(hum.path), 'a steady mains hum');
    await kb.addAccepted(L.fileId(beep.path), 'deep earthquake rumble', 'edited');
    expect(kb.verdict(L.fileId(hum.path))?.kept).toBe(true);
    expect(kb.verdict(L.fileId(beep.path))?.kept).toBe(false);
    const s = kb.stats();
    expect(s.bySource.accepted).toBe(1);
    expect(s.bySource.edited).toBe(1);
    expect(s.pairs).toBe(stats.pairs + 2);
    const [text] = await L.embedder.embedText(['hum']);
    const hits = kb.retrieve({ audio: audioOf.get(L.fileId(hum.path))!, text }, { w: 0.5, k: 100 });
    expect(hits[0].fileId).toBe(L.fileId(hum.path));
    expect(hits.map((h) => h.fileId)).not.toContain(L.fileId(beep.path));
  });

  it('reads accepted captions from the tags table (migration 007’s schema) on refresh', async () => {
    // The tags table belongs to the tagging migration (007); this branch creates it as agreed.
    L.db.exec(`CREATE TABLE IF NOT EXISTS tags (
      file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE, caption TEXT, cat_id TEXT,
      alternatives TEXT NOT NULL DEFAULT '[]', confidence REAL, keywords TEXT NOT NULL DEFAULT '[]',
      source TEXT NOT NULL CHECK (source IN ('file','suggested','accepted','edited','rejected')),
      route TEXT, evidence TEXT NOT NULL DEFAULT '[]', pack TEXT, fingerprint TEXT, updated_at INTEGER NOT NULL)`);
    const whoosh = L.undescribed.find((f) => f.concepts.length === 1 && f.concepts[0] === 'whoosh')!;
    const hiss = L.undescribed.find((f) => f.concepts.length === 1 && f.concepts[0] === 'hiss')!;
    const ins = L.db.prepare(`INSERT INTO tags (file_id, caption, source, updated_at) VALUES (?, ?, ?, 0)`);
    ins.run(L.fileId(whoosh.path), 'a fast whoosh', 'accepted');
    ins.run(L.fileId(hiss.path), 'a bright hiss', 'suggested');
    const s = await kb.refresh();
    const row = L.db.prepare(`SELECT caption, source FROM kb_pairs WHERE file_id = ?`).get(L.fileId(whoosh.path));
    expect(row).toEqual({ caption: 'a fast whoosh', source: 'accepted' });
    expect(L.db.prepare(`SELECT 1 FROM kb_pairs WHERE file_id = ?`).get(L.fileId(hiss.path))).toBeUndefined();
    expect(kb.verdict(L.fileId(whoosh.path))?.kept).toBe(true);
    // addAccepted's pairs are not in tags: a refresh rebuilds from the library and drops them.
    expect(s.bySource.accepted).toBe(1);
    expect(s.bySource.edited).toBeUndefined();
  });

  it('a file that leaves the library takes its pair and its caption vector along on the next refresh', async () => {
    const gone = L.described.find((f) => f.concepts[0] === 'hiss')!;
    const id = L.fileId(gone.path);
    const captions = L.spaces.existing(captionSpaceOf(L.embedder.space))!;
    expect(captions.get(id)).toBeDefined();
    const before = kb.stats();
    L.db.prepare(`DELETE FROM files WHERE id = ?`).run(id);
    const after = await kb.refresh();
    expect(after.pairs).toBe(before.pairs - 1);
    expect(captions.get(id)).toBeUndefined();
    expect(L.db.prepare(`SELECT COUNT(*) AS n FROM kb_caption_vectors WHERE file_id = ?`).get(id)).toEqual({ n: 0 });
  });

  it('cuebank kb --stats prints the sizes before and after refinement', async () => {
    const expected = await kb.refresh();
    const asJson = runCli(['kb', '--db', L.dbPath, '--models', L.fx.modelsDir, '--stats', '--json']);
    expect(asJson.status, asJson.stderr).toBe(0);
    expect(JSON.parse(asJson.stdout)).toEqual({ ...expected, space: L.embedder.space });
    const text = runCli(['kb', '--db', L.dbPath, '--models', L.fx.modelsDir, '--stats']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain(`pairs before refinement: ${expected.pairs}`);
    expect(text.stdout).toContain(`pairs after refinement:  ${expected.refined}`);
    expect(text.stdout).toContain(`excluded by refinement:  ${expected.excluded}`);
    const noStats = runCli(['kb', '--db', L.dbPath, '--models', L.fx.modelsDir]);
    expect(noStats.status).toBe(2);
    expect(noStats.stderr).toMatch(/kb needs --stats/);
    const noDb = runCli(['kb', '--db', path.join(L.fx.outDir, 'missing.db'), '--models', L.fx.modelsDir, '--stats']);
    expect(noDb.status).toBe(1);
    expect(noDb.stderr).toMatch(/No database at/);
  });
});
