/**
 * `cuebank kb --db <file> --models <dir> --stats [--json]`: brings the tagging knowledge base up
 * to date (new descriptions and accepted captions collected, their captions embedded once,
 * every pair refined) and prints its size before and after refinement. It needs no engine job:
 * the database, the vector spaces and the CLAP pack are opened directly, and Ctrl-C stops the
 * refresh between embedding batches with nothing half-written.
 */
import fs from 'node:fs';
import { resolveConfig } from '../engine/config';
import { CuebankError } from '../engine/errors';
import type { KbStats } from '../engine/tagging/kb';

export interface KbCliOptions {
  db: string;
  models: string;
  stats: boolean;
  json: boolean;
}

export async function runKbCommand(o: KbCliOptions, usage: (message: string) => Error): Promise<number> {
  if (!o.stats) throw usage('kb needs --stats (the only thing it does so far)');
  if (!fs.existsSync(o.db)) throw new CuebankError('not_found', `No database at ${o.db}: run cuebank index first`);
  const [{ openDatabase }, { VectorSpaces }, { EmbedderSlot }, { KnowledgeBase, kbSettingsOf }] = await Promise.all([
    import('../engine/db/open'),
    import('../engine/library/spaces'),
    import('../engine/embedder-slot'),
    import('../engine/tagging/kb'),
  ]);
  const config = resolveConfig({ dbPath: o.db, modelsDir: o.models });
  const models = new EmbedderSlot(config.modelsDir, config.models);
  const db = openDatabase(config.dbPath);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const embedder = await models.get();
    if (!embedder) throw new CuebankError('no_model', `The knowledge base needs a CLAP pack. ${models.noEmbedderNote}`);
    const kb = new KnowledgeBase({ db, spaces: new VectorSpaces(db), embedder, settings: kbSettingsOf(config.tagging) });
    const stats = await kb.refresh(abort.signal).catch((err: unknown) => {
      if (abort.signal.aborted) throw new CuebankError('cancelled', 'Cancelled; run it again to finish (captions already embedded are kept)');
      throw err;
    });
    printKbStats(stats, embedder.space, o.json);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    await models.dispose();
    db.close();
  }
}

function printKbStats(s: KbStats, space: string, asJson: boolean): void {
  const out = (text: string) => void process.stdout.write(`${text}\n`);
  if (asJson) return out(JSON.stringify({ ...s, space }, null, 2));
  out(`knowledge base (${space})`);
  out(`  pairs before refinement: ${s.pairs}`);
  out(`  pairs after refinement:  ${s.refined}`);
  out(`  excluded by refinement:  ${s.excluded}`);
  if (s.pending) out(`  not yet testable:        ${s.pending} (their files are not embedded with this pack: run cuebank index)`);
  for (const [source, n] of Object.entries(s.bySource)) out(`  from ${source}: ${n}`);
}
