import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Engine } from '../engine';
import { CuebankError } from '../engine/errors';
import { printIndex, printMeta, printModels, printSearch } from './output';

const USAGE = `Usage:
  cuebank index <folder>... --db <file> --models <dir> [--json]
  cuebank search --db <file> --models <dir> (--text "…" | --audio <file> | --text "…" --audio <file> [--weight W]) [--limit N] [--json]
  cuebank meta <file> [--json]
  cuebank models --models <dir> [--db <file>] [--json]`;

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
} as const;

type Args = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function need(args: Args, name: 'db' | 'models'): string {
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
async function openEngine(dbPath: string, modelsDir: string): Promise<Engine> {
  const { createEngine } = await import('../engine');
  return createEngine({ dbPath, modelsDir });
}

async function withEngine<T>(args: Args, run: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await openEngine(need(args, 'db'), need(args, 'models'));
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
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
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
    case 'models': {
      const dbPath = args.db ?? ':memory:';
      const engine = await openEngine(dbPath, need(args, 'models'));
      try {
        printModels(await engine.call('models.status', {}), args.json);
      } finally {
        await engine.close();
      }
      return 0;
    }
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
