import type { Folder, LibraryStats } from '../../../preload/contract';
import type { Host } from '../lib/transport';
import type { NoticeStore } from './notices.svelte';

/** Library folders (from the engine) and adding, removing and re-indexing them. */
export class LibraryStore {
  folders = $state<Folder[]>([]);
  stats = $state<LibraryStats | null>(null);
  loaded = $state(false);
  busy = $state(false);
  /** The last add/remove problem, shown next to the folder field. */
  error = $state<string | null>(null);

  constructor(
    private readonly host: Host,
    private readonly notices: NoticeStore,
  ) {}

  async load(): Promise<void> {
    const [r, stats] = await Promise.all([
      this.host.transport.invoke('library.folders', {}),
      this.host.transport.invoke('library.stats', {}),
    ]);
    if (r.ok) {
      this.folders = r.value;
      this.loaded = true;
    }
    if (stats.ok) this.stats = stats.value;
  }

  /** Adds folders and indexes them (one job). Returns the job id, or null with `error` set. */
  async add(paths: string[]): Promise<string | null> {
    const clean = [...new Set(paths.map((p) => p.trim()).filter(Boolean))];
    if (!clean.length) return null;
    this.busy = true;
    this.error = null;
    try {
      const r = await this.host.transport.invoke('library.index', { folders: clean });
      if (!r.ok) {
        this.error = r.error.message;
        return null;
      }
      await this.load();
      return r.value.jobId;
    } finally {
      this.busy = false;
    }
  }

  /** The host's folder dialog (Electron). Returns false when this host has none. */
  async choose(): Promise<boolean> {
    const r = await this.host.transport.invoke('app.chooseFolders', {});
    if (!r.ok) {
      if (r.error.code !== 'unsupported') this.notices.push(r.error.message, 'error');
      return false;
    }
    if (r.value.paths.length) await this.add(r.value.paths);
    return true;
  }

  async remove(path: string): Promise<boolean> {
    this.error = null;
    const r = await this.host.transport.invoke('library.removeFolder', { path });
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      return false;
    }
    this.notices.push(`Removed ${path} from the library (${r.value.removedFiles} files; nothing was deleted on disk).`);
    await this.load();
    return true;
  }

  /** Indexes every library folder again: new, changed, moved and removed files. */
  async reindexAll(): Promise<void> {
    const r = await this.host.transport.invoke('library.index', {});
    if (!r.ok) this.notices.push(r.error.message, 'error');
  }
}
