/**
 * The team library commands: `cuebank team init|upgrade|status|grant`, `cuebank index --team`
 * and `cuebank search --team`. The URL's password may be left out: PGPASSWORD or ~/.pgpass
 * supply it as for psql, and no message ever shows it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../engine';
import type { CatalogHit } from '../engine/catalog/catalog-search';
import { CuebankError } from '../engine/errors';
import type { SearchResponse } from '../../preload/contract/search';
import { printIndex } from './output';

export interface TeamCliContext {
  usage(message: string): Error;
  json: boolean;
}

const out = (text: string): void => void process.stdout.write(`${text}\n`);

/** `NAME=PATH` pairs into a map; a malformed one is a usage error naming it. */
export function parseRootPairs(values: string[] | undefined, flag: string, usage: (m: string) => Error): Map<string, string> {
  const map = new Map<string, string>();
  for (const v of values ?? []) {
    const at = v.indexOf('=');
    const name = v.slice(0, at).trim();
    const dir = v.slice(at + 1).trim();
    if (at <= 0 || !name || !dir) throw usage(`${flag} takes NAME=PATH (got "${v}")`);
    if (map.has(name)) throw usage(`${flag} names root "${name}" twice`);
    map.set(name, path.resolve(dir));
  }
  return map;
}

export async function runTeamCommand(rest: string[], ctx: TeamCliContext): Promise<number> {
  const admin = await import('../engine/catalog/postgres/team-admin');
  const [sub, ...args] = rest;
  switch (sub) {
    case 'init':
    case 'upgrade':
    case 'status': {
      if (args.length !== 1) throw ctx.usage(`team ${sub} takes exactly one postgres:// URL`);
      const url = args[0];
      if (sub === 'status') {
        const s = await admin.teamStatus(url);
        if (ctx.json) return (out(JSON.stringify(s, null, 2)), 0);
        out(`schema ${s.schemaVersion}: ${s.files} files, ${s.windows} windows${s.space ? `, space ${s.space.name} (${s.space.dim}-d)` : ''}`);
        for (const r of s.roots) out(`  ${r.name}: ${r.files} files`);
        return 0;
      }
      const r: { schemaVersion: number; applied: number[]; roles?: string[] } = sub === 'init' ? await admin.teamInit(url) : await admin.teamUpgrade(url);
      if (ctx.json) return (out(JSON.stringify(r, null, 2)), 0);
      out(r.applied.length ? `schema ${r.schemaVersion} (applied ${r.applied.join(', ')})` : `schema ${r.schemaVersion} (already current)`);
      if (r.roles) out(`roles: ${r.roles.join(', ')} (cuebank team grant <reader|editor|indexer> <pg user> <url>)`);
      return 0;
    }
    case 'grant': {
      if (args.length !== 3) throw ctx.usage('team grant takes <reader|editor|indexer> <pg user> <url>');
      const [role, user, url] = args;
      const r = await admin.teamGrant(url, role, user);
      if (ctx.json) out(JSON.stringify(r, null, 2));
      else out(`${r.user} is now a team library ${r.role} (${r.pgRole})`);
      return 0;
    }
    default:
      throw ctx.usage(sub ? `unknown team command "${sub}" (init, upgrade, status, grant)` : 'team needs a command: init, upgrade, status or grant');
  }
}

async function openTeam(url: string, modelsDir: string | undefined) {
  const { resolveConfig } = await import('../engine/config');
  const { openTeamPool } = await import('../engine/catalog/postgres/connect');
  const { PostgresCatalog } = await import('../engine/catalog/postgres/postgres-catalog');
  const config = resolveConfig({ dbPath: ':memory:', modelsDir: modelsDir ?? '' });
  const pool = openTeamPool(url, { statementTimeoutMs: config.team.statementTimeoutMs, max: config.team.connections });
  try {
    const catalog = await PostgresCatalog.open(pool, url);
    let slot: { get(): Promise<import('../engine/models').ClapEmbedder | null>; dispose(): Promise<void>; noEmbedderNote: string } | null = null;
    if (modelsDir) {
      const { EmbedderSlot } = await import('../engine/embedder-slot');
      slot = new EmbedderSlot(modelsDir, config.models);
    }
    return {
      catalog,
      config,
      embedder: async () => (slot ? slot.get() : null),
      noEmbedderNote: () => slot?.noEmbedderNote ?? 'No --models folder: files get format, metadata and keywords only.',
      async close() {
        await slot?.dispose();
        await catalog.close();
        await pool.end();
      },
    };
  } catch (err) {
    await pool.end();
    throw err;
  }
}

