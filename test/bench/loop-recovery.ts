/**
 * bench:loop --recovery: how often the loop ends with every event present on three-event prompts,
 * per prompt form and strategy, in a library of the fixture sounds plus ../shared/corpus's real
 * recordings. The prompts are every ordered choice of three of the fixture's event phrases in each
 * of four forms; the fixture generator drops the last event of each, so the loop must restore it.
 * "Present" is the loop's own critic's verdict on the take the loop reports as best.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../main/engine';
import type { GenerateResult, GenerationDetail } from '../../preload/contract/generate';

/** ../shared/corpus beside the checkout (test/helpers/corpus.ts names the same folder; it needs CommonJS's __dirname). */
const corpusDir = fileURLToPath(new URL('../../../shared/corpus', import.meta.url));
const hasCorpus = fs.existsSync(corpusDir);

/** The prompt forms of issue 10, with A, B, C the three event phrases in order of mention. */
export const RECOVERY_FORMS: readonly { name: string; make(a: string, b: string, c: string): string }[] = [
  { name: 'A, then B, while C', make: (a, b, c) => `${a}, then ${b}, while ${c}` },
  { name: 'C throughout, A then B', make: (a, b, c) => `${c} throughout, ${a} then ${b}` },
  { name: 'A while B, then C', make: (a, b, c) => `${a} while ${b}, then ${c}` },
  { name: 'A then B then C', make: (a, b, c) => `${a} then ${b} then ${c}` },
];

/** Every ordered choice of three distinct phrases. */
export function permutations3(phrases: readonly string[]): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const a of phrases) for (const b of phrases) for (const c of phrases) if (a !== b && b !== c && a !== c) out.push([a, b, c]);
  return out;
}

export interface RecoveryOptions {
  iterations: number;
  candidates: number;
  /** Runs every `every`-th permutation only (1: all). */
  every: number;
  strategies: readonly string[];
  layerSource?: 'reference' | 'focused';
  log(line: string): void;
}

interface Outcome {
  form: string;
  prompt: string;
  present: boolean;
  /** The best take's events not judged present, with their verdict and score. */
  missing: string[];
  iterationsRun: number;
  endedOnBest: boolean;
  changes: string[];
  /** Whether decomposition gave exactly the three phrases written (a wrong split is not recovery's failure). */
  asWritten: boolean;
}

/** Indexes the corpus beside the fixture library (already indexed by the caller). */
export async function indexCorpus(engine: Engine): Promise<number> {
  if (!hasCorpus) throw new Error(`--recovery needs the real recordings at ${corpusDir} (absent here)`);
  const job = await engine.waitForJob((await engine.call('library.index', { folders: [corpusDir] })).jobId);
  if (job.state !== 'done') throw new Error(`indexing ${corpusDir} failed: ${job.error?.message}`);
  return (job.result as { added: number }).added;
}

async function runOne(engine: Engine, prompt: string, strategy: string, opts: RecoveryOptions, seed: number) {
  const { jobId, generationId } = await engine.call('generate.start', {
    prompt,
    strategy: strategy as 'layer',
    iterations: opts.iterations,
    candidates: opts.candidates,
    seed,
    ...(opts.layerSource ? { layerSource: opts.layerSource } : {}),
  });
  const job = await engine.waitForJob(jobId);
  if (job.state !== 'done') throw new Error(`${strategy} on "${prompt}": ${job.state}: ${job.error?.message}`);
  const result = job.result as GenerateResult;
  const detail: GenerationDetail = await engine.call('generate.get', { generationId });
  await engine.call('generate.delete', { generationId });
  return { result, detail };
}

