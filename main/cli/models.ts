import type { Engine } from '../engine';
import { CuebankError } from '../engine/errors';
import type { CatalogView, DownloadProgressDetail, DownloadResult, PackSummary } from '../../preload/contract/models';
import { printModels } from './output';

/** The options `models` reads (parsed in index.ts). */
export interface ModelsArgs {
  json: boolean;
  dtype?: string;
}

export interface ModelsCli {
  /** An engine on the models folder (--models), with the catalog and hub token the command line gives. */
  withEngine<T>(run: (engine: Engine) => Promise<T>): Promise<T>;
  usage(message: string): Error;
}

const out = (text: string): void => void process.stdout.write(`${text}\n`);
const json = (value: unknown): void => out(JSON.stringify(value, null, 2));
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** `cuebank models [list] | catalog | download <id> | import <folder|zip> | remove <id>`. */
export async function runModelsCommand(rest: string[], args: ModelsArgs, cli: ModelsCli): Promise<number> {
  const [sub = 'list', ...params] = rest;
  const none = (what: string) => {
    if (params.length) throw cli.usage(`models ${what} takes no arguments (got "${params[0]}")`);
  };
  const one = (what: string) => {
    if (params.length !== 1) throw cli.usage(`models ${what} takes exactly one ${what === 'import' ? 'folder or zip' : 'pack id'}`);
    return params[0];
  };
  switch (sub) {
    case 'list':
      none('list');
      return cli.withEngine(async (engine) => {
        printModels(await engine.call('models.status', {}), args.json);
        return 0;
      });
    case 'catalog':
      none('catalog');
      return cli.withEngine(async (engine) => {
        printCatalog(await engine.call('models.catalog', {}), args.json);
        return 0;
      });
    case 'download': {
      const id = one('download');
      if (args.dtype !== undefined && !['q8', 'fp16', 'fp32'].includes(args.dtype)) throw cli.usage('--dtype must be one of q8, fp16, fp32');
      return cli.withEngine(async (engine) => {
        const { jobId } = await engine.call('models.download', { id, dtype: args.dtype });
        const stop = showDownloadProgress(engine, jobId);
        const job = await engine.waitForJob(jobId);
        stop();
        if (job.state === 'failed') throw new CuebankError('model_error', job.error?.message ?? 'The download failed');
        if (job.state !== 'done') throw new CuebankError('cancelled', 'The download stopped; run the same command again to resume where it left off.');
        const r = job.result as DownloadResult;
        const result: DownloadResult = { id: r.id, folder: r.folder, files: r.files, resumedBytes: r.resumedBytes };
        if (args.json) json(result);
        else {
          const total = result.files.reduce((a, f) => a + f.size, 0);
          out(`installed ${result.id} (${result.files.length} files, ${mb(total)}, verified) in ${result.folder}`);
          if (result.resumedBytes) out(`resumed: ${mb(result.resumedBytes)} were already here and not fetched again`);
        }
        return 0;
      });
    }
    case 'import': {
      const source = one('import');
      return cli.withEngine(async (engine) => {
        printPack(await engine.call('models.import', { path: source }), args.json);
        return 0;
      });
    }
    case 'remove': {
      const id = one('remove');
      return cli.withEngine(async (engine) => {
        const { removed } = await engine.call('models.remove', { id });
        if (args.json) json({ removed });
        else out(`removed ${removed}`);
        return 0;
      });
    }
    default:
      throw cli.usage(`unknown models command "${sub}" (list, catalog, download, import, remove)`);
  }
}

function printCatalog(view: CatalogView, asJson: boolean): void {
  if (asJson) {
    return json(
      view.packs.map((p) => {
        const shared = new Set(p.dtypes.map((d) => d.files.map((f) => f.path)).reduce((a, b) => a.filter((x) => b.includes(x))));
        const files = [
          ...[...shared].map((path) => ({ path, dtype: null as string | null })),
          ...p.dtypes.flatMap((d) => d.files.filter((f) => !shared.has(f.path)).map((f) => ({ path: f.path, dtype: d.dtype as string | null }))),
        ].map(({ path, dtype }) => {
          const f = p.dtypes.flatMap((d) => d.files).find((x) => x.path === path)!;
          // Exact when the catalog pins it; otherwise the hub listing's rounded figure (the hub gives the exact one at download).
          return { path, size: f.size ?? f.approxBytes, dtype, approximate: f.size === null };
        });
        return { id: p.id, role: p.role, repo: p.repo, revision: p.revision, license: p.license, files };
      }),
    );
  }
  out(`hub: ${view.hubEndpoint}`);
  for (const p of view.packs) {
    const sizes = p.dtypes.map((d) => `${d.dtype} ~${mb(d.approxBytes)}`).join(', ');
    const rec = view.recommended[p.role] === p.id ? ' (recommended)' : '';
    const state = p.installed ? ' [installed]' : p.partialBytes ? ` [partial: ${mb(p.partialBytes)}]` : '';
    out(`${p.id}${rec}${state}  ${p.role}  ${p.repo}@${p.revision.slice(0, 12)}  ${p.license}  ${sizes}`);
    out(`    ${p.description}`);
  }
  for (const n of view.notDownloadable) out(`${n.role}: ${n.howToAdd}`);
}

function printPack(p: PackSummary, asJson: boolean): void {
  if (asJson) return json(p);
  out(`imported ${p.id} (${p.role}, ${p.format}, ${mb(p.sizeBytes)}) into ${p.dir}`);
}

/** Bytes, speed and ETA on stderr, only for a person watching a terminal. */
function showDownloadProgress(engine: Engine, jobId: string): () => void {
  if (!process.stderr.isTTY) return () => undefined;
  const off = engine.on('jobs.update', (u) => {
    if (u.type !== 'progress' || u.jobId !== jobId) return;
    const d = u.progress.detail as DownloadProgressDetail;
    const eta = d.etaSeconds === null ? '' : `  ETA ${Math.ceil(d.etaSeconds)} s`;
    process.stderr.write(`\r\x1b[K${mb(d.bytesDone)} / ${mb(d.bytesTotal)}  ${mb(d.bytesPerSecond)}/s${eta}  ${d.file}`);
  });
  return () => {
    off();
    process.stderr.write('\r\x1b[K');
  };
}
