/**
 * Critic accuracy on takes of known content (test/bench/critic-takes.ts): per concept and per
 * critic, recall of present events, the rate at which absent events are called present, and the
 * weak/missing split. The CLAP critic is built the way the engine builds it, over a library that
 * holds the fixture sounds and ../shared/corpus's real recordings; every take is judged again over
 * the fixture sounds alone, and the bench prints whether any verdict changed. The LALM critic asks
 * the fixture audio-language model (test/fixtures/lalm-server.ts). Prints figures; never passes or fails.
 *
 *   npm run bench:critic -- [--critic clap|lalm|both] [--lalm-rate 16000] [--settings '{"clap":{…}}'] [--quick]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createEngine } from '../../main/engine';
import { resolveConfig, resolveCriticSettings } from '../../main/engine/config';
import { openDatabase } from '../../main/engine/db/open';
import { VectorSpaces } from '../../main/engine/library/spaces';
import { createCritic } from '../../main/engine/loop/critics';
import { defaultGenerateServices } from '../../main/engine/loop/default-services';
import type { Critic, Verdict } from '../../main/engine/loop/types';
import { discoverPacks, findEmbedderPack, loadEmbedder } from '../../main/engine/models';
import { writeFixtures } from '../fixtures';
import { startFixtureLalmServer } from '../fixtures/lalm-server';
import { CONCEPTS, type ConceptId } from '../fixtures/semantics';
import { knownTakes, type Arrangement, type KnownTake } from './critic-takes';
import { machineLine } from './machine';

const { values: args } = parseArgs({
  options: {
    critic: { type: 'string', default: 'both' },
    'lalm-rate': { type: 'string', default: '16000' },
    /** Critic settings to try, as JSON (e.g. '{"clap":{"presentZ":2.5}}'); the defaults otherwise. */
    settings: { type: 'string', default: '{}' },
    /** Judge once, with the corpus in the library (skips the library-independence pass). */
    quick: { type: 'boolean', default: false },
  },
});
const corpusDir = fileURLToPath(new URL('../../../shared/corpus', import.meta.url));

interface Tally {
  present: number;
  hit: number;
  presentWeak: number;
  presentMissing: number;
  absent: number;
  falseAlarm: number;
  absentWeak: number;
  absentMissing: number;
}
const empty = (): Tally => ({ present: 0, hit: 0, presentWeak: 0, presentMissing: 0, absent: 0, falseAlarm: 0, absentWeak: 0, absentMissing: 0 });

function count(t: Tally, present: boolean, v: Verdict): void {
  if (present) {
    t.present++;
    if (v === 'present') t.hit++;
    else if (v === 'weak') t.presentWeak++;
    else t.presentMissing++;
  } else {
    t.absent++;
    if (v === 'present') t.falseAlarm++;
    else if (v === 'weak') t.absentWeak++;
    else t.absentMissing++;
  }
}

/** Every take's verdicts, in order, plus the tallies per concept and per arrangement. */
async function judge(critic: Critic, takes: KnownTake[]) {
  const byConcept = new Map<ConceptId, Tally>(CONCEPTS.map((c) => [c.id, empty()]));
  const byArrangement = new Map<Arrangement, Tally>();
  const verdicts: Verdict[] = [];
  const misses: string[] = [];
  /** The closest calls: the absent event scored highest, the present one (alone or in sequence) lowest. */
  let absentTop = { score: -1, what: '' };
  let presentLow = { score: 2, what: '' };
  const t0 = performance.now();
  for (const take of takes) {
    const c = await critic.critique(take.take, take.plan);
    c.events.forEach((e, i) => {
      const truth = take.truth[i];
      verdicts.push(e.verdict);
      count(byConcept.get(truth.concept)!, truth.present, e.verdict);
      if (!byArrangement.has(take.arrangement)) byArrangement.set(take.arrangement, empty());
      count(byArrangement.get(take.arrangement)!, truth.present, e.verdict);
      const what = `${take.name}: "${e.text}" ${e.score.toFixed(3)}`;
      if (!truth.present && e.score > absentTop.score) absentTop = { score: e.score, what };
      if (truth.present && (take.arrangement === 'alone' || take.arrangement === 'sequence') && e.score < presentLow.score) presentLow = { score: e.score, what };
      if (truth.present !== (e.verdict === 'present')) misses.push(`  ${take.name}: "${e.text}" ${truth.present ? 'sounds' : 'absent'}, judged ${e.verdict} (${e.score.toFixed(2)})`);
    });
  }
  return { byConcept, byArrangement, verdicts, misses, absentTop, presentLow, ms: performance.now() - t0 };
}

const rate = (a: number, b: number) => (b ? (a / b).toFixed(3) : '  -  ');