function outcomeOf(form: string, prompt: string, result: GenerateResult, detail: GenerationDetail, phrases: readonly string[]): Outcome {
  const best = detail.takes.find((t) => t.id === result.bestTakeId);
  const present = !!best?.critique && best.critique.events.every((e) => e.verdict === 'present');
  const lastChosen = result.chosenTakeIds.at(-1);
  const changes = detail.takes.filter((t) => t.chosen && t.change).map((t) => t.change!.kind);
  return {
    form,
    prompt,
    present,
    missing: (best?.critique?.events ?? []).filter((e) => e.verdict !== 'present').map((e) => `${e.text} ${e.verdict} ${e.score.toFixed(2)}`),
    iterationsRun: Math.max(...detail.takes.map((t) => t.iteration)),
    endedOnBest: lastChosen === result.bestTakeId,
    changes,
    asWritten: sameSet(detail.generation.plan.events.map((e) => e.text), phrases),
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && b.every((x) => a.includes(x));
const rate = (xs: readonly Outcome[]) => (xs.length ? xs.filter((x) => x.present).length / xs.length : NaN);
const pct = (x: number) => `${(100 * x).toFixed(1).padStart(5)} %`;

/** Runs every strategy over every form and permutation; prints the rate per form and strategy. */
export async function runRecovery(engine: Engine, phrases: readonly string[], opts: RecoveryOptions): Promise<void> {
  const perms = permutations3(phrases).filter((_, i) => i % opts.every === 0);
  opts.log(`${perms.length} permutations of ${phrases.length} event phrases (${phrases.map((p) => `"${p}"`).join(', ')}) × ${RECOVERY_FORMS.length} forms`);
  opts.log(`${opts.iterations} iterations max, ${opts.candidates} candidate(s); present = every event's verdict on the reported best take\n`);

  for (const single of ['low rumble', 'electrical mains hum']) {
    for (const strategy of opts.strategies) {
      const { result, detail } = await runOne(engine, single, strategy, opts, 7);
      const o = outcomeOf('single', single, result, detail, [single]);
      opts.log(`single-event "${single}" (${strategy}): ${o.present ? 'present' : 'NOT present'} after ${o.iterationsRun} iteration(s), stop ${result.stopReason}`);
    }
  }
  opts.log('');

  const all = new Map<string, Outcome[]>();
  for (const strategy of opts.strategies) {
    const t0 = performance.now();
    const outcomes: Outcome[] = [];
    let seed = 100;
    for (const form of RECOVERY_FORMS) {
      for (const [a, b, c] of perms) {
        const prompt = form.make(a, b, c);
        const { result, detail } = await runOne(engine, prompt, strategy, opts, seed++);
        outcomes.push(outcomeOf(form.name, prompt, result, detail, [a, b, c]));
      }
      // A line per form as it ends: a run cut short still leaves its finished forms' figures.
      const mine = outcomes.filter((o) => o.form === form.name);
      const failed = mine.filter((o) => !o.present).map((o) => `"${o.prompt}" (${o.missing.join('; ')})`);
      opts.log(`  … ${strategy}, ${form.name}: ${mine.length - failed.length}/${mine.length} present (${((performance.now() - t0) / 1000).toFixed(0)} s so far)${failed.length ? `; not: ${failed.join(', ')}` : ''}`);
    }
    all.set(strategy, outcomes);
    const seconds = (performance.now() - t0) / 1000;
    const label = opts.layerSource && strategy === 'layer' ? `layer (${opts.layerSource})` : strategy;
    opts.log(`strategy ${label}: ${pct(rate(outcomes))} of ${outcomes.length} prompts end with every event present (${seconds.toFixed(0)} s)`);
    for (const form of RECOVERY_FORMS) {
      const mine = outcomes.filter((o) => o.form === form.name);
      const its = mine.filter((o) => o.present).map((o) => o.iterationsRun);
      const meanIts = its.length ? (its.reduce((s, x) => s + x, 0) / its.length).toFixed(2) : '–';
      opts.log(`  ${form.name.padEnd(24)} ${pct(rate(mine))}  (${mine.filter((o) => o.present).length}/${mine.length}; mean iterations when present ${meanIts})`);
    }
    const split = outcomes.filter((o) => !o.asWritten);
    opts.log(
      `  ${split.length} prompts decompose into other events than the three written (e.g. "electrical mains whoosh"); ` +
        `${split.filter((o) => o.present).length} of them end present; rate on the other ${outcomes.length - split.length}: ${pct(rate(outcomes.filter((o) => o.asWritten)))}`,
    );
    const notBest = outcomes.filter((o) => !o.endedOnBest).length;
    const kinds = new Map<string, number>();
    for (const o of outcomes) for (const k of o.changes) kinds.set(k, (kinds.get(k) ?? 0) + 1);
    opts.log(`  loops whose last kept take is not the best: ${notBest} (reported as such); changes made: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
    const failed = outcomes.filter((o) => !o.present);
    for (const f of failed.slice(0, 6)) opts.log(`    not recovered: "${f.prompt}"`);
    if (failed.length > 6) opts.log(`    … and ${failed.length - 6} more`);
    opts.log('');
  }
}
