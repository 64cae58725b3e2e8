/**
 * The library's knowledge base of audio-text pairs (seed 001 §3.5) and pair-to-pair retrieval over
 * its refined part (§3.4). Pairs and their measures live in the database (migration 008); caption text
 * vectors in the vector space `<embedder space>:caption`, keyed by file id and embedded once per
 * caption; the refined pairs are held in memory for retrieval and reloaded after every change
 * made through this object.
 */
import type { Db } from '../../db/open';
import { CuebankError } from '../../errors';
import { referenceSounds as referenceNoises } from '../../loop/critics/reference-sounds';
import type { VectorSpaces } from '../../library/spaces';
import type { VectorStore } from '../../library/vector-types';
import type { Embedder } from '../../models/types';
import { loadUcsCatalogue } from '../../ucs/catalogue';
import { ReferenceSounds } from './agreement';
import { collectPairs } from './collect';
import { dot, fileAudioVectors } from './file-audio';
import { measurePair, verdictOf, type PairVerdict } from './refine';
import { rankPairs, rowScorer, type PairMatrix } from './retrieve';
import { KbStore, type PairRow } from './store';
import { embedTexts } from './text-vectors';
import type { KbHit, KbSettings, KbStats, PairSource } from './types';

/** Length of the synthetic reference noises: long enough for a stable spectrum, short to embed. */
const NOISE_SECONDS = 2;

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
  /** Row of each refined pair's file in the matrix. */
  private rows = new Map<number, number>();
  /** Text halves of S per text-query vector (embedTexts returns one object per text), for the current matrix. */
  private textScores = new WeakMap<Float32Array, Float32Array>();
  private references: ReferenceSounds | null = null;
  /** The synthetic noises' embeddings (they do not change with the library). */
  private noise: Float32Array[] | null = null;

  constructor(private readonly deps: KnowledgeBaseDeps) {
    this.store = new KbStore(deps.db);
  }

  get captionSpace(): string {
    return captionSpaceOf(this.deps.embedder.space);
  }

  private captions(): VectorStore {
    return this.deps.spaces.open(this.captionSpace, this.deps.embedder.dim);
  }

  /** Collects pairs from metadata and accepted tags, embeds new captions, and measures new and changed pairs. */
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
    await this.measurePairs(this.store.unmeasured(this.deps.embedder.space), await this.emptyText());
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
    await this.measurePairs([pair], await this.emptyText());
    this.matrix = null;
  }

  /** The top-k refined pairs by S = W·<A_q, A_k> + (1−W)·<T_q, T_k>; `audio` and `text` L2-normalised. */
  retrieve(q: { audio: Float32Array; text: Float32Array }, o: { w: number; k: number; excludeFileId?: number }): KbHit[] {
    checkQuery(q, this.deps.embedder.dim, o.w);
    const m = this.pairMatrix();
    let text = this.textScores.get(q.text);
    if (!text) this.textScores.set(q.text, (text = m.text.scores(q.text)));
    return rankPairs(m, q, o, text);
  }

  /**
   * z of a retrieved pair's caption on the query's audio against the reference sounds:
   * the refinement test applied to (query audio, retrieved caption), i.e. whether that caption
   * would pass as this sound's own description. Null when untestable. The caption's reference
   * level is computed once (with every reference: one file among hundreds moves it by a rank).
   */
  async captionAgreement(hit: KbHit, audio: Float32Array): Promise<number | null> {
    const text = this.captionVector(hit.fileId);
    if (!text) return null;
    return (await this.referenceSounds()).zCached(`pair:${hit.fileId}:${hit.caption}`, text, audio, this.deps.settings.minSpread);
  }

  /** z of each text on the audio against the reference sounds; null where the model knows none of its words. */
  async support(texts: readonly string[], audio: Float32Array): Promise<(number | null)[]> {
    if (!texts.length) return [];
    const [vectors, empty] = await Promise.all([embedTexts(this.deps.embedder, texts), this.emptyText()]);
    const refs = await this.referenceSounds();
    return vectors.map((v, i) =>
      dot(v, empty) >= this.deps.settings.emptyTextSimilarity ? null : refs.zCached(`text:${texts[i]}`, v, audio, this.deps.settings.minSpread),
    );
  }

  stats(): KbStats {
    const c = this.store.counts(this.deps.embedder.space, this.deps.settings);
    return { ...c, pending: c.pairs - c.refined - c.excluded };
  }

  /** The verdict on a file's pair, or undefined when it has none for its current caption and audio. */
  verdict(fileId: number): PairVerdict | undefined {
    const m = this.store.measure(this.deps.embedder.space, fileId);
    return m && verdictOf(m, this.deps.settings);
  }

  /**
   * Measures pairs against the reference sounds. A pair keeps its measure while its
   * caption and audio stay the same (a refresh measures only new and changed pairs), so the
   * reference sounds of older measures may differ by the files added since: median and MAD over
   * hundreds of references move little. Without its audio embedding (not indexed with this pack
   * yet) a pair cannot be measured and stays pending.
   */
  private async measurePairs(pairs: readonly PairRow[], empty: Float32Array): Promise<void> {
    if (!pairs.length) return;
    const { db, spaces, embedder, settings } = this.deps;
    const audio = fileAudioVectors(db, spaces, embedder.space, pairs.map((p) => p.file_id));
    const captions = this.captions();
    const references = await this.referenceSounds();
    db.transaction(() => {
      for (const p of pairs) {
        const a = audio.get(p.file_id);
        const text = captions.get(p.file_id);
        if (a && text) this.store.setMeasure(embedder.space, p, measurePair({ fileId: p.file_id, text, audio: a }, references, empty, settings.minSpread));
      }
    })();
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
   * The sounds texts are calibrated against: up to `referenceFiles` embedded library files spread
   * over the id range by a fixed hash (the same library gives the same references), and the
   * critic's synthetic noises, which contain no event.
   */
  private async referenceSounds(): Promise<ReferenceSounds> {
    if (this.references) return this.references;
    const { db, spaces, embedder, settings } = this.deps;
    const ids = (
      db
        .prepare(`SELECT id FROM files WHERE status = 'ok' AND embed_space = ? ORDER BY (id * 2654435761) % 4294967296, id LIMIT ?`)
        .all(embedder.space, settings.referenceFiles) as { id: number }[]
    ).map((r) => r.id);
    const vectors = fileAudioVectors(db, spaces, embedder.space, ids);
    this.noise ??= await embedder.embedAudio(referenceNoises(embedder.sampleRate, Math.min(NOISE_SECONDS, embedder.windowSeconds)).map((n) => n.samples));
    this.references = new ReferenceSounds(
      [...vectors].map(([fileId, vector]) => ({ fileId, vector })),
      this.noise,
    );
    return this.references;
  }

  /** A pair's caption vector: from the refined pairs in memory, else from the caption space. */
  private captionVector(fileId: number): Float32Array | undefined {
    const m = this.pairMatrix();
    const i = this.rows.get(fileId);
    if (i !== undefined) return m.text.row(i);
    return this.deps.spaces.existing(this.captionSpace)?.get(fileId);
  }

  private async emptyText(): Promise<Float32Array> {
    return (await embedTexts(this.deps.embedder, ['']))[0];
  }

  private pairMatrix(): PairMatrix {
    if (this.matrix) return this.matrix;
    const { db, spaces, embedder } = this.deps;
    const dim = embedder.dim;
    const kept = this.store.keptPairs(embedder.space, this.deps.settings);
    const audio = fileAudioVectors(db, spaces, embedder.space, kept.map((p) => p.file_id));
    const captions = spaces.existing(this.captionSpace);
    const rows = kept.flatMap((p) => {
      const a = audio.get(p.file_id);
      const t = captions?.get(p.file_id);
      return a && t ? [{ ...p, a, t }] : [];
    });
    const audioRows = new Float32Array(rows.length * dim);
    const textRows = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => {
      audioRows.set(r.a, i * dim);
      textRows.set(r.t, i * dim);
    });
    const m: PairMatrix = {
      dim,
      fileIds: rows.map((r) => r.file_id),
      paths: rows.map((r) => r.path),
      captions: rows.map((r) => r.caption),
      audio: rowScorer(audioRows, dim),
      text: rowScorer(textRows, dim),
    };
    this.matrix = m;
    this.rows = new Map(m.fileIds.map((id, i) => [id, i]));
    this.textScores = new WeakMap();
    return m;
  }
}

function checkQuery(q: { audio: Float32Array; text: Float32Array }, dim: number, w: number): void {
  if (!(q.audio instanceof Float32Array) || q.audio.length !== dim || !(q.text instanceof Float32Array) || q.text.length !== dim) {
    throw new CuebankError('invalid_input', `A knowledge-base query needs a ${dim}-dimensional audio and text vector.`);
  }
  if (!(w >= 0 && w <= 1)) throw new CuebankError('invalid_input', `W must be from 0 to 1, not ${w}.`);
}
