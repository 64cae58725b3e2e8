/**
 * The models area's channels: status and rescan, the catalog and downloads (as jobs), import,
 * remove, the default pack per role, the hub address and token, and the audio-language-model
 * endpoint with its connection test.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChannelOutput, ChannelParsed } from '../../../preload/contract';
import type { CatalogView, ModelSettingsView } from '../../../preload/contract/models';
import type { ResolvedConfig } from '../config';
import type { Db } from '../db/open';
import { FileQueries } from '../db/queries/files';
import type { EmbedderSlot } from '../embedder-slot';
import { CuebankError } from '../errors';
import type { JobManager } from '../jobs/manager';
import { encodeWav } from '../audio/wav-write';
import { askAboutAudio } from '../loop/critics/lalm-client';
import { discoverPacks } from './packs';
import { findCatalogPack, loadCatalog, packFiles } from './hub/catalog';
import { HubClient } from './hub/client';
import { downloadPack, stagingDir } from './hub/download';
import { importPack } from './manager/import';
import { folderBytes, removePackFolder } from './manager/remove';
import type { SecretStore } from './manager/secrets';
import { readStoredSettings, updateStoredSettings } from './manager/settings-store';

type ModelsChannel =
  | 'models.status'
  | 'models.rescan'
  | 'models.catalog'
  | 'models.download'
  | 'models.discardDownload'
  | 'models.import'
  | 'models.remove'
  | 'models.setDefault'
  | 'models.settings'
  | 'models.setHub'
  | 'models.setLalm'
  | 'models.testLalm';
export type ModelsHandlers = { [N in ModelsChannel]: (input: ChannelParsed<N>) => Promise<ChannelOutput<N>> };

export interface ModelsDeps {
  db: Db;
  jobs: JobManager;
  config: ResolvedConfig;
  embedders: EmbedderSlot;
  secrets: SecretStore;
  /** Releases loaded generator packs (before one is removed). */
  unloadGenerators: () => Promise<void>;
  /** Starts embedding indexed files that have no vector in the current space; null when none. */
  embedMissing: () => Promise<string | null>;
  /** A long-running host: when a CLAP pack arrives, already indexed files are embedded at once. */
  embedOnArrival: boolean;
}

