/**
 * The generate loop's time budget on the fixture packs: per iteration, the share of generation,
 * critique, retrieval and bookkeeping (everything else: database, take files, decomposition,
 * mixing, reference decoding, progress), and the orchestration overhead (all but model calls) as a
 * share of the iteration and of the whole job. Prints figures; never passes or fails.
 *
 *   npm run bench:loop -- [--runs 3] [--iterations 3] [--candidates 2] [--steps N] [--prompt "…"] [--strategy layer]
 *   npm run bench:loop -- --recovery [--iterations 4] [--candidates 1] [--every 1] [--strategy layer] [--layer-source focused]
 *
 * --recovery measures how often the loop restores every event instead (loop-recovery.ts).
 *
 * Model calls are the generator (every sampler step, encoder and decoder), the critic (take
 * windows through CLAP) and retrieval (event text through CLAP plus the vector search).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine } from '../../main/engine';
import type { IterationTiming } from '../../main/engine/loop/orchestrator';
import { writeFixtures } from '../fixtures';
import { indexCorpus, runRecovery } from './loop-recovery';
import { machineLine } from './machine';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    iterations: { type: 'string', default: '3' },
    candidates: { type: 'string', default: '2' },
    steps: { type: 'string' },
    prompt: { type: 'string' },
    strategy: { type: 'string' },
    recovery: { type: 'boolean', default: false },
    every: { type: 'string', default: '1' },
    'layer-source': { type: 'string' },
  },
});
const runs = Number(args.runs);
const recovery = args.recovery === true;
// Recovery's target is "within 4 iterations" at the app's default of one candidate.
const iterations = Number(recovery && !process.argv.includes('--iterations') ? '4' : args.iterations);
const candidates = Number(recovery && !process.argv.includes('--candidates') ? '1' : args.candidates);
const steps = args.steps ? Number(args.steps) : undefined;

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1).padStart(5)}%`;
const ms = (x: number) => `${x.toFixed(1).padStart(8)} ms`;

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-bench-loop-'));
  try {
    const fx = writeFixtures(path.join(tmp, 'fx'));
    const prompts = JSON.parse(fs.readFileSync(path.join(fx.outDir, 'prompts.json'), 'utf8')) as { events: string[]; prompts: string[] };
    const prompt = args.prompt ?? prompts.prompts.find((p) => p.split(/,| then | while /).length >= 3) ?? prompts.prompts[0];
    const timings: (IterationTiming & { endedAt: number })[] = [];
    const engine = await createEngine({ dbPath: path.join(tmp, 'bench.db'), modelsDir: fx.modelsDir }, { onLoopTiming: (t) => timings.push({ ...t, endedAt: performance.now() }) });
    const index = await engine.waitForJob((await engine.call('library.index', { folders: [fx.libraryDir] })).jobId);
    if (index.state !== 'done') throw new Error(`indexing the fixture library failed: ${index.error?.message}`);
    const packs = await engine.call('generate.packs', {});
    const pack = packs.generators[0];
    if (!pack?.capabilities) throw new Error(`no usable generator pack: ${pack?.problem ?? 'none found'}`);

    console.log(`bench:loop — ${machineLine()}`);
    console.log(`pack ${pack.id}: ${pack.capabilities.sampleRate} Hz, ${pack.capabilities.channels} ch, default steps ${pack.capabilities.defaultSteps}`);
    if (recovery) {
      const added = await indexCorpus(engine);
      console.log(`library: ${fx.library.length} fixture sounds + ${added} real recordings (../shared/corpus)`);
      await runRecovery(engine, prompts.events, {
        iterations,
        candidates,
        every: Number(args.every),
        strategies: pack.strategies.filter((s) => !args.strategy || s === args.strategy),
        layerSource: args['layer-source'] as 'reference' | 'focused' | undefined,
        log: (line) => console.log(line),
      });
      await engine.close();
      return;
    }
    console.log(`prompt "${prompt}"; ${iterations} iterations max, ${candidates} candidates, steps ${steps ?? 'pack default'}, ${runs} runs per strategy after one warm-up\n`);

    for (const strategy of pack.strategies.filter((s) => !args.strategy || s === args.strategy)) {
      const perIteration = new Map<number, IterationTiming[]>();
      let jobWall = 0;
      let jobModel = 0;
      let stored = 0;
      let before = 0;
      let after = 0;
      for (let r = 0; r <= runs; r++) {
        timings.length = 0;
        const t0 = performance.now();
        const { jobId, generationId } = await engine.call('generate.start', { prompt, strategy, iterations, candidates, steps, seed: 1000 + r });
        const job = await engine.waitForJob(jobId);
        const t1 = performance.now();
        const wall = t1 - t0;
        if (job.state !== 'done') throw new Error(`${strategy} loop ${job.state}: ${job.error?.message}`);
        if (r === 0) continue; // warm-up: loads the generator and the CLAP pack
        jobWall += wall;
        before += timings[0].endedAt - timings[0].total - t0;
        after += t1 - timings[timings.length - 1].endedAt;
        for (const t of timings) {
          jobModel += t.generate + t.critique + t.retrieve;
          perIteration.set(t.iteration, [...(perIteration.get(t.iteration) ?? []), t]);
        }
        stored += (await engine.call('generate.get', { generationId })).takes.length;
      }
      console.log(`strategy ${strategy} (${stored / runs} takes per loop)`);
      console.log('  iteration      total   generate   critique   retrieve  bookkeeping (of which: take files, db, references, mixing)');
      let sumTotal = 0;
      let sumBook = 0;
      for (const [it, list] of [...perIteration.entries()].sort((a, b) => a[0] - b[0])) {
        const mean = (f: (t: IterationTiming) => number) => list.reduce((s, t) => s + f(t), 0) / list.length;
        const total = mean((t) => t.total);
        const book = total - mean((t) => t.generate + t.critique + t.retrieve);
        sumTotal += total * list.length;
        sumBook += book * list.length;
        console.log(
          `  ${String(it).padStart(9)} ${ms(total)} ${pct(mean((t) => t.generate), total)}     ${pct(mean((t) => t.critique), total)}     ${pct(mean((t) => t.retrieve), total)}     ${pct(book, total)}   (${pct(mean((t) => t.takeFiles), total)}, ${pct(mean((t) => t.db), total)}, ${pct(mean((t) => t.references), total)}, ${pct(mean((t) => t.mix), total)})  ${list.length} runs`,
        );
      }
      console.log(`  orchestration overhead per iteration: ${pct(sumBook, sumTotal)} of iteration time (target ≤ 5%)`);
      console.log(`  whole job (start call to job end, incl. job queue and state updates): ${ms(jobWall / runs)}, overhead ${pct(jobWall - jobModel, jobWall)}`);
      console.log(`    of which before the first iteration ${ms(before / runs)} (decomposition, generation row, job start, loading), after the last ${ms(after / runs)}\n`);
    }
    await engine.close();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench:loop: ${(err as Error).message}`);
  process.exit(1);
});