function printTable(title: string, rows: Map<string, Tally>): void {
  console.log(title);
  console.log('  concept      present  recall  weak  missing | absent  called present  weak  missing');
  const all = empty();
  for (const [name, t] of rows) {
    for (const k of Object.keys(all) as (keyof Tally)[]) all[k] += t[k];
    console.log(
      `  ${name.padEnd(11)} ${String(t.present).padStart(7)}  ${rate(t.hit, t.present).padStart(6)}  ${String(t.presentWeak).padStart(4)}  ${String(t.presentMissing).padStart(7)} | ${String(t.absent).padStart(6)}  ${rate(t.falseAlarm, t.absent).padStart(14)}  ${String(t.absentWeak).padStart(4)}  ${String(t.absentMissing).padStart(7)}`,
    );
  }
  console.log(
    `  ${'all'.padEnd(11)} ${String(all.present).padStart(7)}  ${rate(all.hit, all.present).padStart(6)}  ${String(all.presentWeak).padStart(4)}  ${String(all.presentMissing).padStart(7)} | ${String(all.absent).padStart(6)}  ${rate(all.falseAlarm, all.absent).padStart(14)}  ${String(all.absentWeak).padStart(4)}  ${String(all.absentMissing).padStart(7)}`,
  );
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-bench-critic-'));
  try {
    const fx = writeFixtures(path.join(tmp, 'fx'));
    const takes = knownTakes();
    const events = takes.reduce((n, t) => n + t.truth.length, 0);
    console.log(`bench:critic — ${machineLine()}`);
    console.log(`${takes.length} takes at 44.1 kHz stereo, ${events} judged events (${takes.reduce((n, t) => n + t.truth.filter((x) => !x.present).length, 0)} absent)\n`);

    if (args.critic !== 'lalm') {
      const dbPath = path.join(tmp, 'lib.db');
      const engine = await createEngine({ dbPath, modelsDir: fx.modelsDir }, { background: false });
      const index = async (folders: string[]) => {
        const job = await engine.waitForJob((await engine.call('library.index', { folders })).jobId);
        if (job.state !== 'done') throw new Error(`indexing ${folders.join(', ')} failed: ${job.error?.message}`);
        return (await engine.call('library.stats', {})).windows;
      };
      const critic = JSON.parse(args.settings!);
      const config = resolveConfig({ dbPath, modelsDir: fx.modelsDir, critic });
      const embedder = await loadEmbedder(findEmbedderPack((await discoverPacks(fx.modelsDir)).packs)!);
      const criticOver = () => {
        const db = openDatabase(dbPath);
        return { db, critic: defaultGenerateServices.clapCritic(embedder, { config, db, spaces: new VectorSpaces(db) }) };
      };

      const fixtureWindows = args.quick ? 0 : await index([fx.libraryDir]);
      let bare: Awaited<ReturnType<typeof judge>> | null = null;
      if (!args.quick) {
        const alone = criticOver();
        bare = await judge(alone.critic, takes);
        alone.db.close();
      }

      if (!fs.existsSync(corpusDir)) throw new Error(`${corpusDir} is absent: the bench judges with the corpus in the library`);
      const allWindows = await index([fx.libraryDir, corpusDir]);
      await engine.close();
      const full = criticOver();
      const withCorpus = await judge(full.critic, takes);
      full.db.close();

      const changed = bare ? withCorpus.verdicts.filter((v, i) => v !== bare.verdicts[i]).length : null;
      console.log(`CLAP critic (fixture CLAP pack), library: fixture sounds and ${corpusDir} (${allWindows} windows)`);
      printTable('per concept', withCorpus.byConcept);
      printTable('per arrangement', withCorpus.byArrangement as Map<string, Tally>);
      if (changed !== null) console.log(`verdicts changed by adding the corpus to the library (${fixtureWindows} -> ${allWindows} windows): ${changed} of ${withCorpus.verdicts.length}`);
      console.log(`closest calls: absent event scored highest ${withCorpus.absentTop.what}; present event (alone or in sequence) scored lowest ${withCorpus.presentLow.what}`);
      console.log(`critique time: ${(withCorpus.ms / takes.length).toFixed(0)} ms per take`);
      if (withCorpus.misses.length) console.log(`wrong verdicts (${withCorpus.misses.length}):\n${withCorpus.misses.join('\n')}`);
      console.log('');
      await embedder.dispose();
    }

    if (args.critic !== 'clap') {
      const server = await startFixtureLalmServer();
      try {
        const settings = resolveCriticSettings({ lalm: { url: server.url, sampleRate: Number(args['lalm-rate']) } });
        const lalm = createCritic({ id: 'lalm', settings });
        const r = await judge(lalm, takes);
        console.log(`LALM critic against the fixture audio-language model (test/fixtures/lalm-server.ts), take sent at ${settings.lalm.sampleRate} Hz`);
        printTable('per concept', r.byConcept);
        printTable('per arrangement', r.byArrangement as Map<string, Tally>);
        console.log(`closest calls: absent event scored highest ${r.absentTop.what}; present event (alone or in sequence) scored lowest ${r.presentLow.what}`);
        console.log(`${server.requests.length} requests, ${(r.ms / takes.length).toFixed(0)} ms per take`);
        if (r.misses.length) console.log(`wrong verdicts (${r.misses.length}):\n${r.misses.join('\n')}`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
