import {
  ExportPartialSchema,
  ExportSummarySchema,
  type ConflictPolicy,
  type DeletedRef,
  type ErrorValue,
  type ExportedFile,
  type ExportPlan,
  type ExportPreset,
  type ExportSettings,
  type ExportSummary,
  type ItemFields,
  type JobProgress,
  type JobUpdate,
  type Project,
  type ItemSourceInput,
  type ProjectItem,
  type Result,
  type UcsCategoryValue,
} from '../../../preload/contract';
import { debounce, type Debounced } from '../lib/debounce';
import type { Host } from '../lib/transport';
import type { NoticeStore } from './notices.svelte';

/** Item edits are saved this long after the last change (typing, arrow keys on a handle). */
const SAVE_DEBOUNCE_MS = 350;
/** File name previews are planned again this long after the last saved change. */
const PREVIEW_DEBOUNCE_MS = 250;

export type ExportRunState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** One export job as the dialog shows it: live progress, files as they land, then the summary. */
export interface ExportRun {
  jobId: string;
  projectId: string;
  outDir: string;
  state: ExportRunState;
  progress: JobProgress | null;
  written: ExportedFile[];
  skipped: { key: string; item: string; reason: string }[];
  failed: { key: string; item: string; error: string }[];
  summary: ExportSummary | null;
  error: ErrorValue | null;
  cancelling: boolean;
}

type Patch = Partial<ItemFields>;

const ACTIVE: ExportRunState[] = ['queued', 'running'];

/** The order the engine lists projects in. */
function byName(list: Project[]): Project[] {
  return list.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
}

/**
 * The engine's copy of an item after a save, except text the user is still typing: the engine trims
 * ("Low " is saved as "Low"), and putting that back into the field would eat the space just typed.
 */
function keepTyping(local: ProjectItem, saved: ProjectItem, patch: Patch): ProjectItem {
  const out: ProjectItem = { ...saved };
  for (const key of Object.keys(patch) as (keyof Patch)[]) {
    const mine = local[key];
    if (typeof mine === 'string' && mine.trim() === (saved[key] ?? '') && mine !== saved[key]) Object.assign(out, { [key]: mine });
  }
  return out;
}

/**
 * Projects, the open project's items, their edits, the UCS list and exporting. Item edits apply
 * at once on screen and are saved shortly after (merged per item), so dragging a handle or typing
 * does not send a request per pixel or key; what the engine answers replaces the local copy unless
 * a newer edit is waiting.
 */
export class ProjectsStore {
  projects = $state<Project[]>([]);
  loaded = $state(false);
  currentId = $state<string | null>(null);
  items = $state<ProjectItem[]>([]);
  selectedItemId = $state<string | null>(null);
  /** The last delete (project or item), offered for undo until the next one or until dismissed. */
  lastDeleted = $state<DeletedRef | null>(null);
  /** File names the project's items export under now (item id -> name), from projects.exportPlan. */
  previews = $state<Record<string, { fileName: string; naming: 'ucs' | 'plain'; problem: string | null }>>({});
  categories = $state.raw<UcsCategoryValue[]>([]);
  ucsVersion = $state<string | null>(null);
  presets = $state<ExportPreset[]>([]);
  run = $state<ExportRun | null>(null);
  /** The folder of the last export (this session), offered again. */
  lastOutDir = $state('');
  /** The current project (from the list). */
  current = $derived(this.projects.find((p) => p.id === this.currentId) ?? null);
  selectedItem = $derived(this.items.find((i) => i.id === this.selectedItemId) ?? null);
  exporting = $derived(this.run !== null && ACTIVE.includes(this.run.state));

  private readonly pending = new Map<string, Patch>();
  private readonly savers = new Map<string, Debounced<[]>>();
  private readonly previewSoon = debounce(() => void this.refreshPreviews(), PREVIEW_DEBOUNCE_MS);
  private openSeq = 0;

  constructor(
    private readonly host: Host,
    private readonly notices: NoticeStore,
  ) {}

  private get t() {
    return this.host.transport;
  }

  // ---- projects ----

  async load(): Promise<void> {
    const r = await this.t.invoke('projects.list', {});
    if (!r.ok) return;
    this.projects = r.value;
    this.loaded = true;
    if (this.currentId && !r.value.some((p) => p.id === this.currentId)) this.currentId = null;
    if (!this.currentId && r.value.length) await this.open(r.value[0].id);
    else if (this.currentId) await this.open(this.currentId);
  }

