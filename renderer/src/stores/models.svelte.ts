import type {
  CatalogView,
  DownloadProgressDetail,
  ErrorValue,
  JobState,
  JobUpdate,
  ModelSettingsView,
  PackSummary,
} from '../../../preload/contract';
import type { Host } from '../lib/transport';
import type { AppStore } from './app.svelte';
import type { NoticeStore } from './notices.svelte';

/** One download as the Models screen and the first-run offer show it. */
export interface DownloadView {
  jobId: string;
  packId: string;
  state: JobState;
  progress: DownloadProgressDetail | null;
  error: ErrorValue | null;
  cancelling: boolean;
}

/**
 * The Models screen's state: the catalog, downloads (jobs of kind "download"), the settings (default
 * packs, hub, language-model endpoint) and the answers of import, remove and Test connection.
 * Installed packs come from the app store's models status, which every change reloads.
 */
export class ModelsStore {
  catalog = $state<CatalogView | null>(null);
  settings = $state<ModelSettingsView | null>(null);
  downloads = $state<DownloadView[]>([]);
  /** After the CLAP pack changed: how many indexed files need vectors in the new space. */
  reembed = $state<{ space: string; files: number } | null>(null);
  lalmTest = $state<{ ok: boolean; message: string } | null>(null);
  busy = $state<string | null>(null);

  constructor(
    private readonly host: Host,
    private readonly app: AppStore,
    private readonly notices: NoticeStore,
  ) {}

  /** The recommended CLAP pack when none is installed: the first-run offer. */
  get firstRunOffer() {
    if (!this.app.models || this.app.models.embedder || !this.catalog) return null;
    const id = this.catalog.recommended.embedder;
    const pack = this.catalog.packs.find((p) => p.id === id && !p.installed);
    return pack ?? null;
  }

  downloadOf(packId: string): DownloadView | undefined {
    return this.downloads.findLast((d) => d.packId === packId);
  }

  async load(): Promise<void> {
    const [catalog, settings, jobs] = await Promise.all([
      this.host.transport.invoke('models.catalog', {}),
      this.host.transport.invoke('models.settings', {}),
      this.host.transport.invoke('jobs.list', {}),
    ]);
    if (catalog.ok) this.catalog = catalog.value;
    else this.notices.push(catalog.error.message, 'error');
    if (settings.ok) this.settings = settings.value;
    if (jobs.ok) {
      // A download still running after a reload shows up again.
      for (const j of jobs.value) {
        if (j.kind !== 'download' || (j.state !== 'running' && j.state !== 'queued')) continue;
        if (this.downloads.some((d) => d.jobId === j.id)) continue;
        const packId = (j.params as { id?: string } | null)?.id ?? '';
        this.downloads.push({ jobId: j.id, packId, state: j.state, progress: (j.progress?.detail as DownloadProgressDetail) ?? null, error: null, cancelling: false });
      }
    }
  }

  async download(packId: string, dtype?: string): Promise<void> {
    const r = await this.host.transport.invoke('models.download', { id: packId, dtype });
    if (!r.ok) return void this.notices.push(r.error.message, 'error', 10_000);
    this.downloads = [...this.downloads.filter((d) => d.packId !== packId), { jobId: r.value.jobId, packId, state: 'queued', progress: null, error: null, cancelling: false }];
  }

  async cancel(jobId: string): Promise<void> {
    const d = this.downloads.find((x) => x.jobId === jobId);
    if (d) d.cancelling = true;
    await this.host.transport.invoke('jobs.cancel', { jobId });
  }

  async discard(packId: string): Promise<void> {
    const r = await this.host.transport.invoke('models.discardDownload', { id: packId });
    if (!r.ok) return void this.notices.push(r.error.message, 'error');
    this.downloads = this.downloads.filter((d) => d.packId !== packId);
    await this.load();
  }

  /** A `jobs.update` of kind "download". */
  apply(u: JobUpdate): void {
    const d = this.downloads.find((x) => x.jobId === u.jobId);
    if (!d) return;
    if (u.type === 'progress') {
      d.state = 'running';
      d.progress = u.progress.detail as DownloadProgressDetail;
    } else if (u.type === 'done') {
      d.state = 'done';
      this.notices.push(`Model pack ${d.packId} is installed and verified.`, 'info');
      void this.app.loadModels();
      void this.load();
    } else if (u.type === 'failed') {
      d.state = 'failed';
      d.error = u.error;
      void this.load();
    } else if (u.type === 'cancelled') {
      d.state = 'cancelled';
      void this.load();
    }
  }

  private async run<T>(what: string, call: () => Promise<{ ok: true; value: T } | { ok: false; error: ErrorValue }>): Promise<T | null> {
    this.busy = what;
    try {
      const r = await call();
      if (!r.ok) {
        this.notices.push(r.error.message, 'error', 10_000);
        return null;
      }
      return r.value;
    } finally {
      this.busy = null;
    }
  }

  async importPack(path: string): Promise<PackSummary | null> {
    const pack = await this.run('import', () => this.host.transport.invoke('models.import', { path }));
    if (pack) {
      this.notices.push(`Imported ${pack.name} (${pack.role}).`, 'info');
      await Promise.all([this.app.loadModels(), this.load()]);
    }
    return pack;
  }

  async remove(id: string): Promise<void> {
    const r = await this.run('remove', () => this.host.transport.invoke('models.remove', { id }));
    if (r) {
      this.notices.push(`Removed ${id}.`, 'info');
      await Promise.all([this.app.loadModels(), this.load()]);
    }
  }

  async setDefault(role: 'embedder' | 'generator', id: string | null): Promise<void> {
    const r = await this.run('default', () => this.host.transport.invoke('models.setDefault', { role, id }));
    if (!r) return;
    this.settings = r.settings;
    this.reembed = role === 'embedder' && r.space && r.filesToEmbed > 0 ? { space: r.space, files: r.filesToEmbed } : null;
    await this.app.loadModels();
  }

  /** Embeds the indexed files that have no vector in the current CLAP space (a background job). */
  async embedNow(): Promise<void> {
    this.reembed = null;
    await this.app.rescanModels();
  }

  async setHub(change: { endpoint?: string | null; token?: string | null }): Promise<void> {
    const r = await this.run('hub', () => this.host.transport.invoke('models.setHub', change));
    if (r) {
      this.settings = r;
      await this.load();
    }
  }

  async setLalm(url: string | null, model: string | null): Promise<void> {
    const r = await this.run('lalm', () => this.host.transport.invoke('models.setLalm', { url, model }));
    if (r) {
      this.settings = r;
      this.notices.push(url ? 'Language-model endpoint saved.' : 'Language-model endpoint cleared.', 'info');
    }
  }

  async testLalm(url: string | undefined, model: string | null): Promise<void> {
    this.lalmTest = null;
    const r = await this.run('test', () => this.host.transport.invoke('models.testLalm', { url, model }));
    if (r) this.lalmTest = r;
  }
}
