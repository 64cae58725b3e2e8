/**
 * The library's knowledge base of audio-text pairs (seed 001 §3.5) and pair-to-pair retrieval over
 * its refined part (§3.4). Pairs and verdicts live in the database (migration 008); caption text
 * vectors in the vector space `<embedder space>:caption`, keyed by file id and embedded once per
 * caption; the refined pairs are held in memory for retrieval and reloaded after every change
 * made through this object.
 */
import type { Db } from '../../db/open';
import { CuebankError } from '../../errors';
import type { VectorSpaces } from '../../library/spaces';
import type { VectorStore } from '../../library/vector-types';
import type { Embedder } from '../../models/types';
import { loadUcsCatalogue } from '../../ucs/catalogue';
import { ReferenceSounds } from './agreement';
import { collectPairs } from './collect';
import { dot, fileAudioVectors } from './file-audio';
import { judgePair } from './refine';
import { rankPairs, type PairMatrix } from './retrieve';
import { KbStore, type PairRow } from './store';
import { embedTexts } from './text-vectors';
import type { KbHit, KbSettings, KbStats, PairSource } from './types';

export interface KnowledgeBaseDeps {
  db: Db;
  spaces: VectorSpaces;
  embedder: Embedder;
  settings: KbSettings;
}

/** The vector space holding caption text vectors of an embedder's space. */
export const captionSpaceOf = (embedderSpace: string) => `${embedderSpace}:caption`;

export class KnowledgeBase {
  private readonly store: KbStore;
  private matrix: PairMatrix | null = null;
  private references: ReferenceSounds | null = null;

  constructor(private readonly deps: KnowledgeBaseDeps) {
    this.store = new KbStore(deps.db);
  }

  get captionSpace(): string {
    return captionSpaceOf(this.deps.embedder.space);
  }

  private captions(): VectorStore {
    return this.deps.spaces.open(this.captionSpace, this.deps.embedder.dim);
  }

  /** Collects pairs from metadata and accepted tags, embeds new captions, and refines every pair. */
  async refresh(signal?: AbortSignal): Promise<KbStats> {
    const { db } = this.deps;
    const ucs = await loadUcsCatalogue();
    const wanted = collectPairs(db, (id) => !!ucs.lookup(id), signal);
    const gone = this.store.pairs().filter((p) => !wanted.has(p.file_id)).map((p) => p.file_id);
    db.transaction(() => {
      this.store.deletePairs(gone);
      for (const p of wanted.values()) this.store.upsertPair(p);
    })();
    this.dropStaleCaptionVectors();
    await this.embedCaptions(this.store.unembedded(this.captionSpace), signal);
    signal?.throwIfAborted();
    this.references = null;
    const references = this.referenceSounds();
    const pairs = this.store.pairs();
    const audio = fileAudioVectors(db, this.deps.spaces, this.deps.embedder.space, pairs.map((p) => p.file_id));
    const empty = await this.emptyText();
    const captions = this.captions();
    const space = this.deps.embedder.space;
    db.transaction(() => {
      this.store.clearVerdicts(space);
      for (const p of pairs) this.refinePair(p, audio.get(p.file_id), captions, references, empty);
    })();
    this.matrix = null;
    return this.stats();
  }

  /** An accepted or edited caption joins the knowledge base at once, refined like every pair. */
  async addAccepted(fileId: number, caption: string, source: Extract<PairSource, 'accepted' | 'edited'> = 'accepted'): Promise<void> {
    const text = caption.replace(/\s+/g, ' ').trim();
    if (!text) throw new CuebankError('invalid_input', 'An accepted caption cannot be empty.');
    const file = this.deps.db.prepare(`SELECT fingerprint FROM files WHERE id = ? AND status = 'ok'`).get(fileId) as { fingerprint: string } | undefined;
    if (!file) throw new CuebankError('not_found', `No indexed file with id ${fileId}.`);
    const pair: PairRow = { file_id: fileId, caption: text, source, fingerprint: file.fingerprint };
    this.deps.db.transaction(() => this.store.upsertPair(pair))();
    this.dropStaleCaptionVectors();
    await this.embedCaptions([pair]);
    const audio = fileAudioVectors(this.deps.db, this.deps.spaces, this.deps.embedder.space, [fileId]).get(fileId);
    const empty = await this.emptyText();
    this.deps.db.transaction(() => this.refinePair(pair, audio, this.captions(), this.referenceSounds(), empty))();
    this.matrix = null;
  }

  /** The top-k refined pairs by S = W·<A_q, A_k> + (1−W)·<T_q, T_k>; `audio` and `text` L2-normalised. */
  retrieve(q: { audio: Float32Array; text: Float32Array }, o: { w: number; k: number; excludeFileId?: number }): KbHit[] {
    checkQuery(q, this.deps.embedder.dim, o.w);
    return rankPairs(this.pairMatrix(), q, o);
  }

  /**
   * z of a retrieved pair's caption on the query's audio against the library's reference sounds:
   * the refinement test applied to (query audio, retrieved caption), i.e. whether that caption
   * would pass as this sound's own description. Null when untestable.
   */
  captionAgreement(hit: KbHit, audio: Float32Array, excludeFileId?: number): number | null {
    const text = this.deps.spaces.existing(this.captionSpace)?.get(hit.fileId);
    if (!text) return null;
    return this.referenceSounds().z(text, audio, this.deps.settings.minSpread, excludeFileId);
  }

