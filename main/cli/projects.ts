import readline from 'node:readline';
import type { Engine } from '../engine';
import { CuebankError } from '../engine/errors';
import type { ConflictPolicy, ExportPlan, ExportSettings, ExportSummary, ItemFields, Project } from '../../preload/contract/projects';
import { printExport, printProjectItems, printProjects } from './output';

/** The options `project` and `export` read (parsed in index.ts). */
export interface ProjectArgs {
  json: boolean;
  out?: string;
  format?: string;
  rate?: string;
  bits?: string;
  quality?: string;
  channels?: string;
  lufs?: string;
  'true-peak'?: string;
  'on-conflict'?: string;
  catid?: string;
  fxname?: string;
  creator?: string;
  source?: string;
  description?: string;
}

export interface CliContext {
  withEngine<T>(run: (engine: Engine) => Promise<T>): Promise<T>;
  usage(message: string): Error;
}

/** `cuebank project create|add|list`. */
export async function runProjectCommand(rest: string[], args: ProjectArgs, cli: CliContext): Promise<number> {
  const [sub, ...params] = rest;
  switch (sub) {
    case 'create': {
      if (params.length !== 1) throw cli.usage('project create takes exactly one name (quote it)');
      return cli.withEngine(async (engine) => {
        const project = await engine.call('projects.create', { name: params[0] });
        printProjects([project], args.json);
        return 0;
      });
    }
    case 'add': {
      const [name, ...files] = params;
      if (!name || !files.length) throw cli.usage('project add needs a project name and at least one audio file');
      const fields: Partial<ItemFields> = {};
      if (args.catid !== undefined) fields.catId = args.catid;
      if (args.fxname !== undefined) fields.fxName = args.fxname;
      if (args.creator !== undefined) fields.creatorId = args.creator;
      if (args.source !== undefined) fields.sourceId = args.source;
      if (args.description !== undefined) fields.description = args.description;
      return cli.withEngine(async (engine) => {
        const project = await projectByName(engine, name);
        const items = await engine.call('projects.addItems', { projectId: project.id, sources: files.map((path) => ({ path })), fields });
        printProjectItems(items, args.json);
        return 0;
      });
    }
    case 'list': {
      if (params.length) throw cli.usage('project list takes no arguments');
      return cli.withEngine(async (engine) => {
        printProjects(await engine.call('projects.list', {}), args.json);
        return 0;
      });
    }
    default:
      throw cli.usage(sub ? `unknown project command "${sub}" (create, add, list)` : 'project needs a command: create, add or list');
  }
}

/** `cuebank export <project> --out <dir> …`: plans, resolves clashes (asking on a terminal), runs the job. */
export async function runExportCommand(rest: string[], args: ProjectArgs, cli: CliContext): Promise<number> {
  if (rest.length !== 1) throw cli.usage('export takes exactly one project name');
  if (!args.out) throw cli.usage('--out is required');
  const requested = conflictOption(args['on-conflict'], cli);
  return cli.withEngine(async (engine) => {
    const project = await projectByName(engine, rest[0]);
    const settings = settingsFromArgs(args, project.exportSettings, cli);
    const plan = await engine.call('projects.exportPlan', { projectId: project.id, outDir: args.out!, settings });
    let onConflict: ConflictPolicy = requested === 'ask' ? 'skip' : requested;
    let overrides: Record<string, ConflictPolicy> = {};
    if (requested === 'ask' && plan.clashes) {
      if (process.stdin.isTTY && process.stderr.isTTY) {
        ({ onConflict, overrides } = await askAboutClashes(plan));
      } else {
        process.stderr.write(
          `cuebank: ${plan.clashes} file${plan.clashes === 1 ? '' : 's'} already exist in ${plan.outDir} and there is no terminal to ask: ` +
            `skipping ${plan.clashes === 1 ? 'it' : 'them'} (--on-conflict overwrite|keep-both|skip decides)\n`,
        );
      }
    }
    const { jobId } = await engine.call('projects.export', { projectId: project.id, outDir: args.out!, settings, onConflict, overrides });
    const stop = args.json ? () => undefined : showExportProgress(engine, jobId);
    const job = await engine.waitForJob(jobId);
    stop();
    if (job.state === 'failed') throw new CuebankError('internal', job.error?.message ?? 'Export failed');
    if (job.state !== 'done') throw new CuebankError('cancelled', 'Export cancelled: files already written stay, none is half-written');
    printExport(job.result as ExportSummary, args.json);
    return 0;
  });
}

async function projectByName(engine: Engine, name: string): Promise<Project> {
  const all = await engine.call('projects.list', {});
  const found = all.find((p) => p.name.toLowerCase() === name.trim().toLowerCase());
  if (!found) throw new CuebankError('not_found', `No project named "${name}" (cuebank project list shows them)`);
  return found;
}

function conflictOption(value: string | undefined, cli: CliContext): ConflictPolicy | 'ask' {
  const v = value ?? 'ask';
  if (v !== 'ask' && v !== 'skip' && v !== 'overwrite' && v !== 'keep-both') throw cli.usage('--on-conflict must be ask, skip, overwrite or keep-both');
  return v;
}

function num(value: string | undefined, name: string, cli: CliContext): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || value.trim() === '') throw cli.usage(`--${name} must be a number`);
  return n;
}

