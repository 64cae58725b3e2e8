import { getContext } from 'svelte';
import type { Host } from '../lib/transport';
import { WaveformLoader } from '../lib/waveforms';
import { AppStore } from './app.svelte';
import { DropStore } from './drop.svelte';
import { GenerateStore } from './generate.svelte';
import { JobsStore } from './jobs.svelte';
import { LibraryStore } from './library.svelte';
import { ModelsStore } from './models.svelte';
import { NavStore } from './nav.svelte';
import { NoticeStore } from './notices.svelte';
import { PlayerStore } from './player.svelte';
import { ProjectsStore } from './projects.svelte';
import { SearchStore } from './search.svelte';
import { TaggingStore } from './tagging.svelte';

export interface Stores {
  host: Host;
  app: AppStore;
  notices: NoticeStore;
  library: LibraryStore;
  jobs: JobsStore;
  search: SearchStore;
  player: PlayerStore;
  drop: DropStore;
  nav: NavStore;
  generate: GenerateStore;
  projects: ProjectsStore;
  tagging: TaggingStore;
  models: ModelsStore;
  waveforms: WaveformLoader;
  /** Loads everything from the engine; call once after mounting. */
  start(): Promise<void>;
}

/**
 * Creates the stores and wires the host's events to them. Folders and jobs always come from the
 * engine; after a reconnect or an engine restart they are fetched again and the query re-runs.
 */
export function createStores(host: Host): Stores {
  const notices = new NoticeStore();
  const app = new AppStore(host, notices);
  const library = new LibraryStore(host, notices);
  const jobs = new JobsStore(host, notices);
  const search = new SearchStore(host);
  const player = new PlayerStore(host, notices);
  const drop = new DropStore();
  const waveforms = new WaveformLoader(host.transport);
  const nav = new NavStore();
  const generate = new GenerateStore(host, notices);
  const projects = new ProjectsStore(host, notices);
  const tagging = new TaggingStore(host, notices);
  const models = new ModelsStore(host, app, notices);
  let started = false;

  const resync = async () => {
    void generate.load();
    void projects.load();
    void tagging.load({ keepSelection: true });
    void tagging.loadJob();
    void models.load();
    await Promise.all([app.loadModels(), library.load(), jobs.load()]);
    if (search.hasQuery) await search.run({ keepSelection: true });
  };

  // Generate, export and tag jobs belong to their own screens, not the library's indexing activity.
  host.transport.on('jobs.update', (u) => {
    if (u.kind === 'generate') generate.apply(u);
    else if (u.kind === 'export') projects.apply(u);
    else if (u.kind === 'tag') tagging.apply(u);
    else if (u.kind === 'download') models.apply(u);
    else jobs.apply(u);
  });
  // Accepted tags are searchable at once: the library list shows them without a new query.
  tagging.onChanged = () => {
    if (search.hasQuery) void search.run({ keepSelection: true });
  };
  host.transport.on('engine.status', (s) => {
    if (app.engineStatus(s) && started) void resync();
  });
  host.transport.on('app.dropped', ({ paths }) => {
    const target = drop.take();
    if (!paths.length) return;
    if (!target) {
      notices.push('Drop folders on the Folders pane to add them, or a sound on the example zone to search by it.', 'info');
      return;
    }
    if (target === 'folders') void library.add(paths);
    else search.setExample(paths[0]);
  });

  jobs.onEnded = (job) => {
    if (job.kind !== 'index' && job.kind !== 'embed') return;
    if (job.state === 'done') {
      waveforms.clear();
      void library.load();
      void app.loadModels();
      if (search.hasQuery) void search.run({ keepSelection: true });
      void tagging.load({ keepSelection: true });
    } else if (job.state === 'failed') {
      notices.push(`Indexing failed: ${job.error?.message ?? 'unknown error'}`, 'error', 10_000);
      void library.load();
    } else if (job.state === 'cancelled') {
      void library.load();
    }
  };

  let wasDown = false;
  host.onConnection((state, attempts) => {
    app.connection = state;
    app.connectionFailures = attempts;
    if (state === 'reconnecting') {
      wasDown = true;
    } else if (state === 'open') {
      if (wasDown && started) void Promise.all([app.loadInfo(), resync()]);
      wasDown = false;
    }
  });

  return {
    host,
    app,
    notices,
    library,
    jobs,
    search,
    player,
    drop,
    nav,
    generate,
    projects,
    tagging,
    models,
    waveforms,
    async start() {
      // Listing generator packs may load a model: the library screen does not wait for it.
      void generate.load();
      void projects.load();
      void tagging.load();
      void tagging.loadJob();
      void models.load();
      await Promise.all([app.loadInfo(), app.loadModels(), library.load(), jobs.load()]);
      await search.restore();
      started = true;
    },
  };
}

const KEY = Symbol('cuebank.stores');

/** The context to mount the app with: `mount(App, { target, context: storesContext(stores) })`. */
export function storesContext(stores: Stores): Map<unknown, unknown> {
  return new Map([[KEY, stores]]);
}

export function useStores(): Stores {
  const stores = getContext<Stores | undefined>(KEY);
  if (!stores) throw new Error('useStores() outside <App>');
  return stores;
}
