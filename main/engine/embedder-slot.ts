import path from 'node:path';
import type { ModelsStatus } from '../../preload/contract/models';
import type { ModelSettings } from './config';
import { discoverPacks, findEmbedderPack, loadEmbedder, noClapPackMessage, type ClapEmbedder, type PackInfo, type PackProblem } from './models';
import { folderBytes } from './models/manager/remove';

/**
 * The engine's CLAP embedder: found in the models folder and loaded on first use, then kept.
 * No pack is not an error: the engine indexes without meaning-based search and says why.
 */
export class EmbedderSlot {
  private loading: Promise<ClapEmbedder | null> | null = null;
  private packs: PackInfo[] = [];
  private problems: PackProblem[] = [];
  private loadError: string | null = null;

  constructor(
    private readonly modelsDir: string,
    private readonly settings: ModelSettings,
  ) {}

  get noEmbedderNote(): string {
    return this.loadError ?? noClapPackMessage(path.resolve(this.modelsDir));
  }

  /** The embedder, or null when no usable CLAP pack is present. */
  get(): Promise<ClapEmbedder | null> {
    this.loading ??= this.load();
    return this.loading;
  }

  /** Forgets the loaded pack and looks again (after the user added or replaced one). */
  async rescan(): Promise<void> {
    await this.dispose();
    this.loading = null;
  }

  async status(): Promise<ModelsStatus> {
    const embedder = await this.get();
    return {
      modelsDir: path.resolve(this.modelsDir),
      packs: this.packs.map((p) => {
        const inUse = embedder?.packId === p.id;
        const firstGenerator = this.packs.find((g) => g.role === 'generator');
        const isDefault =
          p.role === 'embedder' ? inUse : p.role === 'generator' ? p.id === (this.settings.defaults.generator ?? firstGenerator?.id) : false;
        return {
          id: p.id,
          role: p.role,
          name: p.name,
          dir: p.dir,
          format: p.format,
          licence: p.licence,
          sizeBytes: folderBytes(p.dir),
          dtypes: p.dtypes,
          source: p.manifest?.source ?? null,
          isDefault,
          provider: inUse ? embedder.provider : null,
          providerNotes: inUse ? [...embedder.notices] : [],
        };
      }),
      problems: this.problems,
      embedder: embedder
        ? { packId: embedder.packId, space: embedder.space, dim: embedder.dim, dtype: embedder.dtype, provider: embedder.provider }
        : null,
      note: embedder ? null : this.noEmbedderNote,
    };
  }

  /** The pack id loaded now, without loading anything. */
  async loadedPackId(): Promise<string | null> {
    if (!this.loading) return null;
    return (await this.loading.catch(() => null))?.packId ?? null;
  }

  async dispose(): Promise<void> {
    const current = this.loading;
    this.loading = null;
    const embedder = await current?.catch(() => null);
    await embedder?.dispose();
  }

  private async load(): Promise<ClapEmbedder | null> {
    this.loadError = null;
    const found = await discoverPacks(this.modelsDir);
    this.packs = found.packs;
    this.problems = found.problems;
    const pack = findEmbedderPack(found.packs, this.settings.defaults.embedder);
    if (!pack) return null;
    try {
      return await loadEmbedder(pack, { dtype: this.settings.dtype ?? undefined, executionProviders: this.settings.executionProviders });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.loadError = `The CLAP pack "${pack.id}" could not be loaded: ${reason}`;
      this.problems = [...this.problems, { dir: pack.dir, error: this.loadError }];
      return null;
    }
  }
}
