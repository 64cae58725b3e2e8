/**
 * The tagging.* channels: start a tag job, review the queue (list, get), accept, accept above a
 * confidence, reject, edit. An accepted or edited caption joins the knowledge base at once when a
 * CLAP pack is installed (otherwise the next refresh collects it from the tags table).
 */
import path from 'node:path';
import type { ChannelOutput, ChannelParsed } from '../../../preload/contract';
import type { ResolvedConfig } from '../config';
import type { Db } from '../db/open';
import type { EmbedderSlot } from '../embedder-slot';
import { CuebankError } from '../errors';
import type { JobManager } from '../jobs/manager';
import type { VectorSpaces } from '../library/spaces';
import { loadUcsCatalogue } from '../ucs/catalogue';
import { runTagJob } from './job';
import { createLalmCaptioner, KnowledgeBase, kbSettingsOf } from './kb';
import { TagStore } from './store';

type TaggingChannel =
  | 'tagging.start'
  | 'tagging.list'
  | 'tagging.get'
  | 'tagging.accept'
  | 'tagging.acceptAbove'
  | 'tagging.reject'
  | 'tagging.set';

export type TaggingHandlers = { [N in TaggingChannel]: (input: ChannelParsed<N>) => Promise<ChannelOutput<N>> };

export interface TaggingDeps {
  db: Db;
  spaces: VectorSpaces;
  jobs: JobManager;
  config: ResolvedConfig;
  embedders: EmbedderSlot;
}

export interface TaggingFeature {
  handlers: TaggingHandlers;
  /** Starts a tag job again with the selection of one a crash interrupted (it skips what was done). */
  resume(params: unknown): Promise<void>;
}

export function createTaggingFeature(deps: TaggingDeps): TaggingFeature {
  const { db, spaces, jobs, config, embedders } = deps;
  let store: TagStore | null = null;
  const tags = async () => (store ??= new TagStore(db, await loadUcsCatalogue()));

  const start = async (req: { folders?: string[]; paths?: string[] }) => {
    const s = await tags();
    const ucs = await loadUcsCatalogue();
    const selection = { folders: (req.folders ?? []).map((f) => path.resolve(f)), paths: (req.paths ?? []).map((p) => path.resolve(p)) };
    const library = (db.prepare(`SELECT path FROM folders`).all() as { path: string }[]).map((r) => r.path);
    const inside = (a: string, b: string) => a === b || a.startsWith(b.endsWith(path.sep) ? b : b + path.sep);
    for (const f of selection.folders) {
      if (!library.some((l) => inside(f, l) || inside(l, f))) {
        throw new CuebankError('not_found', `Not in the library: ${f} (index it first: cuebank index)`);
      }
    }
    s.resolve({ paths: selection.paths });
    return jobs.start('tag', selection, async (ctx) => {
      const embedder = await embedders.get();
      const lalm = createLalmCaptioner(config.tagging, config.critic.lalm);
      return runTagJob(
        { db, spaces, embedder, lalm, settings: config.tagging, ucs, store: s, noEmbedderNote: embedders.noEmbedderNote },
        selection,
        ctx,
      );
    });
  };

  /** Accepted and edited captions join the knowledge base (when a CLAP pack can embed them). */
  const joinKb = async (fileIds: number[], source: 'accepted' | 'edited') => {
    const embedder = await embedders.get();
    if (!embedder || !fileIds.length) return;
    const s = await tags();
    const kb = new KnowledgeBase({ db, spaces, embedder, settings: kbSettingsOf(config.tagging) });
    for (const id of fileIds) {
      const caption = s.current(id)?.caption;
      if (caption) await kb.addAccepted(id, caption, source);
    }
  };

  const handlers: TaggingHandlers = {
    'tagging.start': async (req) => start(req),
    'tagging.list': async (req) => (await tags()).list(req),
    'tagging.get': async ({ path: p, fileId }) => {
      const s = await tags();
      const [id] = s.resolve(p !== undefined ? { paths: [p] } : { fileIds: [fileId!] });
      return { ...s.get(id), history: s.history(id) };
    },
    'tagging.accept': async (sel) => {
      const s = await tags();
      const changed = s.changeSource(s.resolve(sel), ['suggested'], 'accepted');
      await joinKb(changed, 'accepted');
      return { accepted: changed.length };
    },
    'tagging.acceptAbove': async ({ confidence, folder }) => {
      const s = await tags();
      const changed = s.changeSource(s.suggestedAbove(confidence, folder), ['suggested'], 'accepted');
      await joinKb(changed, 'accepted');
      return { accepted: changed.length };
    },
    'tagging.reject': async (sel) => {
      const s = await tags();
      return { rejected: s.changeSource(s.resolve(sel), ['suggested'], 'rejected').length };
    },
    'tagging.set': async (req) => {
      const s = await tags();
      const ucs = await loadUcsCatalogue();
      const [id] = s.resolve(req.path !== undefined ? { paths: [req.path] } : { fileIds: [req.fileId!] });
      const cur = s.current(id);
      const cat = req.catId !== undefined ? ucs.require(req.catId) : cur?.catId ? ucs.lookup(cur.catId) : undefined;
      const caption = req.caption ?? cur?.caption ?? null;
      if (!caption && !cat) throw new CuebankError('invalid_input', 'A tag needs a caption or a CatID.');
      const row = db.prepare(`SELECT fingerprint FROM files WHERE id = ?`).get(id) as { fingerprint: string };
      s.write(id, {
        caption,
        catId: cat?.catId ?? null,
        alternatives: cur?.alternatives ?? [],
        confidence: cur && cat?.catId === cur.catId ? cur.confidence : null,
        keywords: req.keywords ?? cur?.keywords ?? [],
        source: 'edited',
        route: cur?.route ?? null,
        evidence: cur?.evidence ?? [],
        pack: cur?.pack ?? null,
        fingerprint: row.fingerprint,
      });
      await joinKb([id], 'edited');
      return s.get(id);
    },
  };

  return {
    handlers,
    resume: async (params) => {
      const p = (params ?? {}) as { folders?: unknown; paths?: unknown };
      const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
      await start({ folders: strings(p.folders), paths: strings(p.paths) });
    },
  };
}
