import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Engine, EngineConfig, EngineOptions } from '../engine';
import type { SearchResponse } from '../../preload/contract/search';
import { CuebankError } from '../engine/errors';
import { runGenerate } from './generate';
import { runKbCommand } from './kb';
import { runWriteTags } from './write-tags';
import { runTag, runTags } from './tag';
import { joinNegativeValues, runExportCommand, runProjectCommand, type CliContext } from './projects';
import { runModelsCommand } from './models';
import { printIndex, printLoudness, printMeta, printSearch } from './output';
import { checkLocalDb, runTeamCommand, runTeamIndex, runTeamSearch } from './team';

const USAGE = `Usage:
  cuebank index <folder>... --db <file> --models <dir> [--json]
  cuebank search --db <file> --models <dir> (--text "…" | --audio <file> | --text "…" --audio <file> [--weight W]) [--limit N] [--json]
  cuebank meta <file> [--json]
  cuebank loudness <file> [--json]
  cuebank models [list] --models <dir> [--db <file>] [--json]
  cuebank models catalog [--json]
  cuebank models download <catalog id> --models <dir> [--dtype q8|fp16|fp32] [--json]
                   (from HF_ENDPOINT, else huggingface.co; HF_TOKEN for private repositories;
                   HTTPS_PROXY / NO_PROXY honoured; run again to resume)
  cuebank models import <folder|zip> --models <dir>
  cuebank models remove <id> --models <dir>
  cuebank generate "<prompt>" --models <dir> --db <library db> --out <dir> [--iterations N] [--candidates N]
                   [--strategy adapter|audio2audio|layer] [--critic clap|lalm --critic-url URL] [--seed S]
                   [--duration SECONDS] [--steps N] [--decomposer rules|lalm] [--json]
  cuebank project create <name> --db <file>
  cuebank project add <name> <audio file>... --db <file> [--catid <CatID>] [--fxname <name>] [--creator <id>]
                   [--source <id>] [--description <text>]
  cuebank project list --db <file> [--json]
  cuebank export <name> --db <file> --out <dir> [--format wav|flac|ogg] [--rate 44100|48000|96000] [--bits 16|24|32]
                   [--quality 0..1] [--channels mono|stereo|keep] [--lufs -23] [--true-peak -1]
                   [--on-conflict ask|skip|overwrite|keep-both] [--json]
  cuebank kb --db <file> --models <dir> --stats [--json]
  cuebank write-tags <file|folder>... --db <file> [--dry-run] [--backup] [--json]
  cuebank tag [<folder>...] --db <file> --models <dir> [--lalm-url URL] [--json]
  cuebank tags <file> --db <file> [--json]
  cuebank tags accept <file>... --db <file> [--models <dir>]
  cuebank tags set <file> --db <file> [--caption T] [--catid C] [--keywords a,b] [--models <dir>]
  cuebank team init|upgrade|status <postgres url> [--json]
  cuebank team grant <reader|editor|indexer> <pg user> <postgres url> [--json]
  cuebank index --team <postgres url> --root NAME=PATH <folder>... [--models <dir>] [--json]
  cuebank search --team <postgres url> --text "…" [--root-map NAME=PATH]... [--db <file>] [--models <dir>] [--limit N] [--json]`;

/** A mistake in how the command was called: one line, then the usage, exit 2. */
class UsageError extends Error {}

const OPTIONS = {
  db: { type: 'string' },
  models: { type: 'string' },
  json: { type: 'boolean', default: false },
  text: { type: 'string' },
  audio: { type: 'string' },
  weight: { type: 'string' },
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  out: { type: 'string' },
  iterations: { type: 'string' },
  candidates: { type: 'string' },
  strategy: { type: 'string' },
  critic: { type: 'string' },
  'critic-url': { type: 'string' },
  decomposer: { type: 'string' },
  seed: { type: 'string' },
  duration: { type: 'string' },
  steps: { type: 'string' },
  format: { type: 'string' },
  rate: { type: 'string' },
  bits: { type: 'string' },
  quality: { type: 'string' },
  channels: { type: 'string' },
  lufs: { type: 'string' },
  'true-peak': { type: 'string' },
  'on-conflict': { type: 'string' },
  catid: { type: 'string' },
  fxname: { type: 'string' },
  creator: { type: 'string' },
  source: { type: 'string' },
  description: { type: 'string' },
  stats: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean' },
  backup: { type: 'boolean' },
  'lalm-url': { type: 'string' },
  caption: { type: 'string' },
  keywords: { type: 'string' },
  dtype: { type: 'string' },
  catalog: { type: 'string' },
  team: { type: 'string' },
  root: { type: 'string', multiple: true },
  'root-map': { type: 'string', multiple: true },
} as const;

type Args = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function need(args: Args, name: 'db' | 'models' | 'out'): string {
  const v = args[name];
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
}

