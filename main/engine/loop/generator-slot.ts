import type { ModelSettings } from '../config';
import { CuebankError } from '../errors';
import type { PackInfo, PackProblem } from '../models';
import type { Generator } from '../models/generator/types';

/** The generator packs in a models folder that a loader can run, and why others cannot be used. */
export type GeneratorFinder = (modelsDir: string) => Promise<{ packs: PackInfo[]; problems: PackProblem[] }>;

export type GeneratorLoader = (pack: PackInfo, options: { dtype?: string; executionProviders?: string[] | null }) => Promise<Generator>;

/**
 * The engine's generator packs: found in the models folder when first asked for, each loaded on
 * first use and kept (loading a real text-to-audio pack takes seconds), all released on close.
 */
export class GeneratorSlot {
  private readonly loaded = new Map<string, Promise<Generator>>();

  constructor(
    private readonly modelsDir: string,
    private readonly settings: ModelSettings,
    private readonly finder: GeneratorFinder,
    private readonly loader: GeneratorLoader,
  ) {}

  /** Generator packs in folder-name order, and the folders that look like packs but cannot be used. */
  async packs(): Promise<{ packs: PackInfo[]; problems: PackProblem[] }> {
    return this.finder(this.modelsDir);
  }

  /** The pack named, or the first generator pack; a clear error when there is none. */
  async pack(packId?: string | null): Promise<PackInfo> {
    const { packs, problems } = await this.packs();
    if (packId) {
      const pack = packs.find((p) => p.id === packId);
      if (!pack) throw new CuebankError('not_found', `No generator pack "${packId}" in ${this.modelsDir}`);
      return pack;
    }
    if (!packs.length) {
      const why = problems.length ? ` (${problems[0].error})` : '';
      throw new CuebankError('no_model', `No generator pack in ${this.modelsDir}: copy a text-to-audio pack (cuebank.json role "generator") into it${why}`);
    }
    // The Models screen's default (models.defaults.generator) when it is still installed.
    return packs.find((p) => p.id === this.settings.defaults?.generator) ?? packs[0];
  }

  get(pack: PackInfo): Promise<Generator> {
    let g = this.loaded.get(pack.id);
    if (!g) {
      g = this.loader(pack, { dtype: this.settings.dtype ?? undefined, executionProviders: this.settings.executionProviders }).catch((err: unknown) => {
        this.loaded.delete(pack.id);
        const reason = err instanceof Error ? err.message : String(err);
        if (err instanceof CuebankError && reason.startsWith('Generator pack')) throw err;
        throw new CuebankError('model_error', `Generator pack "${pack.id}" could not be loaded: ${reason}`, { cause: err });
      });
      this.loaded.set(pack.id, g);
    }
    return g;
  }

  async dispose(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    for (const g of all) await (await g.catch(() => null))?.dispose();
  }
}
