/**
 * The file columns both catalogs store under the same names (the local SQLite `files` table and the
 * team library's); only where a file sits differs (a folder and absolute path locally, a root and a
 * relative path on the team library), so each catalog supplies those.
 */
import type { CatalogFile } from './types';

export interface FileColumns {
  id: number;
  name: string;
  size: number;
  mtime_ms: number;
  fingerprint: string;
  status: 'ok' | 'failed';
  error: string | null;
  codec: string | null;
  sample_rate: number | null;
  channels: number | null;
  bits_per_sample: number | null;
  frames: number | null;
  duration: number | null;
  meta_json: string | null;
  embed_space: string | null;
}

export function fileFromColumns(r: FileColumns, rootId: number, relPath: string): CatalogFile {
  return {
    id: r.id,
    rootId,
    relPath,
    name: r.name,
    size: r.size,
    mtimeMs: r.mtime_ms,
    fingerprint: r.fingerprint,
    status: r.status,
    error: r.error,
    codec: r.codec,
    sampleRate: r.sample_rate,
    channels: r.channels,
    bitsPerSample: r.bits_per_sample,
    frames: r.frames,
    duration: r.duration,
    metaJson: r.meta_json,
    embedSpace: r.embed_space,
  };
}