export async function runTeamIndex(
  folders: string[],
  opts: { url: string; roots: string[] | undefined; models: string | undefined },
  ctx: TeamCliContext,
): Promise<number> {
  const roots = parseRootPairs(opts.roots, '--root', ctx.usage);
  if (roots.size !== 1) throw ctx.usage('index --team needs one --root NAME=PATH (the folders are inside it)');
  const [[rootName, rootPath]] = [...roots];
  const team = await openTeam(opts.url, opts.models);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const { indexIntoCatalog } = await import('../engine/catalog/catalog-index');
    const summary = await indexIntoCatalog(team.catalog, {
      rootName,
      rootPath,
      folders,
      embedder: await team.embedder(),
      settings: team.config.index,
      noEmbedderNote: team.noEmbedderNote(),
      signal: controller.signal,
    });
    if (ctx.json) out(JSON.stringify({ library: 'team', ...summary }, null, 2));
    else {
      printIndex(summary, false);
      if (summary.claimedElsewhere) out(`${summary.claimedElsewhere} file(s) were being indexed by another machine and were left to it`);
    }
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    await team.close();
  }
}

interface ListedHit {
  library: 'local' | 'team';
  path: string | null;
  root?: string;
  relPath?: string;
  playable: boolean;
  reason?: string | null;
  score: number;
  start: number;
  end: number;
  duration: number;
  sampleRate: number;
  channels: number;
}

/**
 * One ranking over the local library (when --db is given) and the team library. If the team
 * library cannot be reached, the local results still come and a note says it is offline.
 */
export async function runTeamSearch(
  opts: { url: string; text: string | undefined; audio: string | undefined; limit: number | undefined; rootMaps: string[] | undefined; db: string | undefined; models: string | undefined },
  withLocal: ((run: (engine: Engine) => Promise<SearchResponse>) => Promise<SearchResponse>) | null,
  ctx: TeamCliContext,
): Promise<number> {
  if (!opts.text) throw ctx.usage('search --team needs --text (search by example sound covers the local library only, for now)');
  if (opts.audio) throw ctx.usage('search --team takes --text only (search by example sound covers the local library only, for now)');
  const rootMap = parseRootPairs(opts.rootMaps, '--root-map', ctx.usage);
  const notes: string[] = [];
  const listed: ListedHit[] = [];
  let limit = opts.limit;
  if (withLocal) {
    const local = await withLocal((engine) => engine.call('search.query', { text: opts.text, limit }));
    notes.push(...local.notes);
    for (const r of local.results) {
      listed.push({ library: 'local', path: r.path, playable: true, score: r.score, start: r.start, end: r.end, duration: r.duration, sampleRate: r.sampleRate, channels: r.channels });
    }
  }
  let mode: string = withLocal ? 'semantic' : 'keyword';
  try {
    const team = await openTeam(opts.url, opts.models);
    try {
      const { searchCatalogText } = await import('../engine/catalog/catalog-search');
      limit ??= team.config.search.defaultLimit;
      const embedder = await team.embedder();
      if (!embedder) notes.push(`Team library: ${team.noEmbedderNote()} Ranked by keywords only.`);
      const r = await searchCatalogText(team.catalog, embedder, team.config.search, { text: opts.text, limit, rootMap });
      mode = r.mode;
      notes.push(...r.notes);
      listed.push(...r.hits.map((h: CatalogHit) => ({ ...h })));
    } finally {
      await team.close();
    }
  } catch (err) {
    if (!withLocal || !(err instanceof CuebankError)) throw err;
    notes.push(/offline/.test(err.message) ? err.message : `The team library is unavailable: ${err.message}`);
  }
  const results = listed.sort((a, b) => b.score - a.score).slice(0, limit ?? 50);
  if (ctx.json) return (out(JSON.stringify({ results, mode, notes }, null, 2)), 0);
  for (const n of notes) out(`note: ${n}`);
  results.forEach((r, i) => {
    const where = r.path ?? `${r.root}:${r.relPath}`;
    out(`${String(i + 1).padStart(3)}. ${r.score.toFixed(3)}  [${r.library}] ${where}${r.playable ? '' : `  (cannot play: ${r.reason})`}`);
  });
  if (!results.length) out('no results');
  return 0;
}

/** A --db given with --team must exist (search reads it, never creates it). */
export function checkLocalDb(db: string | undefined): void {
  if (db && !fs.existsSync(db)) throw new CuebankError('not_found', `No database at ${db}: run cuebank index first`);
}