function number(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}`);
  return n;
}

/** Loaded only when a command needs it: model and database libraries take a while to import. */
async function openEngine(dbPath: string, modelsDir: string, extra: Partial<EngineConfig> = {}, options: EngineOptions = {}): Promise<Engine> {
  const { createEngine } = await import('../engine');
  return createEngine({ dbPath, modelsDir, ...extra }, options);
}

async function withEngine<T>(args: Args, run: (engine: Engine) => Promise<T>, extra: Partial<EngineConfig> = {}, options: EngineOptions = {}): Promise<T> {
  const engine = await openEngine(need(args, 'db'), need(args, 'models'), extra, options);
  // Ctrl-C cancels the running job cleanly; whatever was committed stays.
  const onSigint = () => {
    void engine.call('jobs.list', {}).then((jobs) => {
      for (const j of jobs) if (j.state === 'running' || j.state === 'queued') void engine.call('jobs.cancel', { jobId: j.id });
    });
  };
  process.once('SIGINT', onSigint);
  try {
    return await run(engine);
  } finally {
    process.off('SIGINT', onSigint);
    await engine.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: args, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (args.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return args.help ? 0 : 2;
  }

  switch (command) {
    case 'index': {
      if (!rest.length) throw new UsageError('index needs at least one folder');
      if (args.team) return runTeamIndex(rest, { url: args.team, roots: args.root, models: args.models }, { usage: (m) => new UsageError(m), json: args.json });
      if (args.root) throw new UsageError('--root applies only with --team');
      return withEngine(args, async (engine) => {
        const { jobId } = await engine.call('library.index', { folders: rest });
        const stopProgress = args.json ? () => undefined : showProgress(engine);
        const job = await engine.waitForJob(jobId);
        stopProgress();
        if (job.state === 'failed') throw new CuebankError('internal', job.error?.message ?? 'Indexing failed');
        if (job.state === 'cancelled' || job.state === 'interrupted') throw new CuebankError('cancelled', 'Indexing was cancelled; run it again to resume');
        printIndex(job.result as Parameters<typeof printIndex>[0], args.json);
        return 0;
      });
    }
    case 'search': {
      if (rest.length) throw new UsageError(`search takes no positional arguments (got "${rest[0]}")`);
      if (!args.text && !args.audio) throw new UsageError('search needs --text and/or --audio');
      const weight = number(args.weight, 'weight', 0, 1);
      if (weight !== undefined && !(args.text && args.audio)) throw new UsageError('--weight applies only with both --text and --audio');
      const limit = number(args.limit, 'limit', 1, 100_000);
      if (args.team) {
        checkLocalDb(args.db);
        const local = args.db ? (run: (engine: Engine) => Promise<SearchResponse>) => withEngine(args, run) : null;
        const opts = { url: args.team, text: args.text, audio: args.audio, limit, rootMaps: args['root-map'], db: args.db, models: args.models };
        return runTeamSearch(opts, local, { usage: (m) => new UsageError(m), json: args.json });
      }
      if (args['root-map']) throw new UsageError('--root-map applies only with --team');
      if (!fs.existsSync(need(args, 'db'))) throw new CuebankError('not_found', `No database at ${args.db}: run cuebank index first`);
      return withEngine(args, async (engine) => {
        const response = await engine.call('search.query', { text: args.text, audioPath: args.audio, weight, limit });
        printSearch(response, args.json);
        return 0;
      });
    }
    case 'meta': {
      if (rest.length !== 1) throw new UsageError('meta takes exactly one file');
      const { readMeta } = await import('../engine/audio');
      const meta = await readMeta(rest[0]);
      printMeta(meta, args.json);
      return 0;
    }
    case 'loudness': {
      if (rest.length !== 1) throw new UsageError('loudness takes exactly one file');
      const { measureFileLoudness } = await import('../engine/audio');
      printLoudness(await measureFileLoudness(rest[0]), args.json);
      return 0;
    }
    case 'models': {
      // The catalog needs no models folder; everything else does. A workspace database is optional.
      const modelsDir = rest[0] === 'catalog' ? (args.models ?? `${process.cwd()}/no-models`) : need(args, 'models');
      const { MemorySecretStore } = await import('../engine/models/manager/secrets');
      return runModelsCommand(rest, { json: args.json, dtype: args.dtype }, {
        withEngine: (run) =>
          withEngine({ ...args, db: args.db ?? ':memory:', models: modelsDir }, run, args.catalog ? { models: { catalogPath: args.catalog } } : {}, {
            // The hub's own convention for a token on the command line: HF_TOKEN.
            secrets: new MemorySecretStore(process.env.HF_TOKEN ?? null),
          }),
        usage: (m) => new UsageError(m),
      });
    }
    case 'generate': {
      if (rest.length !== 1) throw new UsageError('generate takes exactly one prompt (quote it)');
      if (!fs.existsSync(need(args, 'db'))) throw new CuebankError('not_found', `No library database at ${args.db}: run cuebank index first`);
      const oneOf = <T extends string>(value: string | undefined, name: string, allowed: readonly T[]): T | undefined => {
        if (value !== undefined && !allowed.includes(value as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
        return value as T | undefined;
      };
      const critic = oneOf(args.critic, 'critic', ['clap', 'lalm'] as const);
      const decomposer = oneOf(args.decomposer, 'decomposer', ['rules', 'lalm'] as const);
      // The critic's endpoint also serves the language-model decomposer (unless settings name another).
      if (args['critic-url'] && critic !== 'lalm' && decomposer !== 'lalm') throw new UsageError('--critic-url applies only with --critic lalm or --decomposer lalm');
      if (critic === 'lalm' && !args['critic-url']) throw new UsageError('--critic lalm needs --critic-url URL');
      const options = {
        prompt: rest[0],
        out: need(args, 'out'),
        json: args.json,
        request: {
          prompt: rest[0],
          iterations: number(args.iterations, 'iterations', 1, 20),
          candidates: number(args.candidates, 'candidates', 1, 16),
          strategy: oneOf(args.strategy, 'strategy', ['adapter', 'audio2audio', 'layer'] as const),
          critic,
          criticUrl: args['critic-url'],
          seed: number(args.seed, 'seed', 0, 2 ** 31 - 1),
          duration: number(args.duration, 'duration', 0.1, 600),
          steps: number(args.steps, 'steps', 1, 1000),
          decomposer,
        },
      };
      for (const k of ['iterations', 'candidates', 'seed', 'steps'] as const) {
        const v = options.request[k];
        if (v !== undefined && !Number.isInteger(v)) throw new UsageError(`--${k} must be a whole number`);
      }
      return withEngine(args, (engine) => runGenerate(engine, options));
    }
    case 'write-tags':
    case 'project':
    case 'export': {
      // Projects need no model pack: --models is optional (a folder that need not exist).
      const cli: CliContext = {
        withEngine: (run) => withEngine({ ...args, db: need(args, 'db'), models: args.models ?? `${args.db}-no-models` }, run),
        usage: (message) => new UsageError(message),
      };
      if (command === 'write-tags') return runWriteTags(rest, args, cli);
      return command === 'project' ? runProjectCommand(rest, args, cli) : runExportCommand(rest, args, cli);
    }
    case 'kb': {
      if (rest.length) throw new UsageError(`kb takes no positional arguments (got "${rest[0]}")`);
      return runKbCommand({ db: need(args, 'db'), models: need(args, 'models'), stats: args.stats, json: args.json }, (m) => new UsageError(m));
    }
    case 'tag': {
      const url = args['lalm-url'];
      if (url !== undefined && !/^https?:\/\//.test(url)) throw new UsageError('--lalm-url must be an http(s) URL');
      if (!fs.existsSync(need(args, 'db'))) throw new CuebankError('not_found', `No database at ${args.db}: run cuebank index first`);
      const extra = url ? { tagging: { lalmUrl: url } } : {};
      return runTag(rest, {
        withEngine: (run) => withEngine(args, run, extra),
        usage: (m) => new UsageError(m),
        json: args.json,
      });
    }
    case 'tags': {
      if (!fs.existsSync(need(args, 'db'))) throw new CuebankError('not_found', `No database at ${args.db}: run cuebank index first`);
      // Reading and editing tags needs no model pack: --models is optional (with one, accepted captions join the knowledge base at once).
      return runTags(rest, args, {
        withEngine: (run) => withEngine({ ...args, models: args.models ?? `${args.db}-no-models` }, run),
        usage: (m) => new UsageError(m),
        json: args.json,
      });
    }
    case 'team':
      return runTeamCommand(rest, { usage: (m) => new UsageError(m), json: args.json });
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Progress on stderr, only for a person watching a terminal. */
function showProgress(engine: Engine): () => void {
  if (!process.stderr.isTTY) return () => undefined;
  const off = engine.on('jobs.update', (u) => {
    if (u.type !== 'progress') return;
    const d = u.progress.detail as { done?: number; total?: number; found?: number; currentFile?: string };
    const line =
      u.progress.stage === 'scan'
        ? `scanning… ${d.found ?? 0} files`
        : `${d.done ?? 0}/${d.total ?? 0} ${String(d.currentFile ?? '').slice(-60)}`;
    process.stderr.write(`\r\x1b[K${line}`);
  });
  return () => {
    off();
    process.stderr.write('\r\x1b[K');
  };
}

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

// stdout carries only the command's output: libraries that log go to stderr.
console.log = console.error;
console.info = console.error;
console.warn = console.error;

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`cuebank: ${err.message} (cuebank --help shows the usage)\n`);
      process.exitCode = 2;
    } else {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`cuebank: ${message}\n`);
      if (process.env.CUEBANK_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 1;
    }
  },
);