  /** z of each text on the audio against the library's reference sounds; null where the model knows none of its words. */
  async support(texts: readonly string[], audio: Float32Array, excludeFileId?: number): Promise<(number | null)[]> {
    if (!texts.length) return [];
    const [vectors, empty] = await Promise.all([embedTexts(this.deps.embedder, texts), this.emptyText()]);
    const refs = this.referenceSounds();
    return vectors.map((v) => (dot(v, empty) >= this.deps.settings.emptyTextSimilarity ? null : refs.z(v, audio, this.deps.settings.minSpread, excludeFileId)));
  }

  stats(): KbStats {
    const c = this.store.counts(this.deps.embedder.space);
    return { ...c, pending: c.pairs - c.refined - c.excluded };
  }

  /** The stored verdict on a file's pair (tests, the CLI's detail). */
  verdict(fileId: number) {
    return this.store.verdict(this.deps.embedder.space, fileId);
  }

  private refinePair(p: PairRow, audio: Float32Array | undefined, captions: VectorStore, references: ReferenceSounds, empty: Float32Array): void {
    const text = captions.get(p.file_id);
    // Without its audio embedding (not indexed with this pack yet) a pair cannot be tested: it stays pending.
    if (!audio || !text) return;
    this.store.setVerdict(this.deps.embedder.space, p, judgePair({ fileId: p.file_id, text, audio }, references, empty, this.deps.settings));
  }

  private dropStaleCaptionVectors(): void {
    const stale = this.store.staleCaptionVectors();
    if (!stale.length) return;
    this.deps.db.transaction(() => {
      for (const s of stale) {
        this.deps.spaces.existing(s.space)?.remove([s.file_id]);
        this.store.forgetCaptionVector(s.file_id, s.space);
      }
    })();
  }

  private async embedCaptions(pairs: readonly PairRow[], signal?: AbortSignal): Promise<void> {
    const store = this.captions();
    const batch = Math.max(1, this.deps.settings.embedBatch);
    for (let i = 0; i < pairs.length; i += batch) {
      signal?.throwIfAborted();
      const part = pairs.slice(i, i + batch);
      const vectors = await this.deps.embedder.embedText(part.map((p) => p.caption));
      this.deps.db.transaction(() => {
        store.upsert(part.map((p, j) => ({ id: p.file_id, vector: vectors[j] })));
        for (const p of part) this.store.markEmbedded(p.file_id, this.captionSpace, p.caption);
      })();
    }
  }

  /**
   * The library sounds texts are calibrated against: up to `referenceFiles` embedded files spread
   * over the id range by a fixed hash, so the same library gives the same references.
   */
  private referenceSounds(): ReferenceSounds {
    if (this.references) return this.references;
    const ids = (
      this.deps.db
        .prepare(`SELECT id FROM files WHERE status = 'ok' AND embed_space = ? ORDER BY (id * 2654435761) % 4294967296, id LIMIT ?`)
        .all(this.deps.embedder.space, this.deps.settings.referenceFiles) as { id: number }[]
    ).map((r) => r.id);
    const vectors = fileAudioVectors(this.deps.db, this.deps.spaces, this.deps.embedder.space, ids);
    this.references = new ReferenceSounds([...vectors].map(([fileId, vector]) => ({ fileId, vector })));
    return this.references;
  }

  private async emptyText(): Promise<Float32Array> {
    return (await embedTexts(this.deps.embedder, ['']))[0];
  }

  private pairMatrix(): PairMatrix {
    if (this.matrix) return this.matrix;
    const { db, spaces, embedder } = this.deps;
    const dim = embedder.dim;
    const kept = this.store.keptPairs(embedder.space);
    const audio = fileAudioVectors(db, spaces, embedder.space, kept.map((p) => p.file_id));
    const captions = spaces.existing(this.captionSpace);
    const rows = kept.flatMap((p) => {
      const a = audio.get(p.file_id);
      const t = captions?.get(p.file_id);
      return a && t ? [{ ...p, a, t }] : [];
    });
    const m: PairMatrix = {
      dim,
      fileIds: rows.map((r) => r.file_id),
      paths: rows.map((r) => r.path),
      captions: rows.map((r) => r.caption),
      audio: new Float32Array(rows.length * dim),
      text: new Float32Array(rows.length * dim),
    };
    rows.forEach((r, i) => {
      m.audio.set(r.a, i * dim);
      m.text.set(r.t, i * dim);
    });
    this.matrix = m;
    return m;
  }
}

function checkQuery(q: { audio: Float32Array; text: Float32Array }, dim: number, w: number): void {
  if (!(q.audio instanceof Float32Array) || q.audio.length !== dim || !(q.text instanceof Float32Array) || q.text.length !== dim) {
    throw new CuebankError('invalid_input', `A knowledge-base query needs a ${dim}-dimensional audio and text vector.`);
  }
  if (!(w >= 0 && w <= 1)) throw new CuebankError('invalid_input', `W must be from 0 to 1, not ${w}.`);
}