  /** Opens a project: its items come from the engine. */
  async open(projectId: string): Promise<void> {
    await this.flushEdits();
    const seq = ++this.openSeq;
    const switching = projectId !== this.currentId;
    this.currentId = projectId;
    if (switching) {
      this.items = [];
      this.previews = {};
      this.selectedItemId = null;
    }
    const r = await this.t.invoke('projects.get', { projectId });
    if (seq !== this.openSeq) return;
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      return;
    }
    this.replaceProject(r.value.project);
    this.items = r.value.items;
    if (!this.items.some((i) => i.id === this.selectedItemId)) this.selectedItemId = this.items[0]?.id ?? null;
    this.previewSoon();
  }

  async create(name: string): Promise<Result<Project>> {
    const r = await this.t.invoke('projects.create', { name });
    if (!r.ok) return r;
    this.projects = byName([...this.projects.filter((p) => p.id !== r.value.id), r.value]);
    await this.open(r.value.id);
    return r;
  }

  async rename(projectId: string, name: string): Promise<Result<Project>> {
    const r = await this.t.invoke('projects.rename', { projectId, name });
    if (r.ok) this.replaceProject(r.value);
    return r;
  }

  async duplicate(projectId: string): Promise<void> {
    const r = await this.t.invoke('projects.duplicate', { projectId });
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      return;
    }
    await this.load();
    await this.open(r.value.id);
  }

  async remove(projectId: string): Promise<void> {
    const r = await this.t.invoke('projects.delete', { projectId });
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      return;
    }
    this.lastDeleted = r.value;
    const i = this.projects.findIndex((p) => p.id === projectId);
    this.projects = this.projects.filter((p) => p.id !== projectId);
    if (this.currentId === projectId) {
      this.currentId = null;
      this.items = [];
      const next = this.projects[Math.min(Math.max(0, i), this.projects.length - 1)];
      if (next) await this.open(next.id);
    }
  }

  /** Restores the most recent delete (a project or an item) and shows it. */
  async undoDelete(): Promise<void> {
    const r = await this.t.invoke('projects.undoDelete', {});
    this.lastDeleted = null;
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      return;
    }
    if (!r.value) {
      this.notices.push('Nothing to undo.', 'info');
      return;
    }
    const restored = r.value;
    const list = await this.t.invoke('projects.list', {});
    if (list.ok) this.projects = list.value;
    await this.open(restored.projectId);
    if (restored.itemId) this.selectedItemId = restored.itemId;
    this.notices.push(`Restored ${restored.kind} “${restored.name}”.`);
  }

  dismissUndo(): void {
    this.lastDeleted = null;
  }

  // ---- items ----

  /** Adds audio files (library files are referenced, others copied into the project). */
  async addPaths(projectId: string, paths: string[], window?: { start: number; end: number }): Promise<Result<ProjectItem[]>> {
    return this.addSources(projectId, paths.map((path) => (window ? { path, window } : { path })));
  }

  async addSources(projectId: string, sources: ItemSourceInput[]): Promise<Result<ProjectItem[]>> {
    const r = await this.t.invoke('projects.addItems', { projectId, sources });
    if (!r.ok) return r;
    const project = this.projects.find((p) => p.id === projectId);
    if (project) project.itemCount += r.value.length;
    if (projectId === this.currentId) {
      this.items = [...this.items, ...r.value];
      if (r.value.length) this.selectedItemId = r.value[0].id;
      this.previewSoon();
    }
    return r;
  }

  /**
   * "Add to project" from elsewhere (a library result): into the given project, or a new one with a
   * free "Untitled project" name. Says what happened in a notice; returns the project's id.
   */
  async addToProject(projectId: string | null, source: ItemSourceInput): Promise<string | null> {
    let target = projectId;
    if (!target) {
      const taken = new Set(this.projects.map((p) => p.name.toLowerCase()));
      let name = 'Untitled project';
      for (let n = 2; taken.has(name.toLowerCase()); n++) name = `Untitled project ${n}`;
      const r = await this.t.invoke('projects.create', { name });
      if (!r.ok) {
        this.notices.push(r.error.message, 'error');
        return null;
      }
      this.projects = byName([...this.projects, r.value]);
      target = r.value.id;
    }
    const r = await this.addSources(target, [source]);
    const project = this.projects.find((p) => p.id === target);
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      return null;
    }
    this.notices.push(`Added “${r.value[0]?.name ?? ('path' in source ? source.path : 'the take')}” to ${project ? `“${project.name}”` : 'the project'}.`);
    // The projects screen shows where the sound went.
    if (target !== this.currentId) await this.open(target);
    if (r.value[0]) this.selectedItemId = r.value[0].id;
    return target;
  }

  select(itemId: string): void {
    this.selectedItemId = itemId;
  }

  /** Applies an edit now and saves it shortly (or at once with `now`). */
  edit(itemId: string, patch: Patch, now = false): void {
    const item = this.items.find((i) => i.id === itemId);
    if (!item) return;
    if (!Object.keys(patch).length) {
      // The end of a gesture: save what it changed now, if anything.
      if (now && this.pending.has(itemId)) this.saveNow(itemId);
      return;
    }
    Object.assign(item, patch);
    this.pending.set(itemId, { ...this.pending.get(itemId), ...patch });
    let saver = this.savers.get(itemId);
    if (!saver) {
      saver = debounce(() => void this.save(itemId), SAVE_DEBOUNCE_MS);
      this.savers.set(itemId, saver);
    }
    if (now) this.saveNow(itemId);
    else saver();
  }

  private saveNow(itemId: string): void {
    this.savers.get(itemId)?.cancel();
    void this.save(itemId);
  }

  /** Saves every waiting edit now (before switching project or exporting). */
  async flushEdits(): Promise<void> {
    const ids = [...this.pending.keys()];
    for (const id of ids) this.savers.get(id)?.cancel();
    await Promise.all(ids.map((id) => this.save(id)));
  }

  private async save(itemId: string): Promise<void> {
    const patch = this.pending.get(itemId);
    if (!patch) return;
    this.pending.delete(itemId);
    const r = await this.t.invoke('projects.updateItem', { itemId, fields: patch });
    const i = this.items.findIndex((x) => x.id === itemId);
    if (!r.ok) {
      this.notices.push(`Not saved: ${r.error.message}`, 'error', 9000);
      // Show what the engine has, unless the user already changed it again.
      if (!this.pending.has(itemId) && this.currentId) {
        const fresh = await this.t.invoke('projects.get', { projectId: this.currentId });
        const item = fresh.ok ? fresh.value.items.find((x) => x.id === itemId) : undefined;
        const j = this.items.findIndex((x) => x.id === itemId);
        if (item && j >= 0 && !this.pending.has(itemId)) this.items[j] = item;
      }
      return;
    }
    if (i >= 0 && !this.pending.has(itemId)) this.items[i] = keepTyping(this.items[i], r.value, patch);
    this.previewSoon();
  }

  async removeItem(itemId: string): Promise<void> {
    this.savers.get(itemId)?.cancel();
    this.pending.delete(itemId);
    const r = await this.t.invoke('projects.removeItem', { itemId });
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      return;
    }
    this.lastDeleted = r.value;
    const i = this.items.findIndex((x) => x.id === itemId);
    this.items = this.items.filter((x) => x.id !== itemId);
    const project = this.projects.find((p) => p.id === r.value.projectId);
    if (project) project.itemCount = Math.max(0, project.itemCount - 1);
    if (this.selectedItemId === itemId) this.selectedItemId = this.items[Math.min(i, this.items.length - 1)]?.id ?? null;
    this.previewSoon();
  }

  /** The names the items will be exported under, planned by the engine (UCS rules, numbering). */
  async refreshPreviews(): Promise<void> {
    const project = this.current;
    if (!project || !this.items.length) {
      this.previews = {};
      return;
    }
    const r = await this.t.invoke('projects.exportPlan', { projectId: project.id, outDir: this.lastOutDir || project.folder });
    if (!r.ok || project.id !== this.currentId) return;
    const out: ProjectsStore['previews'] = {};
    for (const f of r.value.files) if (f.variation === 0) out[f.itemId] = { fileName: f.fileName, naming: f.naming, problem: f.problem };
    this.previews = out;
  }

  // ---- UCS ----

  /** The shipped UCS category list, fetched once. */
  async loadCategories(): Promise<void> {
    if (this.categories.length) return;
    const r = await this.t.invoke('ucs.categories', {});
    if (!r.ok) return;
    this.categories = r.value.categories;
    this.ucsVersion = r.value.version;
  }

  /** Close CatIDs for one the list does not have (the engine's edit distance and synonym match). */
  async suggest(catId: string): Promise<UcsCategoryValue[]> {
    const r = await this.t.invoke('ucs.check', { catId });
    return r.ok && !r.value.valid ? r.value.suggestions : [];
  }

  // ---- export ----

  async loadPresets(): Promise<void> {
    const r = await this.t.invoke('projects.exportPresets', { action: 'list' });
    if (r.ok) this.presets = r.value;
  }

  async savePreset(name: string, settings: ExportSettings): Promise<Result<ExportPreset[]>> {
    const r = await this.t.invoke('projects.exportPresets', { action: 'save', name, settings });
    if (r.ok) this.presets = r.value;
    return r;
  }

  async deletePreset(name: string): Promise<Result<ExportPreset[]>> {
    const r = await this.t.invoke('projects.exportPresets', { action: 'delete', name });
    if (r.ok) this.presets = r.value;
    return r;
  }

  /** Saves the dialog's settings as the project's own (the next export starts from them). */
  async saveExportSettings(projectId: string, settings: ExportSettings): Promise<Result<Project>> {
    const r = await this.t.invoke('projects.setExportSettings', { projectId, settings });
    if (r.ok) this.replaceProject(r.value);
    return r;
  }

  /** `itemIds` narrows the export to a selection; omitted, the whole project. */
  async plan(projectId: string, outDir: string, settings: ExportSettings, itemIds?: ProjectItem['id'][]): Promise<Result<ExportPlan>> {
    await this.flushEdits();
    return this.t.invoke('projects.exportPlan', { projectId, outDir, settings, itemIds });
  }

  async startExport(
    projectId: string,
    outDir: string,
    settings: ExportSettings,
    onConflict: ConflictPolicy,
    itemIds?: ProjectItem['id'][],
  ): Promise<Result<{ jobId: string }>> {
    await this.flushEdits();
    const r = await this.t.invoke('projects.export', { projectId, outDir, settings, onConflict, itemIds });
    if (!r.ok) return r;
    this.lastOutDir = outDir;
    // Updates may already have arrived for this job (the event can beat the reply).
    if (this.run?.jobId !== r.value.jobId) this.run = this.blankRun(r.value.jobId, projectId, outDir);
    else {
      this.run.projectId = projectId;
      this.run.outDir = outDir;
    }
    return r;
  }

  async cancelExport(): Promise<void> {
    const run = this.run;
    if (!run || !ACTIVE.includes(run.state)) return;
    run.cancelling = true;
    const r = await this.t.invoke('jobs.cancel', { jobId: run.jobId });
    if (!r.ok) {
      run.cancelling = false;
      this.notices.push(r.error.message, 'error');
    }
  }

  /** Forgets the finished run (the dialog goes back to its settings). */
  clearRun(): void {
    if (this.run && !ACTIVE.includes(this.run.state)) this.run = null;
  }

  /** 'jobs.update' events of kind 'export'. */
  apply(u: JobUpdate): void {
    if (u.kind !== 'export') return;
    if (!this.run || this.run.jobId !== u.jobId) {
      // A job this window did not start (another window, the CLI) is not shown here.
      if (this.run && ACTIVE.includes(this.run.state)) return;
      this.run = this.blankRun(u.jobId, this.currentId ?? '', '');
    }
    const run = this.run;
    switch (u.type) {
      case 'queued':
        run.state = 'queued';
        break;
      case 'progress':
        run.state = 'running';
        run.progress = u.progress;
        break;
      case 'partial': {
        run.state = 'running';
        const p = ExportPartialSchema.safeParse(u.data);
        if (!p.success) break;
        if (p.data.written) run.written.push(p.data.written);
        if (p.data.skipped) run.skipped.push(p.data.skipped);
        if (p.data.failed) run.failed.push(p.data.failed);
        break;
      }
      case 'done': {
        run.state = 'done';
        run.cancelling = false;
        const s = ExportSummarySchema.safeParse(u.result);
        if (s.success) {
          run.summary = s.data;
          run.written = s.data.written;
          run.skipped = s.data.skipped;
          run.failed = s.data.failed;
        }
        this.previewSoon();
        break;
      }
      case 'failed':
        run.state = 'failed';
        run.cancelling = false;
        run.error = u.error;
        break;
      case 'cancelled':
        run.state = 'cancelled';
        run.cancelling = false;
        break;
    }
  }

  private blankRun(jobId: string, projectId: string, outDir: string): ExportRun {
    return { jobId, projectId, outDir, state: 'queued', progress: null, written: [], skipped: [], failed: [], summary: null, error: null, cancelling: false };
  }

  private replaceProject(p: Project): void {
    const i = this.projects.findIndex((x) => x.id === p.id);
    if (i >= 0 && this.projects[i].name === p.name) this.projects[i] = p;
    else this.projects = byName([...this.projects.filter((x) => x.id !== p.id), p]);
  }
}