/** Export flags over the project's settings; only what a flag names changes. */
export function settingsFromArgs(args: ProjectArgs, base: ExportSettings, cli: CliContext): Partial<ExportSettings> {
  const out: Partial<ExportSettings> = {};
  const container = args.format ?? base.format.container;
  if (container !== 'wav' && container !== 'flac' && container !== 'ogg') throw cli.usage('--format must be wav, flac or ogg');
  const bits = num(args.bits, 'bits', cli);
  const quality = num(args.quality, 'quality', cli);
  if (container === 'wav') {
    if (quality !== undefined) throw cli.usage('--quality applies to ogg only');
    if (bits !== undefined && bits !== 16 && bits !== 24 && bits !== 32) throw cli.usage('--bits for wav must be 16, 24 or 32 (float)');
    const sample = bits === 16 ? 'pcm16' : bits === 24 ? 'pcm24' : bits === 32 ? 'float32' : base.format.container === 'wav' ? base.format.sample : 'pcm24';
    if (args.format !== undefined || bits !== undefined) out.format = { container, sample };
  } else if (container === 'flac') {
    if (quality !== undefined) throw cli.usage('--quality applies to ogg only');
    if (bits !== undefined && bits !== 16 && bits !== 24) throw cli.usage('--bits for flac must be 16 or 24');
    const flacBits = (bits ?? (base.format.container === 'flac' ? base.format.bits : 24)) as 16 | 24;
    if (args.format !== undefined || bits !== undefined) out.format = { container, bits: flacBits };
  } else {
    if (bits !== undefined) throw cli.usage('--bits does not apply to ogg (use --quality 0..1)');
    if (quality !== undefined && !(quality >= 0 && quality <= 1)) throw cli.usage('--quality must be from 0 to 1');
    out.format = { container, quality: quality ?? (base.format.container === 'ogg' ? base.format.quality : 0.5) };
  }
  const rate = num(args.rate, 'rate', cli);
  if (rate !== undefined) {
    if (rate !== 44_100 && rate !== 48_000 && rate !== 96_000) throw cli.usage('--rate must be 44100, 48000 or 96000');
    out.sampleRate = rate;
  }
  if (args.channels !== undefined) {
    if (args.channels !== 'mono' && args.channels !== 'stereo' && args.channels !== 'keep') throw cli.usage('--channels must be mono, stereo or keep');
    out.channels = args.channels;
  }
  const lufs = num(args.lufs, 'lufs', cli);
  const truePeak = num(args['true-peak'], 'true-peak', cli);
  if (truePeak !== undefined && lufs === undefined && base.normalize.mode !== 'loudness') throw cli.usage('--true-peak applies with --lufs');
  if (lufs !== undefined && !(lufs >= -70 && lufs <= 0)) throw cli.usage('--lufs must be from -70 to 0');
  if (truePeak !== undefined && !(truePeak >= -20 && truePeak <= 0)) throw cli.usage('--true-peak must be from -20 to 0');
  if (lufs !== undefined || truePeak !== undefined) {
    const current = base.normalize.mode === 'loudness' ? base.normalize : { lufs: -23, truePeakDb: -1 };
    out.normalize = { mode: 'loudness', lufs: lufs ?? current.lufs, truePeakDb: truePeak ?? current.truePeakDb };
  }
  return out;
}

/** Asks per clash on stderr/stdin: s(kip), o(verwrite), k(eep both); capitals apply to every remaining clash. */
async function askAboutClashes(plan: ExportPlan): Promise<{ onConflict: ConflictPolicy; overrides: Record<string, ConflictPolicy> }> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  const ask = (q: string) => new Promise<string>((resolve) => rl.question(q, resolve));
  const overrides: Record<string, ConflictPolicy> = {};
  let all: ConflictPolicy | null = null;
  try {
    for (const f of plan.files.filter((x) => x.clash)) {
      if (all) {
        overrides[f.key] = all;
        continue;
      }
      for (;;) {
        const a = (await ask(`${f.fileName} exists: [s]kip, [o]verwrite, [k]eep both (S/O/K: all remaining)? `)).trim();
        const policy = ({ s: 'skip', o: 'overwrite', k: 'keep-both' } as const)[a.toLowerCase() as 's' | 'o' | 'k'];
        if (!policy || a.length !== 1) continue;
        overrides[f.key] = policy;
        if (a !== a.toLowerCase()) all = policy;
        break;
      }
    }
  } finally {
    rl.close();
  }
  return { onConflict: 'skip', overrides };
}

function showExportProgress(engine: Engine, jobId: string): () => void {
  if (!process.stderr.isTTY) return () => undefined;
  const off = engine.on('jobs.update', (u) => {
    if (u.jobId !== jobId || u.type !== 'progress') return;
    const d = u.progress.detail as { done?: number; total?: number; file?: string | null };
    process.stderr.write(`\r\x1b[K${d.done ?? 0}/${d.total ?? 0} ${String(d.file ?? '').slice(-60)}`);
  });
  return () => {
    off();
    process.stderr.write('\r\x1b[K');
  };
}

/** Options whose values may be negative numbers (`--lufs -23`): parseArgs would read "-23" as an option. */
const NEGATIVE_VALUE_OPTIONS = new Set(['--lufs', '--true-peak']);

/** Joins `--lufs -23` into `--lufs=-23` so the usual spelling works. */
export function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (NEGATIVE_VALUE_OPTIONS.has(argv[i]) && next !== undefined && /^-\d*\.?\d/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}
