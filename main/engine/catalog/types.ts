/**
 * The library catalog: roots, files with their format and metadata, embedding windows with their
 * vectors, the keyword index and tags. It is what a studio shares, so it sits behind this one
 * interface with two implementations: the local SQLite catalog (sqlite/, the workspace database
 * of today) and the team catalog on PostgreSQL (postgres/). One behaviour suite
 * (test/integration/catalog) runs against both.
 *
 * Paths are stored relative to named roots ('/'-separated) so that every client can map a root
 * to its own mount point. Every method is async because the team catalog is across a network.
 */
import type { TagSource } from '../../../preload/contract/tagging';
import type { FtsDocument } from '../db/queries/files';
import { CuebankError } from '../errors';

export type CatalogKind = 'local' | 'team';

export interface CatalogRoot {
  id: number;
  name: string;
  /** Files recorded under the root (readable or failed). */
  files: number;
}

/** What an indexer records for one file. */
export interface CatalogFileInput {
  /** Relative to the root, '/'-separated, never starting with '/' or containing '..'. */
  relPath: string;
  size: number;
  mtimeMs: number;
  fingerprint: string;
  status: 'ok' | 'failed';
  error: string | null;
  codec: string | null;
  sampleRate: number | null;
  channels: number | null;
  bitsPerSample: number | null;
  frames: number | null;
  duration: number | null;
  metaJson: string | null;
  /** The words keyword search sees (keywords.ts ftsDocument); null for a failed file. */
  words: FtsDocument | null;
}

export interface CatalogFile extends Omit<CatalogFileInput, 'words'> {
  id: number;
  rootId: number;
  name: string;
  /** The vector space the file's windows are in, or null before it is embedded. */
  embedSpace: string | null;
}

export interface CatalogWindow {
  start: number;
  end: number;
  /** L2-normalised, of the space's dimension. */
  vector: Float32Array;
}

/** Filters every search takes; a file must pass all that are given. */
export interface CatalogFilters {
  minDuration?: number;
  maxDuration?: number;
  sampleRates?: number[];
  channels?: number[];
  /** UCS CatIDs of the file's current tag (not a rejected one); resolve category names before. */
  catIds?: string[];
}

export interface KeywordHit {
  fileId: number;
  /** In (0, 1]: match strength relative to the best match of the query. */
  score: number;
}

/** A file and its best window for a query vector. */
export interface VectorFileHit {
  fileId: number;
  windowId: number;
  /** Cosine similarity of the query and the window's vector. */
  score: number;
  start: number;
  end: number;
}

export interface CatalogTag {
  caption: string | null;
  catId: string | null;
  keywords: string[];
  confidence: number | null;
  source: TagSource;
}

/** Files an indexer may work on now; others are being worked on by another indexer. */
export interface Claim {
  granted: string[];
  release(): Promise<void>;
}

export interface CatalogCounts {
  files: number;
  windows: number;
}

export interface LibraryCatalog {
  readonly kind: CatalogKind;

  /** Adds a root (or returns the existing one of that name). `localPath` is where it is on this machine. */
  addRoot(name: string, localPath: string): Promise<CatalogRoot>;
  roots(): Promise<CatalogRoot[]>;

  /**
   * Records files under a root, inserting new ones and updating known ones (by relative path) in
   * one transaction; returns their ids in order. Updating a file whose content changed (another
   * fingerprint) removes its windows.
   */
  upsertFiles(rootId: number, files: CatalogFileInput[]): Promise<number[]>;
  file(id: number): Promise<CatalogFile | null>;
  filesOfRoot(rootId: number): Promise<CatalogFile[]>;
  fileByPath(rootId: number, relPath: string): Promise<CatalogFile | null>;
  removeFiles(ids: number[]): Promise<void>;

  /**
   * Claims files of a root for indexing. A claim is held until released or until the claiming
   * process goes away, so a killed indexer never blocks the others.
   */
  claim(rootId: number, relPaths: string[]): Promise<Claim>;

  /**
   * Replaces a file's windows in a vector space (created on first use with this dimension) and
   * marks the file embedded in it, in one transaction; returns the new window ids.
   */
  putWindows(fileId: number, space: string, dim: number, windows: CatalogWindow[]): Promise<number[]>;
  /** Files and their windows written in one transaction: a killed indexer loses at most this batch. */
  writeBatch(rootId: number, space: string | null, dim: number, items: { file: CatalogFileInput; windows: CatalogWindow[] }[]): Promise<number[]>;

  /** The vector spaces holding windows, largest first (a team library has one: its CLAP pack's). */
  spaces(): Promise<{ name: string; dim: number; windows: number }[]>;
  keywordSearch(text: string, filters: CatalogFilters, limit: number): Promise<KeywordHit[]>;
  /** The `k` files whose best window is most similar to the query (best window per file), filters applied. */
  vectorSearch(space: string, query: Float32Array, k: number, filters: CatalogFilters): Promise<VectorFileHit[]>;

  setTag(fileId: number, tag: CatalogTag): Promise<void>;
  tag(fileId: number): Promise<CatalogTag | null>;

  counts(): Promise<CatalogCounts>;
  close(): Promise<void>;
}

/** A relative path as the catalog stores it; throws on one that leaves its root. */
export function checkRelPath(relPath: string): string {
  const p = relPath.replace(/\\/g, '/');
  if (!p || p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.split('/').some((s) => s === '..' || s === '')) {
    throw new CuebankError('invalid_input', `Not a path relative to its root: "${relPath}"`);
  }
  return p;
}
