/**
 * Text search over a catalog reached through the interface (the team library), ranked as the
 * local search ranks text: S_text = cos(text, best window) + keywordWeight · keyword strength
 * (library/search.ts), so team and local results can share one list. Files only matched by keyword
 * (no vector among the candidates) score their keyword part alone. Every hit names its root and
 * relative path, and the path on this machine where the root is mapped; a hit under an unmapped
 * root is kept and says why it cannot play.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SearchSettings } from '../config';
import type { Embedder } from '../models/types';
import type { CatalogFilters, LibraryCatalog } from './types';

export interface CatalogHit {
  library: 'team';
  root: string;
  relPath: string;
  /** Where the file is on this machine, or null when its root is not mapped here. */
  path: string | null;
  playable: boolean;
  /** Why it cannot play (unmapped root, file not at the mapped path); null when it can. */
  reason: string | null;
  score: number;
  start: number;
  end: number;
  duration: number;
  sampleRate: number;
  channels: number;
}

export interface CatalogSearchRequest {
  text: string;
  limit: number;
  filters?: CatalogFilters;
  /** Root name → where it is mounted here. */
  rootMap: Map<string, string>;
}

export async function searchCatalogText(
  catalog: LibraryCatalog,
  embedder: Embedder | null,
  settings: SearchSettings,
  req: CatalogSearchRequest,
): Promise<{ hits: CatalogHit[]; mode: 'semantic' | 'keyword'; notes: string[] }> {
  const filters = req.filters ?? {};
  const notes: string[] = [];
  // Vectors of another CLAP pack are another space: never compared with this one's.
  if (embedder) {
    const space = embedder.space;
    const spaces = await catalog.spaces();
    if (spaces.length && !spaces.some((s) => s.name === space)) {
      notes.push(`The team library is embedded with ${spaces[0].name}; this app uses ${space}. Team results rank by keywords only until the same CLAP pack is installed.`);
      embedder = null;
    }
  }
  const keywords = new Map((await catalog.keywordSearch(req.text, filters, 2_000)).map((h) => [h.fileId, h.score]));
  const scored = new Map<number, { score: number; start: number; end: number }>();
  if (embedder) {
    const [q] = await embedder.embedText([req.text]);
    for (const h of await catalog.vectorSearch(embedder.space, q, req.limit * settings.candidateFactor, filters)) {
      scored.set(h.fileId, { score: h.score + settings.keywordWeight * (keywords.get(h.fileId) ?? 0), start: h.start, end: h.end });
    }
  }
  for (const [fileId, kw] of keywords) {
    if (!scored.has(fileId)) scored.set(fileId, { score: (embedder ? settings.keywordWeight : 1) * kw, start: 0, end: 0 });
  }
  const ranked = [...scored.entries()].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]).slice(0, req.limit);
  const roots = new Map((await catalog.roots()).map((r) => [r.id, r.name]));
  const hits: CatalogHit[] = [];
  for (const [fileId, s] of ranked) {
    const f = await catalog.file(fileId);
    if (!f) continue;
    const root = roots.get(f.rootId) ?? '?';
    const mount = req.rootMap.get(root);
    const local = mount ? path.join(mount, ...f.relPath.split('/')) : null;
    const reason = !mount
      ? `The team root "${root}" is not mapped on this machine (--root-map ${root}=PATH, or Settings → Team library).`
      : fs.existsSync(local!)
        ? null
        : `Not found at ${local}: is ${root} mounted at ${mount}?`;
    const duration = f.duration ?? 0;
    hits.push({
      library: 'team',
      root,
      relPath: f.relPath,
      path: local,
      playable: reason === null,
      reason,
      score: s.score,
      start: s.end > s.start ? s.start : 0,
      end: s.end > s.start ? s.end : duration,
      duration,
      sampleRate: f.sampleRate ?? 0,
      channels: f.channels ?? 0,
    });
  }
  return { hits, mode: embedder ? 'semantic' : 'keyword', notes };
}
