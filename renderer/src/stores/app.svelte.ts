import type { AppInfo, EngineStatus, ModelsStatus } from '../../../preload/contract';
import type { ConnectionState, Host } from '../lib/transport';
import type { NoticeStore } from './notices.svelte';

const NO_ABILITIES: AppInfo['can'] = { chooseFolders: false, reveal: false, dragOut: false };

/** The host, the connection, the engine process and the model packs. */
export class AppStore {
  info = $state<AppInfo | null>(null);
  connection = $state<ConnectionState>('connecting');
  /** Failed reconnect attempts in a row (bridge). */
  connectionFailures = $state(0);
  engine = $state<EngineStatus | null>(null);
  /** Set when the engine restarted during this session; shown until dismissed. */
  restart = $state<{ reason: string | null; back: boolean } | null>(null);
  models = $state<ModelsStatus | null>(null);
  rescanning = $state(false);

  constructor(
    private readonly host: Host,
    private readonly notices: NoticeStore,
  ) {}

  get kind() {
    return this.host.kind;
  }

  get can(): AppInfo['can'] {
    return this.info?.can ?? NO_ABILITIES;
  }

  /** Meaning-based search is unavailable: the plain-language reason, else null. */
  get modelNote(): string | null {
    return this.models && !this.models.embedder ? this.models.note : null;
  }

  async loadInfo(): Promise<void> {
    const r = await this.host.transport.invoke('app.info', {});
    if (r.ok) this.info = r.value;
  }

  async loadModels(): Promise<void> {
    const r = await this.host.transport.invoke('models.status', {});
    if (r.ok) this.models = r.value;
  }

  /** Looks for model packs again (after the user copied one in); embedding starts as a job. */
  async rescanModels(): Promise<void> {
    this.rescanning = true;
    try {
      const r = await this.host.transport.invoke('models.rescan', {});
      if (!r.ok) {
        this.notices.push(r.error.message, 'error');
        return;
      }
      const { embedJobId: _job, ...status } = r.value;
      this.models = status;
      this.notices.push(status.embedder ? `Model pack found: ${status.embedder.packId}.` : 'No model pack found yet.', status.embedder ? 'info' : 'warn');
    } finally {
      this.rescanning = false;
    }
  }

  /** Returns true when the engine just came back after a restart (the caller resyncs). */
  engineStatus(status: EngineStatus): boolean {
    const before = this.engine;
    this.engine = status;
    if (status.state === 'restarting') {
      this.restart = { reason: status.reason, back: false };
    } else if (status.state === 'ready' && (before?.state === 'restarting' || (this.restart && !this.restart.back))) {
      this.restart = { reason: this.restart?.reason ?? status.reason, back: true };
      return true;
    }
    return false;
  }

  dismissRestart(): void {
    this.restart = null;
  }
}