export function createModelsHandlers(deps: ModelsDeps): ModelsHandlers {
  const { db, jobs, config: cfg, embedders, secrets } = deps;
  const modelsDir = () => path.resolve(cfg.modelsDir);
  const hubEndpoint = () => new HubClient({ endpoint: cfg.models.hubEndpoint }).endpoint;

  const settingsView = async (): Promise<ModelSettingsView> => ({
    defaults: { embedder: cfg.models.defaults.embedder, generator: cfg.models.defaults.generator },
    hubEndpoint: hubEndpoint(),
    hasToken: !!(await secrets.get()),
    lalm: { url: cfg.critic.lalm.url, model: cfg.critic.lalm.model },
  });

  const partialBytes = (id: string): number => {
    const dir = path.join(stagingDir(modelsDir(), id), 'pack');
    return fs.existsSync(dir) ? folderBytes(dir) : 0;
  };

  const catalogView = (): CatalogView => {
    const catalog = loadCatalog(cfg.models.catalogPath);
    return {
      packs: catalog.packs.map((p) => ({
        id: p.id,
        role: p.role,
        name: p.name,
        repo: p.repo,
        revision: p.revision,
        revisionPinned: p.revisionPinned,
        license: p.license,
        description: p.description,
        defaultDtype: p.defaultDtype,
        dtypes: Object.keys(p.dtypes).map((dtype) => {
          const files = packFiles(p, dtype).map((f) => ({ path: f.path, size: f.size ?? null, approxBytes: f.approxBytes ?? null }));
          return { dtype, files, approxBytes: files.reduce((a, f) => a + (f.size ?? f.approxBytes ?? 0), 0) };
        }),
        installed: fs.existsSync(path.join(modelsDir(), p.id)),
        partialBytes: partialBytes(p.id),
      })),
      recommended: catalog.recommended,
      notDownloadable: catalog.notDownloadable,
      hubEndpoint: hubEndpoint(),
    };
  };

  /** After packs changed on disk: the embedder slot looks again, and (in the app) new vectors are made. */
  const packsChanged = async (): Promise<string | null> => {
    await embedders.rescan();
    return deps.embedOnArrival ? deps.embedMissing() : null;
  };

  return {
    'models.status': async () => embedders.status(),
    'models.rescan': async () => {
      await embedders.rescan();
      const embedJobId = await deps.embedMissing();
      return { ...(await embedders.status()), embedJobId };
    },
    'models.catalog': async () => catalogView(),
    'models.download': async ({ id, dtype }) => {
      const pack = findCatalogPack(loadCatalog(cfg.models.catalogPath), id);
      packFiles(pack, dtype); // an unknown dtype fails now, not inside the job
      if (fs.existsSync(path.join(modelsDir(), pack.id))) throw new CuebankError('invalid_input', `"${pack.id}" is already installed; remove it first to download it again.`);
      const token = await secrets.get();
      return jobs.start('download', { id, dtype: dtype ?? pack.defaultDtype }, async (ctx) => {
        const client = new HubClient({ endpoint: cfg.models.hubEndpoint, token, timeoutMs: cfg.models.downloadTimeoutSeconds * 1000 });
        const result = await downloadPack({
          pack,
          dtype,
          modelsDir: modelsDir(),
          client,
          signal: ctx.signal,
          onProgress: (p) =>
            ctx.progress({ fraction: p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : null, stage: 'download', detail: { packId: pack.id, ...p } }),
        });
        const embedJobId = pack.role === 'embedder' ? await packsChanged() : null;
        return { id: result.id, folder: result.folder, files: result.files, resumedBytes: result.resumedBytes, embedJobId };
      });
    },
    'models.discardDownload': async ({ id }) => {
      const dir = stagingDir(modelsDir(), id);
      if (jobs.list().some((j) => j.kind === 'download' && (j.state === 'running' || j.state === 'queued') && (j.params as { id?: string })?.id === id)) {
        throw new CuebankError('invalid_input', `"${id}" is still downloading; cancel it first.`);
      }
      const freedBytes = fs.existsSync(dir) ? folderBytes(dir) : 0;
      fs.rmSync(dir, { recursive: true, force: true });
      return { freedBytes };
    },
    'models.import': async ({ path: source }) => {
      const info = await importPack(source, modelsDir());
      if (info.role === 'embedder') await packsChanged();
      const status = await embedders.status();
      const summary = status.packs.find((p) => p.id === info.id);
      if (!summary) throw new CuebankError('internal', `Imported "${info.id}", but discovery does not list it`);
      return summary;
    },
    'models.remove': async ({ id }) => {
      const { packs } = await discoverPacks(modelsDir());
      const pack = packs.find((p) => p.id === id);
      // Unload first: an ONNX session may hold the files open (Windows cannot delete them then).
      if ((await embedders.loadedPackId()) === id || pack?.role === 'embedder') await embedders.dispose();
      if (!pack || pack.role === 'generator') await deps.unloadGenerators();
      const removed = removePackFolder(modelsDir(), id);
      const defaults = readStoredSettings(db).defaults;
      if (defaults.embedder === id) updateStoredSettings(db, cfg, { defaults: { embedder: null } });
      if (defaults.generator === id) updateStoredSettings(db, cfg, { defaults: { generator: null } });
      await embedders.rescan();
      return { removed };
    },
    'models.setDefault': async ({ role, id }) => {
      if (id) {
        const { packs } = await discoverPacks(modelsDir());
        const pack = packs.find((p) => p.id === id);
        if (!pack) throw new CuebankError('not_found', `No pack "${id}" in ${modelsDir()}`);
        if (pack.role !== role) throw new CuebankError('invalid_input', `"${id}" is a ${pack.role} pack, not a ${role} pack`);
      }
      updateStoredSettings(db, cfg, { defaults: { [role]: id } });
      if (role === 'generator') {
        await deps.unloadGenerators();
        return { settings: await settingsView(), space: null, filesToEmbed: 0 };
      }
      await embedders.rescan();
      const embedder = await embedders.get();
      const filesToEmbed = embedder ? new FileQueries(db).countUnembedded(embedder.space) : 0;
      return { settings: await settingsView(), space: embedder?.space ?? null, filesToEmbed };
    },
    'models.settings': async () => settingsView(),
    'models.setHub': async ({ endpoint, token }) => {
      if (endpoint !== undefined) updateStoredSettings(db, cfg, { hubEndpoint: endpoint });
      if (token !== undefined) await secrets.set(token);
      return settingsView();
    },
    'models.setLalm': async ({ url, model }) => {
      updateStoredSettings(db, cfg, { lalm: { url, model } });
      return settingsView();
    },
    'models.testLalm': async ({ url, model }) => {
      const base = url ?? cfg.critic.lalm.url;
      if (!base) return { ok: false, message: 'No language-model endpoint is set: enter its address first.' };
      try {
        // The critic and the captioner send audio: the test does too (half a second of silence), so an
        // endpoint that serves a text-only model fails here rather than in the middle of a run.
        const silence = encodeWav({ sampleRate: cfg.critic.lalm.sampleRate, channels: [new Float32Array(cfg.critic.lalm.sampleRate / 2)] }, 'pcm16');
        const answer = await askAboutAudio(
          { url: base, model: model === undefined ? cfg.critic.lalm.model : model, timeoutSeconds: cfg.critic.lalm.timeoutSeconds },
          silence.toString('base64'),
          'Is there any sound in this clip? Answer yes or no.',
          { maxTokens: 8 },
        );
        return { ok: true, message: `Connected to ${base}: the model answered "${answer.text.trim().slice(0, 60)}".` };
      } catch (err) {
        return { ok: false, message: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}
